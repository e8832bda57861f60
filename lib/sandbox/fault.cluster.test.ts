// Fault test on the real local control plane: the API server is killed (SIGKILL) while learners'
// sandboxes are being provisioned, then started again. Starts must fail with a clear error (no
// exception, no hang), and once the API server is back, reconcile must leave nothing half-built.
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { clusterOptionsFromEnv, localClusterStatus, startLocalCluster } from "@/tools/local-cluster";
import type { DatabaseHandle } from "@/lib/db/client";
import { sandboxes } from "@/lib/db/schema";
import { createKubeClient, type KubeClient } from "@/lib/k8s/client";
import { createLearners, testInstallation, testKubeconfig } from "@/tests/support/cluster";
import { openTestDatabase } from "@/tests/support/databases";
import { installationSelector } from "./manifests";
import { startSandbox } from "./lifecycle";
import type { SandboxDeps, SandboxResult } from "./results";
import { reconcile, uninstall } from "./upkeep";

let handle: DatabaseHandle;
let deps: SandboxDeps;
const options = clusterOptionsFromEnv();

function freshClient(): KubeClient {
  // A new connection pool: sockets to the killed API server are not reused.
  return createKubeClient(testKubeconfig());
}

async function ourNamespaces(client: KubeClient): Promise<string[]> {
  const list = await client.list("v1", "Namespace", {
    labelSelector: installationSelector(deps.installation!),
  });
  return list.filter((n) => !(n as { metadata: { deletionTimestamp?: string } }).metadata.deletionTimestamp).map((n) => n.metadata.name);
}

beforeAll(async () => {
  const status = await localClusterStatus(options);
  if (path.resolve(status.kubeconfigPath) !== path.resolve(testKubeconfig()) || !status.healthy) {
    throw new Error(
      "The fault test kills and restarts the API server, so it needs the local control plane " +
        `(${status.kubeconfigPath}); ACADEMY_TEST_KUBECONFIG points at ${testKubeconfig()}. Unset it to run this test.`,
    );
  }
  deps = { installation: testInstallation("fault"), terminationTimeoutMs: 90_000 };
  handle = await openTestDatabase("pglite");
});

afterAll(async () => {
  if (deps) {
    await uninstall(freshClient(), deps.installation!).catch(() => undefined);
  }
  await handle?.close();
});

test("the API server dies during provisioning: starts fail clearly, and after a restart nothing is left half-built", { timeout: 300_000 }, async () => {
  const learners = await createLearners(handle.db, 12);
  const apiserver = (await localClusterStatus(options)).components.find((c) => c.name === "kube-apiserver");
  expect(apiserver?.pid).toBeTruthy();

  const client = freshClient();
  const starts: Array<Promise<SandboxResult>> = learners.map((learner, i) =>
    startSandbox(handle.db, learner, { labId: `fault-lab-${i}` }, () => {}, { ...deps, cluster: client }),
  );
  // Let some starts get their namespace before the API server goes.
  await new Promise((resolve) => setTimeout(resolve, 250));
  process.kill(apiserver!.pid!, "SIGKILL");

  const results = await Promise.all(starts);
  const failed = results.filter((r) => !r.ok);
  expect(failed.length).toBeGreaterThan(0);
  for (const result of failed) {
    expect(result).toMatchObject({ ok: false, code: "cluster-unreachable" });
    expect(!result.ok && result.error).toMatch(/cannot be reached/);
  }

  // Back up: the start command brings the missing API server back, reusing etcd and its data.
  const restarted = await startLocalCluster(options);
  expect(fs.existsSync(restarted.kubeconfigPath)).toBe(true);

  const after = freshClient();
  const outcome = await reconcile(handle.db, { ...deps, cluster: after });
  const rows = await handle.db.select().from(sandboxes);
  const readyNamespaces = rows.filter((r) => r.state === "ready").map((r) => r.namespace);
  // Every failed start is either cleaned up now or was never created.
  for (const row of rows.filter((r) => r.state !== "ready")) {
    expect(["failed", "gone"]).toContain(row.state);
  }
  // Converged: the only namespaces of this installation still alive belong to ready sandboxes.
  const deadline = Date.now() + 120_000;
  let alive = await ourNamespaces(after);
  while (alive.some((n) => !readyNamespaces.includes(n)) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    alive = await ourNamespaces(after);
  }
  expect(alive.sort()).toEqual([...readyNamespaces].sort());
  // Whatever a killed start left behind (a namespace, a record) was found by reconcile or marked failed by its start.
  expect(outcome.markedGone.filter((id) => rows.some((r) => r.id === id && r.state === "ready"))).toEqual([]);

  // And the platform works again: a new start succeeds.
  const [late] = await createLearners(handle.db, 1);
  const again = await startSandbox(handle.db, late!, { labId: "fault-after" }, () => {}, { ...deps, cluster: after });
  expect(again).toMatchObject({ ok: true, sandbox: { state: "ready" } });
});
