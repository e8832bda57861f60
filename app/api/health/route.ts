import { getDatabaseHandle } from "@/lib/db";
import { reportServerError } from "@/lib/http/server-error";

export const dynamic = "force-dynamic";

/**
 * Liveness and readiness: 200 when the database answers, 503 when it does not. Anyone can ask,
 * so the reason (which may name the data directory or the database server) goes to the log,
 * under the request id the answer carries.
 */
export async function GET() {
  try {
    const handle = await getDatabaseHandle();
    return Response.json({ ok: true, database: handle.kind });
  } catch (error) {
    const { requestId, error: words } = reportServerError("The database is not available.", "health check: the database cannot be opened", error);
    return Response.json({ ok: false, error: words, requestId }, { status: 503, headers: { "x-request-id": requestId } });
  }
}
