import { getCurrentUser } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { z } from "zod";
import { jsonBodyRefusal, readJsonBody } from "@/lib/http/json-body";
import { ndjsonResponse } from "@/lib/http/ndjson";
import { getLab } from "@/lib/labs/registry";
import { checkLab } from "@/lib/workspace";
import { attemptView, type CheckEvent } from "@/lib/workspace/views";

export const dynamic = "force-dynamic";

/** Grading takes no options: the body is `{}`, read like every JSON body (origin, type, size). */
const BodySchema = z.object({}).strict();

/** Grades the learner's saved files (and sandbox), streaming each check's result as it finishes. */
export async function POST(request: Request, { params }: { params: Promise<{ labId: string }> }) {
  const user = await getCurrentUser();
  if (!user) return Response.json({ error: "Sign in to check your work." }, { status: 401 });
  const lab = getLab((await params).labId);
  if (!lab) return Response.json({ error: "This lab does not exist." }, { status: 404 });
  const body = await readJsonBody(request, BodySchema, { maxBytes: 1024, invalid: "Grading takes no options; send {}." });
  if (!body.ok) return jsonBodyRefusal(body);
  const db = await getDb();
  return ndjsonResponse<CheckEvent>(async (emit) => {
    const result = await checkLab(db, user, lab.id, (event) => {
      if (event.type === "started") emit({ type: "started", checks: event.checks });
      else if (event.type === "check") emit({ type: "check", index: event.index, total: event.total, result: event.result });
    });
    if (result.ok) emit({ type: "done", attempt: attemptView(result.attempt) });
    else emit({ type: "error", error: result.error, code: result.code });
  });
}
