// The shapes the lab page's client components receive: plain JSON (dates as ISO strings).
import type { AttemptDTO } from "@/lib/grading/attempts";
import type { SandboxDTO } from "@/lib/sandbox/service";

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

/** Events of POST /api/labs/[labId]/sandbox. */
export type SandboxEvent =
  | { type: "progress"; step: string }
  | { type: "done"; sandbox: SandboxView | null }
  | { type: "error"; error: string; code?: string };

/** Events of POST /api/labs/[labId]/check. */
export type CheckEvent =
  | { type: "started"; checks: Array<{ id: string; title: string; points: number }> }
  | { type: "check"; index: number; total: number; result: AttemptView["results"][number] }
  | { type: "done"; attempt: AttemptView }
  | { type: "error"; error: string; code?: string };
