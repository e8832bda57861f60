// Background work that keeps the cluster and the database in step: `reap` deletes expired and
// idle sandboxes, `reconcile` deletes namespaces nobody owns and marks records whose namespace
// vanished or whose start was interrupted. While the server runs, `startSandboxUpkeep` does both
// at start-up and then every minute; a cluster that is not there yet is not an error here, the
// next round tries again.
import "server-only";
import { and, eq, inArray, lt, lte, or, sql } from "drizzle-orm";
import { getDb } from "@/lib/db";
import type { Database } from "@/lib/db/client";
import { sandboxes } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { ClusterUnreachable, adminClient, type KubeClient } from "@/lib/k8s/client";
import { installationOf } from "./access";
import { DEFAULT_TERMINATION_TIMEOUT_MS, teardown } from "./lifecycle";
import { installationSelector } from "./manifests";
import { removeClusterPolicies } from "./policies";
import { LIVE_STATES, updateSandbox } from "./queries";
import type { SandboxDeps } from "./results";

/** A start that has not finished after this long was interrupted (process died, cluster went away). */
const PROVISIONING_GRACE_MS = 5 * 60_000;

async function inBatches<T, R>(items: T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(size, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++]!;
        results.push(await work(item));
      }
    }),
  );
  return results;
}

export type ReapResult = { reaped: string[]; stuck: Array<{ namespace: string; detail: string }> };

/**
 * Deletes sandboxes past their expiry, or idle for longer than ACADEMY_SANDBOX_IDLE_MINUTES,
 * as of `now`. Run on a timer; safe to run concurrently with itself.
 */
export async function reap(db: Database, now: Date = new Date(), deps: SandboxDeps = {}): Promise<ReapResult> {
  const cluster = deps.cluster ?? adminClient();
  const idleBefore = new Date(now.getTime() - env.ACADEMY_SANDBOX_IDLE_MINUTES * 60_000);
  const due = await db
    .select()
    .from(sandboxes)
    .where(
      and(
        eq(sandboxes.state, "ready"),
        or(lte(sandboxes.expiresAt, now), lt(sandboxes.lastActivityAt, idleBefore)),
      ),
    );
  const result: ReapResult = { reaped: [], stuck: [] };
  await inBatches(due, 16, async (row) => {
    const why = row.expiresAt <= now ? "The sandbox expired." : "The sandbox was idle for too long.";
    const outcome = await teardown(db, cluster, row, deps.terminationTimeoutMs ?? DEFAULT_TERMINATION_TIMEOUT_MS, why);
    if (outcome.gone) result.reaped.push(row.namespace);
    else result.stuck.push({ namespace: row.namespace, detail: outcome.detail });
  });
  return result;
}

export type ReconcileResult = { deletedNamespaces: string[]; markedGone: string[]; markedFailed: string[] };

/**
 * Brings the database and the cluster back in step, e.g. after the cluster was unreachable:
 * a namespace of this installation without a live record is deleted; a live record whose
 * namespace is missing is marked gone; a start that never finished is marked failed.
 */
export async function reconcile(db: Database, deps: SandboxDeps = {}, now: Date = new Date()): Promise<ReconcileResult> {
  const cluster = deps.cluster ?? adminClient();
  const namespaces = await cluster.list("v1", "Namespace", { labelSelector: installationSelector(installationOf(deps)) });
  const onCluster = new Map(namespaces.map((n) => [n.metadata.name, n]));
  const result: ReconcileResult = { deletedNamespaces: [], markedGone: [], markedFailed: [] };

  const interruptedBefore = new Date(now.getTime() - PROVISIONING_GRACE_MS);
  const interrupted = await db
    .update(sandboxes)
    .set({ state: "failed", error: "Starting the sandbox was interrupted. Start the lab again." })
    .where(and(eq(sandboxes.state, "provisioning"), lt(sandboxes.createdAt, interruptedBefore)))
    .returning({ namespace: sandboxes.namespace });
  result.markedFailed.push(...interrupted.map((r) => r.namespace));

  const names = [...onCluster.keys()];
  const tracked = await db
    .select()
    .from(sandboxes)
    .where(or(inArray(sandboxes.state, ["provisioning", "ready", "deleting"]), names.length ? inArray(sandboxes.namespace, names) : sql`false`));
  const byNamespace = new Map(tracked.map((r) => [r.namespace, r]));

  for (const [name, ns] of onCluster) {
    const row = byNamespace.get(name);
    if (row && LIVE_STATES.includes(row.state)) continue;
    if (!(ns.metadata as { deletionTimestamp?: string }).deletionTimestamp) {
      await cluster.remove({ apiVersion: "v1", kind: "Namespace", name });
      result.deletedNamespaces.push(name);
    }
  }
  for (const row of tracked) {
    if (onCluster.has(row.namespace) || row.state === "gone" || row.state === "failed") continue;
    // A start in progress may not have created its namespace yet.
    if (row.state === "provisioning" && row.createdAt >= interruptedBefore) continue;
    await updateSandbox(db, row.id, {
      state: "gone",
      deletedAt: now,
      error: row.state === "deleting" ? row.error : "The sandbox's namespace no longer exists.",
    });
    result.markedGone.push(row.namespace);
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// On a timer while the server runs

const globalForUpkeep = globalThis as unknown as { academyUpkeep?: NodeJS.Timeout };

async function round(): Promise<void> {
  try {
    const db = await getDb();
    const reconciled = await reconcile(db);
    const reaped = await reap(db);
    const changed = reconciled.deletedNamespaces.length + reconciled.markedGone.length + reaped.reaped.length;
    if (changed > 0) {
      console.log(
        `sandbox upkeep: deleted ${reconciled.deletedNamespaces.length} ownerless namespaces, marked ${reconciled.markedGone.length} records gone, reaped ${reaped.reaped.length} expired sandboxes`,
      );
    }
    for (const stuck of reaped.stuck) console.warn(`sandbox upkeep: ${stuck.namespace} is stuck terminating: ${stuck.detail}`);
  } catch (error) {
    if (error instanceof ClusterUnreachable) return;
    console.error("sandbox upkeep failed:", error);
  }
}

export function startSandboxUpkeep(intervalMs = 60_000): void {
  if (globalForUpkeep.academyUpkeep) return;
  setTimeout(() => void round(), 2_000).unref();
  globalForUpkeep.academyUpkeep = setInterval(() => void round(), intervalMs);
  globalForUpkeep.academyUpkeep.unref();
}

/**
 * Removes everything one installation put on the cluster: its sandbox namespaces and its
 * cluster-wide admission policies. For an installation that is going away for good (a test run,
 * the lab self-test, a retired deployment); a live installation would re-create its policies
 * before its next sandbox.
 */
export async function uninstall(cluster: KubeClient, installation: string): Promise<{ namespaces: string[] }> {
  const left = await cluster.list("v1", "Namespace", { labelSelector: installationSelector(installation) });
  const namespaces = left.map((n) => n.metadata.name);
  await Promise.all(namespaces.map((name) => cluster.remove({ apiVersion: "v1", kind: "Namespace", name })));
  await removeClusterPolicies(cluster, installation);
  return { namespaces };
}
