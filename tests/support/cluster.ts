// Helpers for `*.cluster.test.ts`: the kubeconfig from the global setup, a client on it, and
// names unique to one test run so tests on a shared cluster never see each other's sandboxes.
import { randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import { inject } from "vitest";
import type { Database } from "@/lib/db/client";
import { users } from "@/lib/db/schema";
import { createKubeClient, type KubeClient } from "@/lib/k8s/client";

/** The test cluster's kubeconfig; throws (so the test fails) when there is no cluster. */
export function testKubeconfig(): string {
  const error = inject("academyClusterError");
  if (error) throw new Error(error);
  const path = inject("academyKubeconfig") || process.env.ACADEMY_TEST_KUBECONFIG;
  if (!path) {
    throw new Error(
      "No Kubernetes cluster for the cluster tests: ACADEMY_TEST_KUBECONFIG is not set and the global setup " +
        "(tests/support/cluster-setup.ts) did not run. Run them with `vitest run`, which uses vitest.config.ts.",
    );
  }
  if (!fs.existsSync(path)) {
    throw new Error(
      `No Kubernetes cluster for the cluster tests: the kubeconfig ${path} (ACADEMY_TEST_KUBECONFIG) does not exist. ` +
        "Unset ACADEMY_TEST_KUBECONFIG to use the local control plane, or point it at a running cluster's kubeconfig.",
    );
  }
  return path;
}

export function testCluster(): KubeClient {
  return createKubeClient(testKubeconfig());
}

/** An installation id of its own, so reconcile in one test never touches another run's namespaces. */
export function testInstallation(prefix = "t"): string {
  return `${prefix}-${randomBytes(5).toString("hex")}`;
}

/** Learner accounts without passwords (hashing 50 scrypt passwords would only slow tests down). */
export async function createLearners(db: Database, count: number): Promise<Array<{ id: string }>> {
  const tag = randomBytes(4).toString("hex");
  const rows = Array.from({ length: count }, (_, i) => ({
    id: randomUUID(),
    email: `learner-${tag}-${i}@example.com`,
    name: `Learner ${i}`,
  }));
  await db.insert(users).values(rows);
  return rows.map(({ id }) => ({ id }));
}
