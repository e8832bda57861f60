import { getCurrentUser } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { retryAfterHeaders } from "@/lib/rate-limit/limits";
import { labKubeconfig } from "@/lib/workspace";

export const dynamic = "force-dynamic";

/** A short-lived kubeconfig for the learner's own namespace, usable with kubectl. */
export async function GET(_request: Request, { params }: { params: Promise<{ labId: string }> }) {
  const user = await getCurrentUser();
  if (!user) return new Response("Sign in first.\n", { status: 401 });
  const result = await labKubeconfig(await getDb(), user, (await params).labId);
  if (!result.ok) {
    if (result.code === "rate-limited") return new Response(`${result.error}\n`, { status: 429, headers: retryAfterHeaders(result) });
    const status = result.code === "no-sandbox" ? 404 : result.code === "cluster-unreachable" ? 503 : 409;
    return new Response(`${result.error}\n`, { status });
  }
  return new Response(result.kubeconfig, {
    headers: {
      "content-type": "application/yaml; charset=utf-8",
      "content-disposition": `attachment; filename="${result.fileName}"`,
      "cache-control": "no-store",
    },
  });
}
