import { getDatabaseHandle } from "@/lib/db";

export const dynamic = "force-dynamic";

/** Liveness and readiness: 200 when the database answers, 503 with the reason when it does not. */
export async function GET() {
  try {
    const handle = await getDatabaseHandle();
    return Response.json({ ok: true, database: handle.kind });
  } catch (error) {
    return Response.json({ ok: false, error: error instanceof Error ? error.message : String(error) }, { status: 503 });
  }
}
