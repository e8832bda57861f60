"use client";
import { useState } from "react";

// The working half of a lab page, put together from its parts: the learner's files (file-editor,
// autosaved by hooks/use-autosave), the lab environment (environment-panel, hooks/use-sandbox),
// "Apply to sandbox" (apply-results) and "Check my work" (checks-list, attempts-list,
// hooks/use-grading), the learner's pods (workloads-panel, hooks/use-workloads) and, for labs
// that build an image, "Build image" (build-panel, hooks/use-build), and a shell in the
// workspace (terminal-panel, hooks/use-terminal). A new panel is one more hook and component here.
import { saveFileAction } from "@/app/(learn)/labs/[labId]/actions";
import type { BuiltImageView } from "@/lib/builds/events";
import { TERMINAL_PASTE_PATH } from "@/lib/assessments/limits";
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
import { useWorkspaceSync } from "./hooks/use-workspace-sync";
import { TerminalPanel } from "./terminal-panel";
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
  hasTerminal = false,
  resultsHidden = false,
  stepTitle = null,
  onPaste,
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
  /** The lab's sandbox runs real workloads, so it has a terminal (a workspace pod). */
  hasTerminal?: boolean;
  /** An assessment that does not show check results (the server sends none): say that checks are recorded. */
  resultsHidden?: boolean;
  /** In a lab with steps: the current step's title (`checks` are that step's). */
  stepTitle?: string | null;
  /** In an assessment: told the size and file of each paste into the editor (the recorder). */
  onPaste?: (path: string, chars: number) => void;
}) {
  const autosave = useAutosave(
    () => Object.fromEntries(files.map((f) => [f.path, f.content])),
    (path, content) => saveFileAction(labId, path, content),
  );
  const sandbox = useSandbox(labId, initialSandbox);
  const grading = useGrading(labId, checks, initialAttempts);
  const build = useBuild(labId);
  const sandboxReady = sandbox.sandbox?.state === "ready";
  // While the terminal is open, its files are synced into the editor every few seconds.
  const [terminalOpen, setTerminalOpen] = useState(false);
  // Files changed in the terminal come back as saved revisions; on focus, and while it is open.
  useWorkspaceSync(labId, { enabled: hasTerminal && sandboxReady, polling: terminalOpen, onImported: autosave.fromTerminal });

  return (
    <div className="lab-room stack">
      {hasSandbox ? <EnvironmentPanel labId={labId} availability={availability} controls={sandbox} /> : null}

      <FileEditor labId={labId} files={files} autosave={autosave} onPaste={onPaste} />

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

      {hasTerminal && sandboxReady ? <TerminalPanel labId={labId} onOpenChange={setTerminalOpen} onPaste={onPaste ? (chars) => onPaste(TERMINAL_PASTE_PATH, chars) : undefined} /> : null}

      {hasSandbox && sandboxReady ? <WorkloadsPanel labId={labId} active={sandboxReady} refreshSignal={sandbox.applyResult} /> : null}

      {buildsImage ? <BuildPanel build={build} lastImage={lastImage} /> : null}

      {resultsHidden ? (
        <section className="stack-tight" aria-labelledby="results-heading" aria-busy={grading.grading}>
          <h2 id="results-heading">Checks</h2>
          {grading.error ? (
            <p className="form-error" role="alert">
              {grading.error}
            </p>
          ) : null}
          <p role="status" className="muted">
            {grading.grading
              ? "Checking your work…"
              : `This assessment does not show check results: each check is recorded for the reviewer. Checks so far: ${grading.attempts.length}.`}
          </p>
        </section>
      ) : (
        <>
          <ChecksList
            grading={grading.grading}
            error={grading.error}
            checks={grading.checks}
            results={grading.results}
            waiting={grading.waiting}
            showingLastAttempt={grading.showingLastAttempt}
            lastAttempt={grading.lastAttempt}
            progress={grading.progress}
            setupError={grading.setupError}
            stepTitle={stepTitle}
          />

          <AttemptsList attempts={grading.attempts} />
        </>
      )}
    </div>
  );
}
