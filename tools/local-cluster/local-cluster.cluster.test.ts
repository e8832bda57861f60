// Integration test against the running local control plane (see tools/local-cluster/).
// Start it first (`npm run cluster -- start`) or let the test harness's global setup do it.
// Kubeconfig: $ACADEMY_TEST_KUBECONFIG, else .academy-data/cluster/admin.kubeconfig.
import fs from "node:fs";
import path from "node:path";
import { AppsV1Api, BatchV1Api, CoreV1Api, KubeConfig, NetworkingV1Api, type V1Pod } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "@/tests/support/waiting";

const kubeconfigPath = path.resolve(
  process.env.ACADEMY_TEST_KUBECONFIG || path.join(".academy-data", "cluster", "admin.kubeconfig"),
);

const suffix = `${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
const restrictedNs = `test-restricted-${suffix}`;
const workNs = `test-workload-${suffix}`;

let core: CoreV1Api;
let apps: AppsV1Api;
let batch: BatchV1Api;
let networking: NetworkingV1Api;


function statusCode(e: unknown): number | undefined {
  return typeof e === "object" && e !== null && "code" in e ? Number((e as { code: unknown }).code) : undefined;
}

describe("local control plane", { timeout: 90_000 }, () => {
  beforeAll(() => {
    if (!fs.existsSync(kubeconfigPath)) {
      throw new Error(`no kubeconfig at ${kubeconfigPath}: start the cluster with \`npm run cluster -- start\``);
    }
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfigPath);
    core = kc.makeApiClient(CoreV1Api);
    apps = kc.makeApiClient(AppsV1Api);
    batch = kc.makeApiClient(BatchV1Api);
    networking = kc.makeApiClient(NetworkingV1Api);
  });

  afterAll(async () => {
    for (const name of [restrictedNs, workNs]) {
      await core?.deleteNamespace({ name }).catch(() => undefined);
    }
  });

  it("answers as admin", async () => {
    const ns = await core.readNamespace({ name: "default" });
    expect(ns.metadata?.name).toBe("default");
    const nodes = await core.listNode({ labelSelector: "type=kwok" });
    expect(nodes.items.length).toBeGreaterThan(0);
    const ready = nodes.items.filter((n) => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
    expect(ready.length).toBe(nodes.items.length);
  });

  it("rejects a privileged pod in a namespace with Pod Security 'restricted'", async () => {
    await core.createNamespace({
      body: {
        metadata: {
          name: restrictedNs,
          labels: {
            "pod-security.kubernetes.io/enforce": "restricted",
            "pod-security.kubernetes.io/enforce-version": "latest",
          },
        },
      },
    });
    const privileged: V1Pod = {
      metadata: { name: "privileged" },
      spec: { containers: [{ name: "c", image: "busybox", securityContext: { privileged: true } }] },
    };
    let error: unknown;
    try {
      await core.createNamespacedPod({ namespace: restrictedNs, body: privileged });
    } catch (e) {
      error = e;
    }
    expect(statusCode(error)).toBe(403);
    const body = (error as { body?: unknown }).body;
    const message = typeof body === "string" ? (JSON.parse(body) as { message?: string }).message : String(error);
    expect(message).toMatch(/violates PodSecurity "restricted:latest": privileged/);

    // A pod that satisfies "restricted" is admitted in the same namespace.
    const compliant: V1Pod = {
      metadata: { name: "compliant" },
      spec: {
        securityContext: { runAsNonRoot: true, runAsUser: 1000, seccompProfile: { type: "RuntimeDefault" } },
        containers: [
          {
            name: "c",
            image: "busybox",
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
          },
        ],
      },
    };
    const created = await core.createNamespacedPod({ namespace: restrictedNs, body: compliant });
    expect(created.metadata?.name).toBe("compliant");
  });

  it("runs a Deployment's pods to Ready on the kwok nodes", async () => {
    await core.createNamespace({ body: { metadata: { name: workNs } } });
    // The ServiceAccount controller (kube-controller-manager) creates "default" in new namespaces.
    await eventually("default ServiceAccount", async () =>
      (await core.readNamespacedServiceAccount({ name: "default", namespace: workNs })).metadata?.name,
    );
    const labels = { app: "web" };
    await apps.createNamespacedDeployment({
      namespace: workNs,
      body: {
        metadata: { name: "web" },
        spec: {
          replicas: 2,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: { containers: [{ name: "web", image: "nginx:1.27", resources: { requests: { cpu: "100m", memory: "64Mi" } } }] },
          },
        },
      },
    });
    const available = await eventually("2 available replicas", async () => {
      const d = await apps.readNamespacedDeployment({ name: "web", namespace: workNs });
      return (d.status?.availableReplicas ?? 0) >= 2 ? d.status?.availableReplicas : undefined;
    });
    expect(available).toBe(2);
    const pods = await core.listNamespacedPod({ namespace: workNs, labelSelector: "app=web" });
    expect(pods.items).toHaveLength(2);
    for (const p of pods.items) {
      expect(p.status?.phase).toBe("Running");
      expect(p.spec?.nodeName).toMatch(/^kwok-node-/);
      expect(p.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
    }
  });

  it("stores NetworkPolicy objects (not enforced: there is no CNI)", async () => {
    const np = await networking.createNamespacedNetworkPolicy({
      namespace: workNs,
      body: { metadata: { name: "deny-all" }, spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } },
    });
    expect(np.metadata?.uid).toBeTruthy();
  });

  it("completes a Job (kwok moves its pod to Succeeded)", async () => {
    await batch.createNamespacedJob({
      namespace: workNs,
      body: {
        metadata: { name: "once" },
        spec: {
          backoffLimit: 0,
          template: { spec: { restartPolicy: "Never", containers: [{ name: "once", image: "busybox", command: ["true"] }] } },
        },
      },
    });
    const succeeded = await eventually("the Job to complete", async () => {
      const j = await batch.readNamespacedJob({ name: "once", namespace: workNs });
      const complete = j.status?.conditions?.some((c) => c.type === "Complete" && c.status === "True");
      return complete ? j.status?.succeeded : undefined;
    });
    expect(succeeded).toBe(1);
  });
});
