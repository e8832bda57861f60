import { z } from "zod";
import { getCurrentUser } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { jsonBodyRefusal, readJsonBody } from "@/lib/http/json-body";
import { ndjsonResponse } from "@/lib/http/ndjson";
import { getLab } from "@/lib/labs/registry";
import { retryAfterHeaders } from "@/lib/rate-limit/limits";
import { beginLabSandboxChange } from "@/lib/workspace";
import { sandboxView, type SandboxEvent } from "@/lib/workspace/views";

export const dynamic = "force-dynamic";

const BodySchema = z.object({ action: z.enum(["start", "reset", "stop"]) });

/**
 * Starts (or resumes), resets or stops the learner's sandbox for a lab, streaming progress in words.
 * A change the learner's rate limit refuses is a 429 with `Retry-After`, before any stream starts.
 */
export async function POST(request: Request, { params }: { params: Promise<{ labId: string }> }) {
  const user = await getCurrentUser();
  if (!user) return Response.json({ error: "Sign in to use a lab environment." }, { status: 401 });
  const lab = getLab((await params).labId);
  if (!lab || !lab.sandbox) return Response.json({ error: "This lab has no lab environment." }, { status: 404 });
  const body = await readJsonBody(request, BodySchema, { maxBytes: 1024, invalid: "Unknown action: send start, reset or stop." });
  if (!body.ok) return jsonBodyRefusal(body);
  const change = await beginLabSandboxChange(await getDb(), user, lab.id, body.data.action);
  if (!change.ok) {
    if (change.code === "rate-limited") return Response.json(change, { status: 429, headers: retryAfterHeaders(change) });
    return Response.json(change, { status: change.code === "not-found" || change.code === "no-sandbox" ? 404 : 409 });
  }

  return ndjsonResponse<SandboxEvent>(async (emit) => {
    const result = await change.run((step) => emit({ type: "progress", step }));
    if (result.ok) emit({ type: "done", sandbox: result.sandbox ? sandboxView(result.sandbox) : null });
    else emit({ type: "error", error: result.error, code: result.code });
  });
}
