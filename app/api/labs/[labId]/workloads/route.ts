import { getCurrentUser } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { SERVER_ERROR, reportServerError } from "@/lib/http/server-error";
import { getLab } from "@/lib/labs/registry";
import { retryAfterHeaders } from "@/lib/rate-limit/limits";
import { labWorkloads } from "@/lib/workspace";

export const dynamic = "force-dynamic";

const NO_STORE = { "cache-control": "no-store" };

/**
 * The learner's pods in their sandbox for this lab (status, restarts, events, last log lines and
 * what is wrong, in words), for the lab page's Workloads panel, which asks every few seconds.
 * The namespace comes from the learner's own sandbox, never from the request.
 */
export async function GET(_request: Request, { params }: { params: Promise<{ labId: string }> }) {
  const user = await getCurrentUser();
  if (!user) return Response.json({ ok: false, code: "unauthenticated", error: "Sign in to see your workloads." }, { status: 401, headers: NO_STORE });
  const lab = getLab((await params).labId);
  if (!lab || !lab.sandbox) return Response.json({ ok: false, code: "not-found", error: "This lab has no lab environment." }, { status: 404, headers: NO_STORE });
  try {
    const result = await labWorkloads(await getDb(), user, lab.id);
    if (result.ok) return Response.json(result, { headers: NO_STORE });
    if (result.code === "rate-limited") return Response.json(result, { status: 429, headers: { ...NO_STORE, ...retryAfterHeaders(result) } });
    const status = result.code === "no-sandbox" || result.code === "not-found" ? 404 : result.code === "not-ready" || result.code === "assessment-closed" ? 409 : 503;
    return Response.json(result, { status, headers: NO_STORE });
  } catch (error) {
    const { requestId, error: words } = reportServerError(SERVER_ERROR, "workloads: reading the learner's workloads failed", error);
    return Response.json({ ok: false, code: "server-error", error: words, requestId }, { status: 500, headers: { ...NO_STORE, "x-request-id": requestId } });
  }
}
