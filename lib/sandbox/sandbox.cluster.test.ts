// The sandbox (lifecycle, learner apply, kubeconfig, upkeep) against the real local API server: start with progress, learner objects
// applied as the learner, reset, stop, expiry and the reaper, reconcile after a leak or an
// outage, the per-learner cap, and 50 learners starting at once.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import type { DatabaseHandle } from "@/lib/db/client";
import { sandboxes } from "@/lib/db/schema";
import { ClusterUnreachable, createKubeClient, type KubeClient, type KubeObject } from "@/lib/k8s/client";
import { openTestDatabase } from "@/tests/support/databases";
import { createLearners, testCluster, testInstallation, testKubeconfig } from "@/tests/support/cluster";
import { installationSelector } from "./manifests";
import { learnerKubeconfig } from "./kubeconfig";
import { applyLearnerManifests } from "./learner-apply";
import { extendSandbox, resetSandbox, resumeSandbox, startSandbox, stopSandbox } from "./lifecycle";
import type { SandboxDeps, SandboxResult } from "./results";
import { reap, reconcile, uninstall } from "./upkeep";

let handle: DatabaseHandle;
let cluster: KubeClient;
let deps: SandboxDeps;

beforeAll(async () => {
  cluster = testCluster();
  deps = { cluster, installation: testInstallation("svc"), terminationTimeoutMs: 90_000 };
  handle = await openTestDatabase("pglite");
});

afterAll(async () => {
  // Whatever a failed test left behind: every namespace and policy of this run's installation.
  if (cluster && deps) await uninstall(cluster, deps.installation!);
  await handle?.close();
});

function ok(result: SandboxResult) {
  if (!result.ok) throw new Error(`expected success, got ${result.code}: ${result.error}`);
  return result.sandbox;
}

async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const namespaceOf = (name: string) => cluster.get({ apiVersion: "v1", kind: "Namespace", name });

const restrictedPod = {
  securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } },
  containers: [
    {
      name: "app",
      image: "registry.example/app:1",
      securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
    },
  ],
};

const LEARNER_YAML = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec: ${JSON.stringify(restrictedPod)}
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: { app: web }
  ports: [{ port: 80, targetPort: 8080 }]
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  mode: training
---
apiVersion: batch/v1
kind: Job
metadata:
  name: train
spec:
  template:
    spec: ${JSON.stringify({ ...restrictedPod, restartPolicy: "Never" })}
`;

test("a learner starts a sandbox, sees progress in words, applies objects that run, resets, and stops it", async () => {
  const [learner] = await createLearners(handle.db, 1);
  const steps: string[] = [];
  const sandbox = ok(await startSandbox(handle.db, learner!, { labId: "kubernetes-first-deployment" }, (s) => steps.push(s), deps));
  expect(steps).toEqual([
    "Creating namespace…",
    "Applying network policies…",
    "Setting quota…",
    "Creating your identity…",
    "Ready",
  ]);
  expect(sandbox.state).toBe("ready");
  expect(sandbox.readyAt).toBeInstanceOf(Date);
  expect(sandbox.namespace).toMatch(/^lab-kubernetes-first-deployment-[a-z2-7]{10}$/);
  const expiresIn = sandbox.expiresAt.getTime() - sandbox.createdAt.getTime();
  expect(expiresIn).toBe(60 * 60_000);

  const ns = await namespaceOf(sandbox.namespace);
  expect(ns?.metadata.labels?.["pod-security.kubernetes.io/enforce"]).toBe("restricted");
  expect(ns?.metadata.labels?.["academy.dev/learner"]).toBe(learner!.id);

  // Starting the same lab again resumes the same sandbox (idempotent apply, nothing duplicated).
  const again = ok(await startSandbox(handle.db, learner!, { labId: "kubernetes-first-deployment" }, () => {}, deps));
  expect(again.id).toBe(sandbox.id);

  const applied = await applyLearnerManifests(handle.db, learner!, sandbox.id, LEARNER_YAML, deps);
  if (!applied.ok) throw new Error(applied.error);
  expect(applied.results.map((r) => [r.kind, r.outcome])).toEqual([
    ["Deployment", "applied"],
    ["Service", "applied"],
    ["ConfigMap", "applied"],
    ["Job", "applied"],
  ]);
  // The Deployment's pods are scheduled on the KWOK nodes and become ready.
  await waitFor("the Deployment to be ready", async () => {
    const d = await cluster.get<KubeObject & { status?: { readyReplicas?: number } }>({
      apiVersion: "apps/v1",
      kind: "Deployment",
      name: "web",
      namespace: sandbox.namespace,
    });
    return d?.status?.readyReplicas === 2;
  });
  await waitFor("the Job to complete", async () => {
    const j = await cluster.get<KubeObject & { status?: { succeeded?: number } }>({
      apiVersion: "batch/v1",
      kind: "Job",
      name: "train",
      namespace: sandbox.namespace,
    });
    return (j?.status?.succeeded ?? 0) >= 1;
  });

  // Bad objects get per-object results with the API server's words, the others still apply.
  const mixed = await applyLearnerManifests(
    handle.db,
    learner!,
    sandbox.id,
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok-one\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: typo\nspec:\n  replica: 1\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: mine\nrules: []\n`,
    deps,
  );
  if (!mixed.ok) throw new Error(mixed.error);
  expect(mixed.results[0]).toMatchObject({ kind: "ConfigMap", outcome: "applied" });
  expect(mixed.results[1]).toMatchObject({ kind: "Deployment", outcome: "rejected", error: "ManifestRejected" });
  expect(mixed.results[1]!.outcome === "rejected" && mixed.results[1]!.message).toMatch(/^Document 2: Deployment "typo" was rejected by the cluster: .*replica/);
  expect(mixed.results[2]).toMatchObject({ kind: "Role", outcome: "rejected", error: "ManifestRejected" });
  expect(mixed.results[2]!.outcome === "rejected" && mixed.results[2]!.message).toMatch(/forbidden.*does not allow this/);

  // Input that never reaches the cluster.
  const refused = await applyLearnerManifests(handle.db, learner!, sandbox.id, "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: x\n", deps);
  expect(refused).toMatchObject({ ok: false, code: "invalid-input" });

  // Quota refusals name the quota.
  const many = Array.from({ length: 12 }, (_, i) => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: s${i}\n`).join("---\n");
  const overQuota = await applyLearnerManifests(handle.db, learner!, sandbox.id, many, deps);
  if (!overQuota.ok) throw new Error(overQuota.error);
  const quotaHit = overQuota.results.find((r) => r.outcome === "rejected");
  expect(quotaHit).toMatchObject({ error: "SandboxQuotaExceeded", quota: "sandbox-quota" });

  // The learner's kubeconfig works, is namespace-scoped and cannot see other namespaces.
  const kc = await learnerKubeconfig(handle.db, learner!, sandbox.id, {}, deps);
  if (!kc.ok) throw new Error(kc.error);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "academy-kc-")), "config");
  fs.writeFileSync(file, kc.kubeconfig);
  const asLearner = createKubeClient(file);
  expect((await asLearner.list("apps/v1", "Deployment", { namespace: sandbox.namespace })).map((d) => d.metadata.name)).toEqual(["web"]);
  await expect(asLearner.list("v1", "Secret", { namespace: "kube-system" })).rejects.toMatchObject({ status: 403 });
  expect(kc.kubeconfig).toContain(`namespace: ${sandbox.namespace}`);
  fs.rmSync(path.dirname(file), { recursive: true, force: true });

  // Reset removes the learner's objects and keeps the platform's.
  const resetSteps: string[] = [];
  ok(await resetSandbox(handle.db, learner!, sandbox.id, (s) => resetSteps.push(s), deps));
  expect(resetSteps.at(-1)).toBe("Ready");
  expect(await cluster.list("apps/v1", "Deployment", { namespace: sandbox.namespace })).toEqual([]);
  expect(await cluster.list("batch/v1", "Job", { namespace: sandbox.namespace })).toEqual([]);
  expect((await cluster.list("v1", "ConfigMap", { namespace: sandbox.namespace })).map((c) => c.metadata.name)).toEqual(["kube-root-ca.crt"]);
  expect(await cluster.list("v1", "Secret", { namespace: sandbox.namespace })).toEqual([]);
  expect(await cluster.list("v1", "Pod", { namespace: sandbox.namespace })).toEqual([]);
  // The platform's policies survive a reset (the workspace's way to the API server among them).
  expect((await cluster.list("networking.k8s.io/v1", "NetworkPolicy", { namespace: sandbox.namespace })).map((p) => p.metadata.name).sort())
    .toEqual(["allow-api-server", "allow-dns", "allow-same-namespace", "default-deny"]);
  expect(await cluster.get({ apiVersion: "v1", kind: "ResourceQuota", name: "sandbox-quota", namespace: sandbox.namespace })).not.toBeNull();
  expect(await cluster.get({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", name: "learner", namespace: sandbox.namespace })).not.toBeNull();

  // Extending moves the expiry and the namespace annotation.
  const extended = ok(await extendSandbox(handle.db, learner!, sandbox.id, { minutes: 30 }, deps));
  expect(extended.expiresAt.getTime()).toBeGreaterThan(sandbox.expiresAt.getTime());
  expect((await namespaceOf(sandbox.namespace))?.metadata.annotations?.["academy.dev/expires-at"]).toBe(extended.expiresAt.toISOString());

  // Another learner cannot touch this sandbox.
  const [other] = await createLearners(handle.db, 1);
  expect(await stopSandbox(handle.db, other!, sandbox.id, () => {}, deps)).toMatchObject({ ok: false, code: "not-found" });
  expect(await applyLearnerManifests(handle.db, other!, sandbox.id, LEARNER_YAML, deps)).toMatchObject({ ok: false, code: "not-found" });

  const stopped = ok(await stopSandbox(handle.db, learner!, sandbox.id, () => {}, deps));
  expect(stopped.state).toBe("gone");
  expect(await namespaceOf(sandbox.namespace)).toBeNull();
  expect(await resumeSandbox(handle.db, learner!, sandbox.id, () => {}, deps)).toMatchObject({ ok: false, code: "not-found" });
});

test("expired and idle sandboxes are reaped; live ones are left alone", async () => {
  const [a, b, c] = await createLearners(handle.db, 3);
  const short = ok(await startSandbox(handle.db, a!, { labId: "ttl-short", ttlMinutes: 5 }, () => {}, deps));
  const idle = ok(await startSandbox(handle.db, b!, { labId: "ttl-idle", ttlMinutes: 240 }, () => {}, deps));
  const live = ok(await startSandbox(handle.db, c!, { labId: "ttl-live", ttlMinutes: 240 }, () => {}, deps));

  const in6 = new Date(Date.now() + 6 * 60_000);
  expect((await reap(handle.db, in6, deps)).reaped).toEqual([short.namespace]);
  expect(await namespaceOf(short.namespace)).toBeNull();
  const [row] = await handle.db.select().from(sandboxes).where(eq(sandboxes.id, short.id));
  expect(row).toMatchObject({ state: "gone", error: "The sandbox expired." });

  // c keeps working, b does nothing; 31 minutes later only b is idle long enough.
  await handle.db.update(sandboxes).set({ lastActivityAt: new Date(Date.now() + 20 * 60_000) }).where(eq(sandboxes.id, live.id));
  const in31 = new Date(Date.now() + 31 * 60_000);
  expect((await reap(handle.db, in31, deps)).reaped).toEqual([idle.namespace]);
  expect(await namespaceOf(live.namespace)).not.toBeNull();
  ok(await stopSandbox(handle.db, c!, live.id, () => {}, deps));
});

test("a learner may only have a few sandboxes at once", async () => {
  const [learner] = await createLearners(handle.db, 1);
  const started = [];
  for (const lab of ["cap-one", "cap-two", "cap-three"]) {
    started.push(ok(await startSandbox(handle.db, learner!, { labId: lab }, () => {}, deps)));
  }
  const fourth = await startSandbox(handle.db, learner!, { labId: "cap-four" }, () => {}, deps);
  expect(fourth).toMatchObject({ ok: false, code: "limit-reached" });
  expect(!fourth.ok && fourth.error).toMatch(/You already have 3 sandboxes running .*Stop one of them/);
  await Promise.all(started.map((s) => stopSandbox(handle.db, learner!, s.id, () => {}, deps)));
});

test("reconcile deletes a leaked namespace and marks records whose namespace vanished", async () => {
  const [a, b] = await createLearners(handle.db, 2);
  const leaked = ok(await startSandbox(handle.db, a!, { labId: "drift-leaked" }, () => {}, deps));
  const vanished = ok(await startSandbox(handle.db, b!, { labId: "drift-vanished" }, () => {}, deps));
  // The record of one disappears (say, a restored backup); the namespace of the other is deleted by hand.
  await handle.db.delete(sandboxes).where(eq(sandboxes.id, leaked.id));
  await cluster.remove({ apiVersion: "v1", kind: "Namespace", name: vanished.namespace });
  await waitFor("the namespace to go", async () => !(await namespaceOf(vanished.namespace)));

  const result = await reconcile(handle.db, deps);
  expect(result.deletedNamespaces).toEqual([leaked.namespace]);
  expect(result.markedGone).toEqual([vanished.namespace]);
  const [row] = await handle.db.select().from(sandboxes).where(eq(sandboxes.id, vanished.id));
  expect(row?.state).toBe("gone");
  await waitFor("the leaked namespace to go", async () => !(await namespaceOf(leaked.namespace)), 90_000);
  // Nothing left to do the second time.
  expect(await reconcile(handle.db, deps)).toEqual({ deletedNamespaces: [], markedGone: [], markedFailed: [] });
});

test("an unreachable cluster gives a clear error, and no half-built sandbox survives once it is back", async () => {
  const [learner] = await createLearners(handle.db, 1);
  // A kubeconfig for a port where nothing listens.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "academy-down-"));
  const admin = fs.readFileSync(testKubeconfig(), "utf8");
  fs.writeFileSync(path.join(dir, "config"), admin.replace(/server: https:\/\/127\.0\.0\.1:\d+/, "server: https://127.0.0.1:1"));
  const down = createKubeClient(path.join(dir, "config"));
  const logged = vi.spyOn(console, "error").mockImplementation(() => {});
  const result = await startSandbox(handle.db, learner!, { labId: "outage-down" }, () => {}, { ...deps, cluster: down });
  expect(result).toMatchObject({ ok: false, code: "cluster-unreachable" });
  // The learner gets words and a request id; the address and the error code are in the log.
  expect(!result.ok && result.error).toMatch(/cannot be reached right now.*request id [0-9a-f-]{36}/);
  expect(!result.ok && result.error).not.toMatch(/127\.0\.0\.1|ECONNREFUSED/);
  const requestId = !result.ok ? /request id ([0-9a-f-]{36})/.exec(result.error)?.[1] : undefined;
  const line = logged.mock.calls.find(([first]) => String(first).includes(`request ${requestId}:`));
  expect(String((line?.[1] as Error | undefined)?.message)).toMatch(/cannot be reached \(ECONNREFUSED\).*Start the local control plane/);
  logged.mockRestore();
  fs.rmSync(dir, { recursive: true, force: true });

  // The cluster goes away after the namespace was made: the start fails half-way.
  let calls = 0;
  const flaky: KubeClient = {
    ...cluster,
    apply: async (object, options) => {
      if (calls++ >= 1) throw new ClusterUnreachable(cluster.server, "ECONNRESET");
      return cluster.apply(object, options);
    },
  };
  const half = await startSandbox(handle.db, learner!, { labId: "outage-half" }, () => {}, { ...deps, cluster: flaky });
  expect(half).toMatchObject({ ok: false, code: "cluster-unreachable" });
  const rows = await handle.db.select().from(sandboxes).where(eq(sandboxes.userId, learner!.id));
  const halfRow = rows.find((r) => r.labId === "outage-half")!;
  expect(halfRow.state).toBe("failed");
  expect(await namespaceOf(halfRow.namespace)).not.toBeNull();

  // Back up: reconcile removes the half-built namespace.
  const fixed = await reconcile(handle.db, deps);
  expect(fixed.deletedNamespaces).toContain(halfRow.namespace);
  await waitFor("the half-built namespace to go", async () => !(await namespaceOf(halfRow.namespace)), 90_000);
});

test("a namespace stuck in Terminating is reported with the reason, and cleaned up once it unsticks", async () => {
  const [learner] = await createLearners(handle.db, 1);
  const sandbox = ok(await startSandbox(handle.db, learner!, { labId: "stuck-finalizer" }, () => {}, deps));
  // An object with a finalizer nobody removes keeps the namespace in Terminating.
  const blocker = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "blocker", namespace: sandbox.namespace, finalizers: ["academy.dev/test-blocker"] } };
  await cluster.apply(blocker);
  const stopped = await stopSandbox(handle.db, learner!, sandbox.id, () => {}, { ...deps, terminationTimeoutMs: 12_000 });
  expect(stopped).toMatchObject({ ok: false, code: "stuck-terminating" });
  expect(!stopped.ok && stopped.error).toMatch(new RegExp(`Namespace ${sandbox.namespace} is still Terminating after 12s \\(.*academy.dev/test-blocker`));
  const [row] = await handle.db.select().from(sandboxes).where(eq(sandboxes.id, sandbox.id));
  expect(row?.state).toBe("deleting");

  await cluster.request("PATCH", await cluster.pathFor({ ...blocker, name: "blocker", namespace: sandbox.namespace }), {
    body: [{ op: "remove", path: "/metadata/finalizers" }],
    contentType: "application/json-patch+json",
  });
  await waitFor("the namespace to go", async () => !(await namespaceOf(sandbox.namespace)), 90_000);
  expect((await reconcile(handle.db, deps)).markedGone).toEqual([sandbox.namespace]);
});

test("50 learners starting at once all get a ready sandbox, with zero errors", async () => {
  const learners = await createLearners(handle.db, 50);
  const started = performance.now();
  const results = await Promise.all(
    learners.map((l, i) => startSandbox(handle.db, l, { labId: `burst-lab-${i % 5}` }, () => {}, deps)),
  );
  const seconds = (performance.now() - started) / 1000;
  const failures = results.filter((r) => !r.ok);
  expect(failures).toEqual([]);
  const namespaces = results.map((r) => ok(r).namespace);
  expect(new Set(namespaces).size).toBe(50);
  const onCluster = await cluster.list("v1", "Namespace", { labelSelector: installationSelector(deps.installation!) });
  expect(onCluster.map((n) => n.metadata.name)).toEqual(expect.arrayContaining(namespaces));
  console.log(`50 concurrent starts in ${seconds.toFixed(1)} s`);
  const reaped = await reap(handle.db, new Date(Date.now() + 24 * 60 * 60_000), deps);
  expect(reaped.stuck).toEqual([]);
  expect(reaped.reaped).toHaveLength(50);
});
