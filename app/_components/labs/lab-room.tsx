"use client";

// The working half of a lab page, put together from its parts: the learner's files (file-editor,
// autosaved by hooks/use-autosave), the lab environment (environment-panel, hooks/use-sandbox),
// "Apply to sandbox" (apply-results) and "Check my work" (checks-list, attempts-list,
// hooks/use-grading), the learner's pods (workloads-panel, hooks/use-workloads) and, for labs
// that build an image, "Build image" (build-panel, hooks/use-build). A new panel (a terminal) is
// one more hook and component here.
import { saveFileAction } from "@/app/(learn)/labs/[labId]/actions";
import type { BuiltImageView } from "@/lib/builds/events";
import type { AttemptView, SandboxView } from "@/lib/workspace/views";
import { ApplyResults } from "./apply-results";
import { AttemptsList } from "./attempts-list";
import { BuildPanel } from "./build-panel";
import { ChecksList } from "./checks-list";
import { EnvironmentPanel } from "./environment-panel";
import { FileEditor } from "./file-editor";
import { useAutosave } from "./hooks/use-autosave";
import { useBuild } from "./hooks/use-build";
import { useGrading } from "./hooks/use-grading";
import { useSandbox } from "./hooks/use-sandbox";
import { WorkloadsPanel } from "./workloads-panel";
import type { AvailabilityView, CheckSummary, LabFileView } from "./types";

export type { AvailabilityView, LabFileView } from "./types";

export function LabRoom({
  labId,
  files,
  hasSandbox,
  availability,
  initialSandbox,
  checks,
  initialAttempts,
  buildsImage = false,
  lastImage = null,
}: {
  labId: string;
  files: LabFileView[];
  hasSandbox: boolean;
  availability: AvailabilityView;
  initialSandbox: SandboxView | null;
  checks: CheckSummary[];
  initialAttempts: AttemptView[];
  /** The lab declares `build:` in its frontmatter: show "Build image". */
  buildsImage?: boolean;
  /** The learner's last built image of this lab, shown until a new build reports. */
  lastImage?: BuiltImageView | null;
}) {
  const autosave = useAutosave(
    () => Object.fromEntries(files.map((f) => [f.path, f.content])),
    (path, content) => saveFileAction(labId, path, content),
  );
  const sandbox = useSandbox(labId, initialSandbox);
  const grading = useGrading(labId, checks, initialAttempts);
  const build = useBuild(labId);
  const sandboxReady = sandbox.sandbox?.state === "ready";

  return (
    <div className="lab-room stack">
      {hasSandbox ? <EnvironmentPanel labId={labId} availability={availability} controls={sandbox} /> : null}

      <FileEditor labId={labId} files={files} autosave={autosave} />

      <section className="lab-actions">
        {hasSandbox ? (
          <button
            type="button"
            className="button button-quiet"
            onClick={() => void sandbox.apply(autosave.flush)}
            disabled={sandbox.applying || !sandboxReady}
            title={sandboxReady ? undefined : "Start your lab environment first"}
          >
            {sandbox.applying ? "Applying…" : "Apply to sandbox"}
          </button>
        ) : null}
        {buildsImage ? (
          <button type="button" className="button button-quiet" onClick={() => void build.build(autosave.flush)} disabled={build.building}>
            {build.building ? "Building…" : "Build image"}
          </button>
        ) : null}
        <button type="button" className="button" onClick={() => void grading.check(autosave.flush)} disabled={grading.grading}>
          {grading.grading ? "Checking…" : "Check my work"}
        </button>
      </section>

      {sandbox.applyResult ? <ApplyResults result={sandbox.applyResult} /> : null}

      {hasSandbox && sandboxReady ? <WorkloadsPanel labId={labId} active={sandboxReady} refreshSignal={sandbox.applyResult} /> : null}

      {buildsImage ? <BuildPanel build={build} lastImage={lastImage} /> : null}

      <ChecksList
        grading={grading.grading}
        error={grading.error}
        checks={grading.checks}
        results={grading.results}
        showingLastAttempt={grading.showingLastAttempt}
        lastAttempt={grading.lastAttempt}
      />

      <AttemptsList attempts={grading.attempts} />
    </div>
  );
}
