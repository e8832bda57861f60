import { getCurrentUser } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { crossOriginProblem } from "@/lib/http/json-body";
import { SERVER_ERROR, reportServerError } from "@/lib/http/server-error";
import { getLab } from "@/lib/labs/registry";
import { retryAfterHeaders } from "@/lib/rate-limit/limits";
import { syncWorkspaceFiles } from "@/lib/workspace";
import type { WorkspaceSyncView } from "@/lib/workspace/views";

export const dynamic = "force-dynamic";

const NO_STORE = { "cache-control": "no-store" };

/**
 * Brings the lab files changed in the learner's terminal into their saved files (new revisions
 * marked "terminal") and answers with what was imported, for the editor to show. The lab page
 * calls it every few seconds while the terminal is open and the tab visible. No body.
 */
export async function POST(request: Request, { params }: { params: Promise<{ labId: string }> }) {
  const user = await getCurrentUser();
  if (!user) return Response.json({ ok: false, code: "unauthenticated", error: "Sign in to use the terminal." }, { status: 401, headers: NO_STORE });
  const crossOrigin = crossOriginProblem(request);
  if (crossOrigin) return Response.json(crossOrigin, { status: 403, headers: NO_STORE });
  const lab = getLab((await params).labId);
  if (!lab || !lab.sandbox) return Response.json({ ok: false, code: "not-found", error: "This lab has no lab environment." }, { status: 404, headers: NO_STORE });
  try {
    const result = await syncWorkspaceFiles(await getDb(), user, lab.id);
    if (result.ok) {
      const view: WorkspaceSyncView = { ok: true, running: result.running, imported: result.imported, problems: result.problems };
      return Response.json(view, { headers: NO_STORE });
    }
    if (result.code === "rate-limited") return Response.json(result, { status: 429, headers: { ...NO_STORE, ...retryAfterHeaders(result) } });
    const status = result.code === "no-sandbox" || result.code === "not-found" || result.code === "no-workspace" ? 404 : result.code === "not-ready" || result.code === "assessment-closed" ? 409 : 503;
    return Response.json(result, { status, headers: NO_STORE });
  } catch (error) {
    const { requestId, error: words } = reportServerError(SERVER_ERROR, "workspace sync: importing the terminal's files failed", error);
    return Response.json({ ok: false, code: "server-error", error: words, requestId }, { status: 500, headers: { ...NO_STORE, "x-request-id": requestId } });
  }
}
