// The CSV of every candidate of an assessment (lib/assessments/candidates.ts candidatesCsv): one
// row each, per-lab and per-check columns. The library checks the role and the organisation.
import { candidatesCsv } from "@/lib/assessments/candidates";
import { ForbiddenError } from "@/lib/auth/authorize";
import { getCurrentUser } from "@/lib/auth/session";
import { getDb } from "@/lib/db";

export const dynamic = "force-dynamic";

export async function GET(_request: Request, { params }: { params: Promise<{ assessmentId: string }> }) {
  const user = await getCurrentUser();
  if (!user) return new Response("Sign in first.\n", { status: 401 });
  const { assessmentId } = await params;
  try {
    const result = await candidatesCsv(await getDb(), user, assessmentId);
    if (!result.ok) return new Response(`${result.error}\n`, { status: result.code === "not-found" ? 404 : 403 });
    const day = new Date().toISOString().slice(0, 10);
    return new Response(result.csv, {
      headers: {
        "content-type": "text/csv; charset=utf-8",
        "content-disposition": `attachment; filename="candidates-${day}.csv"`,
        "cache-control": "no-store",
      },
    });
  } catch (error) {
    if (error instanceof ForbiddenError) return new Response(`${error.message}\n`, { status: 403 });
    throw error;
  }
}
