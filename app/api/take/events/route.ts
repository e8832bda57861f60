import { recordCandidateEvents } from "@/lib/assessments/events";
import { RECORDING, RecordedEventsSchema } from "@/lib/assessments/schema";
import { getCurrentUser } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { jsonBodyRefusal, readJsonBody } from "@/lib/http/json-body";
import { SERVER_ERROR, reportServerError } from "@/lib/http/server-error";
import { retryAfterHeaders } from "@/lib/rate-limit/limits";

export const dynamic = "force-dynamic";

const NO_STORE = { "cache-control": "no-store" };
const STATUS = { forbidden: 403, "invalid-input": 400, "not-found": 404, "assessment-closed": 409 } as const;

/**
 * The candidate's recorder (decision 017, part 5): pastes, focus changes and active time, batched.
 * Only the candidate's hidden user is accepted (anyone else: 403); lib/assessments/events.ts
 * decides for its own invite only, with the assessment gate's rules and server-side clamping.
 */
export async function POST(request: Request) {
  const user = await getCurrentUser();
  if (!user) return Response.json({ ok: false, code: "unauthenticated", error: "Your assessment session has ended." }, { status: 401, headers: NO_STORE });
  const body = await readJsonBody(request, RecordedEventsSchema, { maxBytes: RECORDING.maxBodyBytes, invalid: "The recorded events do not have the expected fields; reload the page." });
  if (!body.ok) return jsonBodyRefusal(body);
  try {
    const result = await recordCandidateEvents(await getDb(), user, body.data);
    if (result.ok) return Response.json(result, { headers: NO_STORE });
    if (result.code === "rate-limited") return Response.json(result, { status: 429, headers: { ...NO_STORE, ...retryAfterHeaders(result) } });
    return Response.json(result, { status: STATUS[result.code], headers: NO_STORE });
  } catch (error) {
    const { requestId, error: words } = reportServerError(SERVER_ERROR, "assessment events: storing the candidate's recorded events failed", error);
    return Response.json({ ok: false, code: "server-error", error: words, requestId }, { status: 500, headers: { ...NO_STORE, "x-request-id": requestId } });
  }
}
