// The simulated nodes: kwok's configuration (its lifecycle Stages), its RBAC, the fake Node
// objects it manages, and their readiness. A real node (containerd + kubelet) would get a module
// of its own beside this one and its entries in components.ts.
import fs from "node:fs";
import path from "node:path";
import { LocalClusterError } from "./errors";
import { api } from "./health";
import type { Layout } from "./layout";

const KWOK_RBAC = [
  {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name: "academy:kwok" },
    rules: [
      { apiGroups: [""], resources: ["nodes", "nodes/status", "pods", "pods/status"], verbs: ["get", "list", "watch", "create", "update", "patch", "delete"] },
      { apiGroups: [""], resources: ["events"], verbs: ["create", "update", "patch"] },
      { apiGroups: ["events.k8s.io"], resources: ["events"], verbs: ["create", "update", "patch"] },
      { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get", "list", "watch", "create", "update", "patch", "delete"] },
    ],
  },
  {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name: "academy:kwok" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "academy:kwok" },
    subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "academy-kwok" }],
  },
];

function kwokNode(name: string) {
  const resources = { cpu: "32", memory: "256Gi", pods: "250", "ephemeral-storage": "500Gi" };
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      annotations: { "kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0" },
      labels: {
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/role": "agent",
        type: "kwok",
        "academy.dev/fake-node": "true",
      },
    },
    spec: {},
    status: { allocatable: resources, capacity: resources, nodeInfo: { architecture: "amd64", operatingSystem: "linux", kubeletVersion: "fake" } },
  };
}

async function createIfMissing(l: Layout, collection: string, obj: { metadata: { name: string } }) {
  const r = await api(l, "POST", collection, obj);
  if (r.status !== 201 && r.status !== 409) {
    throw new LocalClusterError(`creating ${collection}/${obj.metadata.name} failed: HTTP ${r.status} ${r.body.slice(0, 500)}`);
  }
}

/** The ClusterRole and binding kwok's client certificate (CN=academy-kwok) acts under. */
export async function ensureKwokRbac(l: Layout): Promise<void> {
  for (const o of KWOK_RBAC) {
    await createIfMissing(l, `/apis/rbac.authorization.k8s.io/v1/${o.kind === "ClusterRole" ? "clusterroles" : "clusterrolebindings"}`, o);
  }
}

/**
 * A new kwok process only takes over a node once the node's Lease held by the previous kwok has
 * expired (--node-lease-duration-seconds, 40 s): pods would stay Pending that long after a
 * restart. The old kwok is gone, so its leases are released here before kwok starts.
 */
export async function releaseNodeLeases(l: Layout): Promise<void> {
  for (const n of nodeNames(l)) {
    const r = await api(l, "DELETE", `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${n}`);
    if (r.status !== 200 && r.status !== 404) {
      throw new LocalClusterError(`releasing the node lease of ${n} failed: HTTP ${r.status} ${r.body.slice(0, 300)}`);
    }
  }
}

export function nodeNames(l: Layout): string[] {
  return Array.from({ length: l.nodes }, (_, i) => `kwok-node-${i}`);
}

export async function createNodes(l: Layout): Promise<void> {
  for (const n of nodeNames(l)) await createIfMissing(l, "/api/v1/nodes", kwokNode(n));
}

/** Ready kwok nodes (by the Ready condition in their status). */
export async function readyNodes(l: Layout): Promise<string[]> {
  const r = await api(l, "GET", "/api/v1/nodes?labelSelector=type%3Dkwok");
  if (r.status !== 200) return [];
  const list = JSON.parse(r.body) as {
    items: { metadata: { name: string }; status?: { conditions?: { type: string; status: string }[] } }[];
  };
  return list.items
    .filter((n) => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"))
    .map((n) => n.metadata.name);
}

/** Whether kwok holds the node's Lease: Ready alone may be stale status from before a restart. */
export async function nodeLeaseHeld(l: Layout, node: string): Promise<boolean> {
  return (await api(l, "GET", `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${node}`)).status === 200;
}

/** kwok needs its lifecycle Stages in its config (no Stage CRDs): the defaults kwokctl uses. */
export function writeKwokConfig(l: Layout): void {
  const stages = fs.readFileSync(path.join(l.binDir, "kwok-stages.yaml"), "utf8");
  fs.writeFileSync(
    l.kwokConfig,
    [
      "# Written by tools/local-cluster/kwok.ts: kwok options + the default Stages of the pinned kwok.",
      "apiVersion: config.kwok.x-k8s.io/v1alpha1",
      "kind: KwokConfiguration",
      "options:",
      // kwok's defaulting does not run for a config given with --config; without these it refuses to start.
      "  nodeLeaseParallelism: 4",
      "  nodePlayStageParallelism: 4",
      "  podPlayStageParallelism: 4",
      "  podsOnNodeSyncParallelism: 1",
      "  enablePodsOnNodeSyncListPager: true",
      "  enableDebuggingHandlers: false",
      "  enableProfilingHandler: false",
      // Drop the header comment and leading separator of kwok-stages.yaml; no empty documents.
      stages.replace(/^(#.*\n)*/, "").replace(/^---\n/, "---\n"),
    ].join("\n"),
  );
}
