// Keeps the cluster and the database in step while the server runs: at start-up and then every
// minute, reconcile (delete namespaces nobody owns, mark records whose namespace vanished) and
// reap (delete expired and idle sandboxes). A cluster that is not there yet is not an error here:
// the next round tries again.
import "server-only";
import { getDb } from "@/lib/db";
import { ClusterUnreachable } from "@/lib/k8s/client";
import { reap, reconcile } from "./service";

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
