// The Workloads panel's data against the real local API server. On KWOK: the learner's pods are
// listed and say, in words, that they have no logs; a Deployment over the sandbox quota, and one
// that breaks Pod Security, are explained on them in words; nobody reads another learner's
// workloads. On the real node (`npm run cluster -- start` as root): a crashlooping container's
// explanation carries its last log line, a bad image gets the local registry's explanation, a
// container over its memory limit is OOMKilled with the limit named, and a readiness probe on a
// wrong path says what the app answered.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { DatabaseHandle } from "@/lib/db/client";
import type { KubeClient } from "@/lib/k8s/client";
import { createLearners, testCluster, testInstallation } from "@/tests/support/cluster";
import { openTestDatabase } from "@/tests/support/databases";
import { applyLearnerManifests } from "./learner-apply";
import { startSandbox, stopSandbox } from "./lifecycle";
import type { SandboxDTO } from "./queries";
import type { SandboxDeps } from "./results";
import { uninstall } from "./upkeep";
import { LOGS_SIMULATED, type WorkloadsView } from "./workloads-view-model";
import { sandboxWorkloads } from "./workloads-view";

let handle: DatabaseHandle;
let admin: KubeClient;
let deps: SandboxDeps;
let learners: Array<{ id: string }>;
let real: SandboxDTO;
let simulated: SandboxDTO;

/** A container the namespace's "restricted" Pod Security standard admits. */
function container(fields: Record<string, unknown>) {
  return {
    name: "app",
    resources: { requests: { cpu: "20m", memory: "32Mi" }, limits: { cpu: "200m", memory: "64Mi" } },
    securityContext: { runAsNonRoot: true, runAsUser: 10001, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } },
    ...fields,
  };
}

function deploymentYaml(name: string, fields: Record<string, unknown>, replicas = 1): string {
  return JSON.stringify({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { terminationGracePeriodSeconds: 1, containers: [container(fields)] } },
    },
  });
}

async function apply(learner: { id: string }, sandbox: SandboxDTO, text: string) {
  const result = await applyLearnerManifests(handle.db, learner, sandbox.id, text, deps);
  if (!result.ok || result.rejected > 0) throw new Error(`apply failed: ${JSON.stringify(result)}`);
}

/** Reads the learner's workloads until `until` holds; the last view is in the error otherwise. */
async function viewUntil(learner: { id: string }, sandbox: SandboxDTO, what: string, until: (view: WorkloadsView) => boolean, timeoutMs = 90_000): Promise<WorkloadsView> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const result = await sandboxWorkloads(handle.db, learner, sandbox.id, deps);
    if (!result.ok) throw new Error(`reading workloads failed: ${result.code}: ${result.error}`);
    if (until(result.view)) return result.view;
    last = result.view;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last view: ${JSON.stringify(last, null, 1).slice(0, 4000)}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

beforeAll(async () => {
  admin = testCluster();
  deps = { cluster: admin, installation: testInstallation("wl"), terminationTimeoutMs: 90_000 };
  handle = await openTestDatabase("pglite");
  learners = await createLearners(handle.db, 2);
  const [a, b] = await Promise.all([
    startSandbox(handle.db, learners[0]!, { labId: "workloads-real", placement: "real" }, () => {}, deps),
    startSandbox(handle.db, learners[1]!, { labId: "workloads-simulated" }, () => {}, deps),
  ]);
  if (!a.ok || !b.ok) throw new Error(`sandboxes did not start: ${JSON.stringify([a, b])}`);
  real = a.sandbox;
  simulated = b.sandbox;
});

afterAll(async () => {
  if (handle && learners) {
    await Promise.all([
      real && stopSandbox(handle.db, learners[0]!, real.id, () => {}, deps),
      simulated && stopSandbox(handle.db, learners[1]!, simulated.id, () => {}, deps),
    ]);
  }
  if (admin && deps?.installation) await uninstall(admin, deps.installation);
  await handle?.close();
});

describe("workloads view on KWOK", () => {
  test("the learner's pods are listed, say they have no logs, and a Deployment over the quota is explained on it", async () => {
    const learner = learners[1]!;
    const webResources = { requests: { cpu: "20m", memory: "100Mi" }, limits: { cpu: "200m", memory: "128Mi" } };
    await apply(learner, simulated, deploymentYaml("web", { image: "ghcr.io/academy-labs/model-server:1.4.2", resources: webResources }, 2));
    // requests.memory: the sandbox quota is 2Gi plus the workspace pod's 128Mi, and web's two pods already use 200Mi of it.
    await apply(
      learner,
      simulated,
      deploymentYaml("big", { image: "ghcr.io/academy-labs/model-server:1.4.2", resources: { requests: { cpu: "20m", memory: "2Gi" }, limits: { cpu: "200m", memory: "2Gi" } } }),
    );
    const view = await viewUntil(learner, simulated, "web's pods and big's quota failure", (v) => v.pods.filter((p) => p.phase === "Running").length === 2 && v.workloads.length > 0);
    expect(view.namespace).toBe(simulated.namespace);
    for (const pod of view.pods) {
      expect(pod).toMatchObject({ owner: { kind: "Deployment", name: "web" }, status: "Running", ready: { ready: 1, total: 1 }, restarts: 0, node: { kind: "simulated" }, problems: [] });
      expect(pod.containers[0]!.logs).toEqual({ available: false, reason: LOGS_SIMULATED });
      expect(pod.events.length).toBeGreaterThan(0);
    }
    expect(view.workloads).toEqual([
      expect.objectContaining({
        kind: "ReplicaSet",
        owner: { kind: "Deployment", name: "big" },
        pods: 0,
        problems: [expect.stringMatching(/cannot create its pods: they would exceed your sandbox's quota “sandbox-quota” \(asked for requests\.memory=2Gi, already in use requests\.memory=/)],
      }),
    ]);
  });

  test("a Deployment whose pod template breaks Pod Security is explained on it, with what to set", async () => {
    const learner = learners[1]!;
    const loose = JSON.stringify({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "loose" },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "loose" } },
        template: { metadata: { labels: { app: "loose" } }, spec: { containers: [{ name: "app", image: "ghcr.io/academy-labs/model-server:1.4.2" }] } },
      },
    });
    await apply(learner, simulated, loose);
    const view = await viewUntil(learner, simulated, "loose's Pod Security refusal", (v) => v.workloads.some((w) => w.owner?.name === "loose"));
    const [problem] = view.workloads.find((w) => w.owner?.name === "loose")!.problems;
    expect(problem).toMatch(/^ReplicaSet “loose-[a-z0-9]+” cannot create its pods: your namespace enforces the “restricted” Pod Security standard and the pod template breaks it: /);
    expect(problem).toContain("securityContext.allowPrivilegeEscalation=false");
    expect(problem).toContain("runAsNonRoot");
  });

  test("a learner cannot read another learner's workloads", async () => {
    expect(await sandboxWorkloads(handle.db, learners[0]!, simulated.id, deps)).toMatchObject({ ok: false, code: "not-found" });
  });
});

describe("workloads view on the real node", () => {
  test("crash loop with its last log line, bad image with the registry's images, OOMKilled with the limit, readiness probe with the answer", async () => {
    const learner = learners[0]!;
    await apply(
      learner,
      real,
      deploymentYaml("trainer", {
        image: "docker.io/library/python:3.11-slim",
        command: ["python3", "-c", "import sys; print('loading model', flush=True); sys.exit('fatal: no model file at /models/model.pkl')"],
      }),
    );
    await apply(learner, real, deploymentYaml("server", { image: "ghcr.io/academy-labs/model-server:9.9.9" }));
    await apply(learner, real, deploymentYaml("hungry", { image: "docker.io/library/python:3.11-slim", command: ["python3", "-c", "b = bytearray(512 * 1024 * 1024)"] }));
    await apply(
      learner,
      real,
      deploymentYaml("probed", {
        image: "ghcr.io/academy-labs/model-server:1.4.2",
        ports: [{ name: "http", containerPort: 8080 }],
        readinessProbe: { httpGet: { path: "/nope", port: "http" }, periodSeconds: 2 },
        resources: { requests: { cpu: "20m", memory: "64Mi" }, limits: { cpu: "500m", memory: "384Mi" } },
      }),
    );
    const podOf = (v: WorkloadsView, owner: string) => v.pods.find((p) => p.owner?.name === owner);
    const view = await viewUntil(learner, real, "CrashLoopBackOff, ImagePullBackOff, OOMKilled and a failing readiness probe", (v) => {
      const trainer = podOf(v, "trainer");
      return Boolean(
        trainer?.status === "CrashLoopBackOff" &&
          trainer.problems.some((p) => p.includes("fatal")) &&
          podOf(v, "server")?.problems.length &&
          podOf(v, "hungry")?.problems.some((p) => p.includes("OOMKilled")) &&
          podOf(v, "probed")?.problems.some((p) => p.includes("readiness probe")),
      );
    });
    const trainer = view.pods.find((p) => p.owner?.name === "trainer")!;
    expect(trainer.node).toEqual({ kind: "real", name: "academy-node" });
    expect(trainer.restarts).toBeGreaterThan(0);
    expect(trainer.problems[0]).toMatch(/^Container “app” keeps crashing \(CrashLoopBackOff, restarted (once|\d+ times)\): it last exited with code 1 \(Error\)/);
    expect(trainer.problems[0]).toContain("“fatal: no model file at /models/model.pkl”");
    expect(trainer.containers[0]!.logs).toMatchObject({ available: true, source: "last-run", lines: expect.arrayContaining(["loading model", "fatal: no model file at /models/model.pkl"]) });
    expect(trainer.events.some((e) => e.reason === "BackOff" && e.type === "Warning")).toBe(true);

    const server = view.pods.find((p) => p.owner?.name === "server")!;
    expect(server.status).toMatch(/^(ErrImagePull|ImagePullBackOff)$/);
    expect(server.problems[0]).toContain("its image “ghcr.io/academy-labs/model-server:9.9.9” does not exist in the registry");
    expect(server.problems[0]).toContain("Images come from the local registry; the available images are");
    expect(server.problems[0]).toContain("ghcr.io/academy-labs/model-server:1.4.2");
    expect(server.containers[0]!.logs).toEqual({ available: false, reason: "No logs yet: the container has not started." });

    expect(podOf(view, "hungry")!.problems[0]).toContain("Container “app” was killed because it used more memory than its limit of 64Mi (OOMKilled, exit code 137)");

    const probed = podOf(view, "probed")!;
    expect(probed.ready).toEqual({ ready: 0, total: 1 });
    expect(probed.problems).toEqual([expect.stringMatching(/^The readiness probe of container “app” fails \(GET \/nope on port http \(8080\): it answered 404 \(the app has no such path\); (once|\d+ times)\)\. Until it passes, the pod is not ready and its Service sends it no traffic\./)]);
    expect(probed.containers[0]!.logs).toMatchObject({ available: true, source: "current", lines: expect.arrayContaining([expect.stringContaining('"GET /nope HTTP/1.1" 404')]) });
  });
});
