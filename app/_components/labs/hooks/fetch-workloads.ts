// One read of the learner's workloads (GET /api/labs/[labId]/workloads) as a returned value:
// the view, or why there is none in words. Never throws, so the polling hook stays simple.
import type { WorkloadsView } from "@/lib/workspace/views";

export type WorkloadsAnswer =
  | { ok: true; view: WorkloadsView }
  /** `code` is the server's (not-ready, no-sandbox, cluster-unreachable, …), or "lost" when no answer came. */
  | { ok: false; code: string; error: string };

export async function fetchWorkloads(labId: string, options: { signal?: AbortSignal; fetch?: typeof fetch } = {}): Promise<WorkloadsAnswer> {
  const fetchImpl = options.fetch ?? fetch;
  try {
    const response = await fetchImpl(`/api/labs/${encodeURIComponent(labId)}/workloads`, { cache: "no-store", signal: options.signal });
    const answer = (await response.json().catch(() => null)) as { ok?: unknown; view?: WorkloadsView; code?: unknown; error?: unknown } | null;
    if (response.ok && answer?.ok === true && answer.view) return { ok: true, view: answer.view };
    return {
      ok: false,
      code: typeof answer?.code === "string" ? answer.code : "failed",
      error: typeof answer?.error === "string" ? answer.error : `The server answered ${response.status}.`,
    };
  } catch {
    return { ok: false, code: "lost", error: "Lost the connection to the server; your workloads show again when it is back." };
  }
}
