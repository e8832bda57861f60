import { getCurrentUser } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { crossOriginProblem } from "@/lib/http/json-body";
import { ndjsonResponse } from "@/lib/http/ndjson";
import { getLab } from "@/lib/labs/registry";
import { labWorkspace } from "@/lib/workspace";
import type { WorkspaceEvent } from "@/lib/workspace/views";

export const dynamic = "force-dynamic";

/**
 * Makes sure the learner's terminal (the workspace pod of their sandbox for this lab) runs with
 * the lab files in it, streaming progress in words; the last event names the pod the terminal
 * attaches to. No body: the lab and the sandbox come from the URL and the session.
 */
export async function POST(request: Request, { params }: { params: Promise<{ labId: string }> }) {
  const user = await getCurrentUser();
  if (!user) return Response.json({ ok: false, code: "unauthenticated", error: "Sign in to use the terminal." }, { status: 401 });
  const crossOrigin = crossOriginProblem(request);
  if (crossOrigin) return Response.json(crossOrigin, { status: 403 });
  const lab = getLab((await params).labId);
  if (!lab || !lab.sandbox) return Response.json({ ok: false, code: "not-found", error: "This lab has no lab environment." }, { status: 404 });
  const db = await getDb();
  return ndjsonResponse<WorkspaceEvent>(async (emit) => {
    const result = await labWorkspace(db, user, lab.id, {}, { onProgress: (step) => emit({ type: "progress", step }) });
    if (result.ok) emit({ type: "done", workspace: { namespace: result.namespace, pod: result.pod, container: result.container } });
    else emit({ type: "error", error: result.error, code: result.code });
  });
}
