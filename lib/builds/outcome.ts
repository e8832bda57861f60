// What a finished build pod means, in words a learner can act on: the image and its digest, or
// why it failed (the failing Dockerfile line and buildah's error, the deadline, the disk, the
// memory). Pure: it reads what the runner observed (the Job's and pod's status, the container's
// termination message written by academy-build.sh, the end of the log) and the Dockerfile.
import { DockerfileParser } from "dockerfile-ast";

export const BUILD_FAILURE_REASONS = [
  "step-failed",
  "base-image",
  "dockerfile",
  "deadline",
  "disk-full",
  "out-of-memory",
  "push",
  "unknown",
] as const;
export type BuildFailureReason = (typeof BUILD_FAILURE_REASONS)[number];

export type BuildSuccess = { ok: true; digest: string; buildSeconds: number | null };
export type BuildFailure = {
  ok: false;
  reason: BuildFailureReason;
  /** One or two sentences: what happened and what to do. */
  error: string;
  /** The Dockerfile line of the step that failed or was running, 1-based. */
  line?: number;
  /** buildah's own last words (the failing step's output and its error). */
  details: string[];
};
export type BuildOutcome = BuildSuccess | BuildFailure;

export type BuildObservation = {
  /** The build container's termination message (academy-build.sh: one JSON object). */
  terminationMessage: string | null;
  /** e.g. OOMKilled, Error, Completed. */
  containerReason: string | null;
  exitCode: number | null;
  /** The pod's status.reason and message (Evicted, DeadlineExceeded). */
  podReason: string | null;
  podMessage: string | null;
  /** The Job's Failed condition, when it has one (DeadlineExceeded, BackoffLimitExceeded). */
  jobFailedReason: string | null;
  /** The last lines of the build log, in order. */
  logTail: readonly string[];
};

export type BuildLimitsInWords = { deadlineSeconds: number; memory: string; storage: string };

const STEP_HEADER = /^(?:\[(\d+)\/(\d+)\] )?STEP (\d+)\/(\d+): (.*)$/;
const STEP_ERROR = /^Error: building at STEP "(.*?)": (.*)$/;

type StepRef = { stage: number; step: number; text: string };

/** The last `STEP n/m:` line buildah printed: the step that failed, or was running when stopped. */
export function lastStep(log: readonly string[]): StepRef | null {
  for (let i = log.length - 1; i >= 0; i--) {
    const m = STEP_HEADER.exec(log[i]!);
    if (m) return { stage: Number(m[1] ?? 1), step: Number(m[3]), text: m[5]! };
  }
  return null;
}

/**
 * The last step that writes files (RUN, COPY, ADD): the one that filled the disk. buildah may
 * already be past it (a metadata step, or the commit copying the layers) when the disk watch fires.
 */
export function lastWritingStep(log: readonly string[]): StepRef | null {
  for (let i = log.length - 1; i >= 0; i--) {
    const m = STEP_HEADER.exec(log[i]!);
    if (m && /^(RUN|COPY|ADD)\b/i.test(m[5]!)) return { stage: Number(m[1] ?? 1), step: Number(m[3]), text: m[5]! };
  }
  return lastStep(log);
}

const normalise = (text: string) => text.replace(/\\\s*\n/g, " ").replace(/\s+/g, " ").trim();

/**
 * The Dockerfile line (1-based) of buildah's step `step` in stage `stage`: buildah counts each
 * stage's instructions from its FROM (step 1); ARGs before the first FROM belong to no stage.
 * Checked against the step's text; when they disagree (a stage buildah skipped) the first
 * instruction with the same text wins.
 */
export function dockerfileLine(dockerfile: string, ref: StepRef): number | undefined {
  const parsed = DockerfileParser.parse(dockerfile);
  const stages: { keyword: string; text: string; line: number }[][] = [];
  for (const instruction of parsed.getInstructions()) {
    const keyword = instruction.getKeyword().toUpperCase();
    if (keyword === "FROM") stages.push([]);
    const current = stages[stages.length - 1];
    if (!current) continue;
    const range = instruction.getRange();
    const lines = dockerfile.split("\n").slice(range.start.line, range.end.line + 1).join("\n");
    current.push({ keyword, text: normalise(lines), line: range.start.line + 1 });
  }
  const want = normalise(ref.text);
  const keywordOf = (text: string) => text.split(/\s/)[0]?.toUpperCase() ?? "";
  const candidate = stages[ref.stage - 1]?.[ref.step - 1];
  if (candidate && candidate.keyword === keywordOf(want)) return candidate.line;
  const byText = stages.flat().find((i) => i.text === want || i.text.replace(/\s/g, "") === want.replace(/\s/g, ""));
  return byText?.line ?? candidate?.line;
}

/** The output of the failing step: the lines after its STEP header, without buildah's echoes. */
function stepOutput(log: readonly string[]): string[] {
  let start = 0;
  for (let i = log.length - 1; i >= 0; i--) {
    if (STEP_HEADER.test(log[i]!)) {
      start = i;
      break;
    }
  }
  return log
    .slice(start)
    .filter((l) => l.trim() && !l.startsWith("academy-build: ") && !/^subprocess exited with status/.test(l) && !/level=error msg="\+\(UNHANDLED/.test(l))
    .slice(-15);
}

function minutes(seconds: number): string {
  return seconds % 60 === 0 ? `${seconds / 60} minute${seconds === 60 ? "" : "s"}` : `${seconds} seconds`;
}

function parseResult(message: string | null): { ok: boolean; reason?: string; message?: string; digest?: string; buildSeconds?: number } | null {
  if (!message) return null;
  try {
    const value = JSON.parse(message) as unknown;
    return value && typeof value === "object" && "ok" in value ? (value as { ok: boolean }) : null;
  } catch {
    return null;
  }
}

export function buildOutcome(observed: BuildObservation, dockerfile: string, limits: BuildLimitsInWords): BuildOutcome {
  const log = observed.logTail;
  const step = lastStep(log);
  const line = step ? dockerfileLine(dockerfile, step) : undefined;
  const at = step ? ` at \`${normalise(step.text).slice(0, 120)}\`${line ? ` (Dockerfile line ${line})` : ""}` : "";
  const withLine = (f: Omit<BuildFailure, "ok" | "line">): BuildFailure => (line ? { ok: false, ...f, line } : { ok: false, ...f });

  if (observed.jobFailedReason === "DeadlineExceeded" || observed.podReason === "DeadlineExceeded") {
    return withLine({
      reason: "deadline",
      error:
        `The build ran for more than ${minutes(limits.deadlineSeconds)} and was stopped${at}. A step that never ends (a sleep, a ` +
        "server started in RUN, a command waiting for input) keeps the build from finishing: start servers in CMD, not RUN.",
      details: stepOutput(log),
    });
  }
  if (observed.containerReason === "OOMKilled") {
    return withLine({
      reason: "out-of-memory",
      error: `The build used more than its ${limits.memory} of memory and was stopped${at}. Install fewer packages in one step, or use smaller ones.`,
      details: stepOutput(log),
    });
  }
  const result = parseResult(observed.terminationMessage);
  const diskWords = /ephemeral|emptydir|storage|disk/i;
  if (
    result?.reason === "disk" ||
    (observed.podReason === "Evicted" && diskWords.test(observed.podMessage ?? "")) ||
    log.some((l) => /no space left on device/i.test(l))
  ) {
    const writer = lastWritingStep(log);
    const writerLine = writer ? dockerfileLine(dockerfile, writer) : undefined;
    const atWriter = writer ? ` at \`${normalise(writer.text).slice(0, 120)}\`${writerLine ? ` (Dockerfile line ${writerLine})` : ""}` : "";
    return {
      ok: false,
      ...(writerLine ? { line: writerLine } : {}),
      reason: "disk-full",
      error:
        `The build filled its ${limits.storage} of disk and was stopped${atWriter}. Keep large files out of the image (.dockerignore, ` +
        "`pip install --no-cache-dir`, one RUN that downloads and deletes).",
      details: stepOutput(log).filter((l) => !l.startsWith("academy-build: ")),
    };
  }

  if (result?.ok && result.digest) return { ok: true, digest: result.digest, buildSeconds: result.buildSeconds ?? null };
  const errorLine = [...log].reverse().find((l) => STEP_ERROR.test(l));
  const lastError = [...log].reverse().find((l) => /^(Error|error):/.test(l));
  if (result?.reason === "pull") {
    return {
      ok: false,
      reason: "base-image",
      error: `${result.message ?? "A base image could not be pulled"}. Builds have no internet: use a base image the platform provides, such as python:3.11.2-slim-bookworm or python:3.11-slim.`,
      details: log.filter((l) => /^Error|manifest unknown/i.test(l)).slice(-3),
    };
  }
  if (result?.reason === "dockerfile" || result?.reason === "context") {
    return { ok: false, reason: "dockerfile", error: `${result.message ?? "The Dockerfile could not be read"}.`, details: [] };
  }
  if (result?.reason === "push") {
    return { ok: false, reason: "push", error: "The image was built but could not be stored in the registry. Try again in a minute.", details: log.slice(-5) };
  }
  if (result?.reason === "build" || errorLine) {
    const m = errorLine ? STEP_ERROR.exec(errorLine) : null;
    const why = m ? m[2]!.replace(/&imagebuilder\.Step\{.*$/, "").trim() : (lastError?.replace(/^(Error|error):\s*/, "") ?? "buildah stopped with an error");
    const failing = m ? normalise(m[1]!) : step ? normalise(step.text) : null;
    return withLine({
      reason: "step-failed",
      error: `${failing ? `\`${failing.slice(0, 120)}\`` : "A step"}${line ? ` (Dockerfile line ${line})` : ""} failed: ${why}`,
      details: stepOutput(log),
    });
  }
  return withLine({
    reason: "unknown",
    error: `The build stopped without a result${observed.exitCode !== null ? ` (exit code ${observed.exitCode})` : ""}${at}. Try again; if it keeps happening, tell your instructor.`,
    details: log.slice(-5),
  });
}
