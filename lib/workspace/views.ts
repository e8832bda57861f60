// The shapes the lab page's client components receive: plain JSON (dates as ISO strings), and the
// events its two streaming routes send. Types and pure mappers only, so client code may import it.
import type { AttemptDTO } from "@/lib/grading/attempts";
import type { CheckWaiting } from "@/lib/grading/waiting";
import type { SandboxDTO } from "@/lib/sandbox/queries";

/** What GET /api/labs/[labId]/workloads answers with (built in lib/sandbox/workloads-view-model.ts). */
export type {
  ContainerView,
  EventView,
  LogView,
  PodView,
  WorkloadProblemView,
  WorkloadsView,
} from "@/lib/sandbox/workloads-view-model";

export type SandboxView = {
  id: string;
  namespace: string;
  state: SandboxDTO["state"];
  error: string | null;
  createdAt: string;
  readyAt: string | null;
  expiresAt: string;
};

export function sandboxView(sandbox: SandboxDTO): SandboxView {
  return {
    id: sandbox.id,
    namespace: sandbox.namespace,
    state: sandbox.state,
    error: sandbox.error,
    createdAt: sandbox.createdAt.toISOString(),
    readyAt: sandbox.readyAt?.toISOString() ?? null,
    expiresAt: sandbox.expiresAt.toISOString(),
  };
}

export type AttemptView = Omit<AttemptDTO, "createdAt"> & { createdAt: string };

export function attemptView(attempt: AttemptDTO): AttemptView {
  return { ...attempt, createdAt: attempt.createdAt.toISOString() };
}

/**
 * What an assessment lets its candidate see of their checks (decision 017); null for everyone
 * else. Applied on the server, to the page and to the check stream, so hidden results and hints
 * never reach the browser.
 */
export type ResultsPolicy = { showResults: boolean; showHints: boolean };

type CheckResultView = AttemptView["results"][number];

/** One check's result as the policy shows it: null when results are hidden, without hints when they are. */
export function resultForPolicy(result: CheckResultView, policy: ResultsPolicy | null): CheckResultView | null {
  if (!policy) return result;
  if (!policy.showResults) return null;
  if (policy.showHints || !result.hints) return result;
  const { hints: _hidden, ...rest } = result;
  return rest;
}

/** An attempt as the policy shows it: with results hidden, only that it was recorded (no score, no checks). */
export function attemptForPolicy(attempt: AttemptView, policy: ResultsPolicy | null): AttemptView {
  if (!policy) return attempt;
  if (!policy.showResults) return { ...attempt, score: 0, maxScore: 0, completed: false, results: [] };
  return { ...attempt, results: attempt.results.map((r) => resultForPolicy(r, policy)!) };
}

/**
 * The last event of a stream that failed: an expected failure with its code, or a server error
 * (code "server-error") with the request id under which it was logged.
 */
export type StreamError = { type: "error"; error: string; code?: string; requestId?: string };

/** Events of POST /api/labs/[labId]/sandbox. */
export type SandboxEvent =
  | { type: "progress"; step: string }
  | { type: "done"; sandbox: SandboxView | null }
  | StreamError;

/** Events of POST /api/labs/[labId]/check. */
export type CheckEvent =
  | { type: "started"; checks: Array<{ id: string; title: string; points: number }> }
  /** A check that waits (`waitFor`) has not passed yet and runs again; not sent when results are hidden. */
  | { type: "waiting"; index: number; total: number; waiting: CheckWaiting }
  | { type: "check"; index: number; total: number; result: AttemptView["results"][number] }
  /** After the checks: what is being prepared for the step the attempt unlocked (its setup objects). */
  | { type: "progress"; message: string }
  /** `setupError`: the attempt completed a step, but the next step's setup objects could not be applied. */
  | { type: "done"; attempt: AttemptView; setupError?: string }
  | StreamError;

/** Events of POST /api/labs/[labId]/workspace: progress, then the pod the terminal attaches to. */
export type WorkspaceEvent =
  | { type: "progress"; step: string }
  | { type: "done"; workspace: { namespace: string; pod: string; container: string } }
  | StreamError;

/** What POST /api/labs/[labId]/workspace/sync answers: files the terminal changed, now saved revisions. */
export type WorkspaceSyncView = {
  ok: true;
  /** false: no terminal runs, so there was nothing to bring. */
  running: boolean;
  imported: Array<{ path: string; revision: number; content: string }>;
  /** Changed files that were not brought in, in words (too large, read-only, not text). */
  problems: string[];
};
