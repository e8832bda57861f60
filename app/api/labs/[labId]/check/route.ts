import { candidateResultsPolicy } from "@/lib/assessments/gate";
import { getCurrentUser } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { z } from "zod";
import { jsonBodyRefusal, readJsonBody } from "@/lib/http/json-body";
import { ndjsonResponse } from "@/lib/http/ndjson";
import { getLab } from "@/lib/labs/registry";
import { checkLab } from "@/lib/workspace";
import { attemptForPolicy, attemptView, resultForPolicy, type CheckEvent } from "@/lib/workspace/views";

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
  // An assessment candidate sees results and hints only as the assessment allows (null: everyone else).
  const policy = await candidateResultsPolicy(db, user);
  return ndjsonResponse<CheckEvent>(async (emit) => {
    const result = await checkLab(db, user, lab.id, (event) => {
      if (event.type === "started") emit({ type: "started", checks: event.checks });
      // What a waiting check found so far is a result: shown only where results are.
      else if (event.type === "waiting") {
        if (!policy || policy.showResults) emit({ type: "waiting", index: event.index, total: event.total, waiting: event.waiting });
      } else if (event.type === "check") {
        const shown = resultForPolicy(event.result, policy);
        if (shown) emit({ type: "check", index: event.index, total: event.total, result: shown });
      } else if (event.type === "progress") emit({ type: "progress", message: event.message });
    });
    if (result.ok) emit({ type: "done", attempt: attemptForPolicy(attemptView(result.attempt), policy), ...("setupError" in result && result.setupError ? { setupError: result.setupError } : {}) });
    else emit({ type: "error", error: result.error, code: result.code });
  });
}
