// A kubeconfig for the learner's own kubectl. `buildLearnerKubeconfig` is pure (the file's text
// from a server, a CA and a token) and unit-tested; `learnerKubeconfig` is the thin part that asks
// the API server for a short-lived TokenRequest token for the sandbox's `learner` service account.
import "server-only";
import fs from "node:fs";
import { stringify } from "yaml";
import type { ActingUser } from "@/lib/auth/acting-user";
import type { Database } from "@/lib/db/client";
import type { KubeClient } from "@/lib/k8s/client";
import { ownedSandboxOnCluster } from "./access";
import { LEARNER_SERVICE_ACCOUNT } from "./manifests";
import { updateSandbox } from "./queries";
import { clusterFailure, type SandboxDeps, type SandboxFailure } from "./results";

export type LearnerKubeconfigSpec = {
  /** The API server's URL as the platform reaches it. */
  server: string;
  /** Base64 PEM of the CA that signed the API server's certificate, if the platform has one. */
  caData?: string;
  skipTLSVerify?: boolean;
  namespace: string;
  token: string;
};

/** One cluster, one user (the token) and one context whose default namespace is the sandbox. */
export function buildLearnerKubeconfig(spec: LearnerKubeconfigSpec): string {
  const name = `academy-${spec.namespace}`;
  const user = `learner@${spec.namespace}`;
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name,
        cluster: {
          server: spec.server,
          ...(spec.caData ? { "certificate-authority-data": spec.caData } : {}),
          ...(spec.skipTLSVerify ? { "insecure-skip-tls-verify": true } : {}),
        },
      },
    ],
    users: [{ name: user, user: { token: spec.token } }],
    contexts: [{ name, context: { cluster: name, user, namespace: spec.namespace } }],
    "current-context": name,
  });
}

/** The API server's lifetime bounds for a TokenRequest: at least 10 minutes, at most until the sandbox expires. */
export function tokenLifetimeSeconds(expiresAt: Date, requestedSeconds = 3600, now = Date.now()): number {
  const untilExpiry = Math.floor((expiresAt.getTime() - now) / 1000);
  // The API server's minimum token lifetime is 10 minutes.
  return Math.max(600, Math.min(requestedSeconds, untilExpiry));
}

/** How the platform itself trusts the API server, to hand the same trust to the learner. */
function trustOf(cluster: KubeClient): Pick<LearnerKubeconfigSpec, "caData" | "skipTLSVerify"> {
  const source = cluster.kubeConfig.getCurrentCluster()!;
  const caData = source.caData ?? (source.caFile ? fs.readFileSync(source.caFile).toString("base64") : undefined);
  return { caData, skipTLSVerify: source.skipTLSVerify };
}

export type KubeconfigResult = { ok: true; kubeconfig: string; expiresAt: Date } | SandboxFailure;

/**
 * A kubeconfig for the learner's own kubectl: a short-lived TokenRequest token for the
 * `learner` service account, scoped to the sandbox namespace; it expires with the sandbox at the latest.
 */
export async function learnerKubeconfig(
  db: Database,
  user: ActingUser,
  sandboxId: string,
  options: { ttlSeconds?: number } = {},
  deps: SandboxDeps = {},
): Promise<KubeconfigResult> {
  const owned = await ownedSandboxOnCluster(db, user, sandboxId, deps, { states: ["ready"] });
  if (!owned.ok) return owned;
  const { row, cluster } = owned;
  const expirationSeconds = tokenLifetimeSeconds(row.expiresAt, options.ttlSeconds);
  let token: { status: { token: string; expirationTimestamp: string } };
  try {
    token = await cluster.request("POST", `/api/v1/namespaces/${row.namespace}/serviceaccounts/${LEARNER_SERVICE_ACCOUNT}/token`, {
      body: { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { expirationSeconds } },
    });
  } catch (error) {
    return clusterFailure(error);
  }
  const kubeconfig = buildLearnerKubeconfig({ server: cluster.server, ...trustOf(cluster), namespace: row.namespace, token: token.status.token });
  await updateSandbox(db, row.id, { lastActivityAt: new Date() });
  return { ok: true, kubeconfig, expiresAt: new Date(token.status.expirationTimestamp) };
}
