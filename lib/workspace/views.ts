// The shapes the lab page's client components receive: plain JSON (dates as ISO strings), and the
// events its two streaming routes send. Types and pure mappers only, so client code may import it.
import type { AttemptDTO } from "@/lib/grading/attempts";
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
  | { type: "check"; index: number; total: number; result: AttemptView["results"][number] }
  | { type: "done"; attempt: AttemptView }
  | StreamError;
