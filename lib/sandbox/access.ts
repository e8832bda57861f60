// The preamble every action on one existing sandbox starts with: the sandbox must be the acting
// user's and in a state the action accepts (otherwise it is "not found", whoever asks), the action
// may refuse it for a reason of its own, and the cluster must be reachable.
import "server-only";
import type { ActingUser } from "@/lib/auth/acting-user";
import type { Database } from "@/lib/db/client";
import type { SandboxRow, SandboxState } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { ClusterUnreachable, adminClient, type KubeClient } from "@/lib/k8s/client";
import { isFailure } from "@/lib/result";
import { ownedSandbox } from "./queries";
import { clusterFailure, notFound, type SandboxDeps, type SandboxFailure } from "./results";

/** Resolves the cluster client, or a failure that says the cluster cannot be reached. */
export function clusterOf(deps: SandboxDeps): KubeClient | SandboxFailure {
  try {
    return deps.cluster ?? adminClient();
  } catch (error) {
    if (error instanceof ClusterUnreachable) return clusterFailure(error);
    throw error;
  }
}

/** Which Academy installation the sandboxes made here belong to. */
export function installationOf(deps: SandboxDeps): string {
  return deps.installation ?? env.ACADEMY_INSTALLATION_ID;
}

export type OwnedSandbox = { ok: true; row: SandboxRow; cluster: KubeClient };

/**
 * The user's sandbox `sandboxId` in one of `states`, with the cluster to act on it. `refuse` runs
 * before the cluster is asked for, so its failure wins over an unreachable cluster.
 */
export async function ownedSandboxOnCluster(
  db: Database,
  user: ActingUser,
  sandboxId: string,
  deps: SandboxDeps,
  options: { states: readonly SandboxState[]; refuse?: (row: SandboxRow) => SandboxFailure | null },
): Promise<OwnedSandbox | SandboxFailure> {
  const row = await ownedSandbox(db, user, sandboxId);
  if (!row || !options.states.includes(row.state)) return notFound();
  const refused = options.refuse?.(row);
  if (refused) return refused;
  const cluster = clusterOf(deps);
  if (isFailure(cluster)) return cluster;
  return { ok: true, row, cluster };
}
