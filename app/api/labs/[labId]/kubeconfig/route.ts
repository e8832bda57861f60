import { getCurrentUser } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { sandboxForLab } from "@/lib/labs/workspace";
import { learnerKubeconfig } from "@/lib/sandbox/service";

export const dynamic = "force-dynamic";

/** A short-lived kubeconfig for the learner's own namespace, usable with kubectl. */
export async function GET(_request: Request, { params }: { params: Promise<{ labId: string }> }) {
  const user = await getCurrentUser();
  if (!user) return new Response("Sign in first.\n", { status: 401 });
  const db = await getDb();
  const { labId } = await params;
  const sandbox = await sandboxForLab(db, user, labId);
  if (!sandbox) return new Response("Start your lab environment first.\n", { status: 404 });
  const result = await learnerKubeconfig(db, user, sandbox.id);
  if (!result.ok) return new Response(`${result.error}\n`, { status: result.code === "cluster-unreachable" ? 503 : 409 });
  return new Response(result.kubeconfig, {
    headers: {
      "content-type": "application/yaml; charset=utf-8",
      "content-disposition": `attachment; filename="${sandbox.namespace}.kubeconfig"`,
      "cache-control": "no-store",
    },
  });
}
