// The platform objects of a sandbox on the cluster: building them for a sandbox row (the pure
// builders are in manifests.ts) and applying them, with progress in words. Applying is idempotent
// (server-side apply), so start, resume and reset all use it.
import "server-only";
import type { SandboxRow } from "@/lib/db/schema";
import { KubeApiError, type KubeClient, type KubeObject } from "@/lib/k8s/client";
import { namespaceFor, platformObjectsFor, toApiObject, type ClusterEndpoints, type NamespaceSpec, type ServiceEndpoint } from "./manifests";
import { ensureClusterPolicies } from "./policies";
import type { SizeProfile } from "./profiles";
import type { OnProgress } from "./results";

function namespaceSpecOf(row: SandboxRow, installation: string): NamespaceSpec {
  return {
    installation,
    learnerId: row.userId,
    labId: row.labId,
    name: row.namespace,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    placement: row.placement,
  };
}

const api = (object: object) => toApiObject(object) as KubeObject;

/** The sandbox's namespace object as sent to the API server (it carries the expiry, for operators). */
export function sandboxNamespace(row: SandboxRow, installation: string): KubeObject {
  return api(namespaceFor(namespaceSpecOf(row, installation)));
}

type Step = { label: string; objects: KubeObject[] };

type EndpointSliceObject = KubeObject & {
  endpoints?: { addresses: string[]; conditions?: { ready?: boolean }; targetRef?: { kind?: string } }[];
  ports?: { port?: number; protocol?: string }[];
};

async function serviceEndpoints(cluster: KubeClient, namespace: string, service: string, outsidePodsOnly: boolean): Promise<ServiceEndpoint[]> {
  const slices = await cluster.list<EndpointSliceObject>("discovery.k8s.io/v1", "EndpointSlice", {
    namespace,
    labelSelector: `kubernetes.io/service-name=${service}`,
  });
  return slices.flatMap((slice) =>
    (slice.endpoints ?? [])
      .filter((e) => e.conditions?.ready !== false && !(outsidePodsOnly && e.targetRef?.kind === "Pod"))
      .flatMap((e) => e.addresses)
      .flatMap((address) =>
        (slice.ports ?? []).flatMap((p) =>
          p.port ? [{ address, port: p.port, protocol: p.protocol === "UDP" ? ("UDP" as const) : ("TCP" as const) }] : [],
        ),
      ),
  );
}

/**
 * What the sandbox's network policies must name by address: the API server's endpoints (for the
 * workspace) and the cluster DNS's endpoints that are no pods. Policies see the Service address
 * already translated to an endpoint, so the ClusterIPs would not do.
 */
export async function readClusterEndpoints(cluster: KubeClient): Promise<ClusterEndpoints> {
  const [apiServer, dnsOutsidePods] = await Promise.all([
    serviceEndpoints(cluster, "default", "kubernetes", false),
    serviceEndpoints(cluster, "kube-system", "kube-dns", true),
  ]);
  return { apiServer, dnsOutsidePods };
}

function stepsFor(row: SandboxRow, installation: string, cluster: ClusterEndpoints): [namespace: Step, policies: Step, quota: Step, identity: Step] {
  const objects = platformObjectsFor({ ...namespaceSpecOf(row, installation), sizeProfile: row.sizeProfile as SizeProfile, cluster });
  // The steps the learner sees; applyPlatform decides what runs in parallel.
  return [
    { label: "Creating namespace…", objects: [api(objects.namespace)] },
    { label: "Applying network policies…", objects: objects.networkPolicies.map(api) },
    { label: "Setting quota…", objects: [api(objects.quota), api(objects.limitRange)] },
    {
      label: "Creating your identity…",
      objects: objects.identities.flatMap((i) => [api(i.serviceAccount), api(i.role), api(i.roleBinding)]),
    },
  ];
}

/** Applies (or repairs) every platform object of the sandbox, reporting each step. */
export async function applyPlatform(cluster: KubeClient, row: SandboxRow, installation: string, onProgress: OnProgress): Promise<void> {
  // The cluster-wide admission policies go in before the first sandbox (once per process).
  const [endpoints] = await Promise.all([readClusterEndpoints(cluster), ensureClusterPolicies(cluster, installation)]);
  const [namespace, policies, quota, identity] = stepsFor(row, installation, endpoints);
  const applyAll = (objects: KubeObject[]) => Promise.all(objects.map((object) => cluster.apply(object)));
  onProgress(namespace.label);
  await applyAll(namespace.objects);
  // Everything else goes in at once, in one round trip. The order within it does not matter for
  // safety: nobody can act as the learner before the sandbox is "ready" (no token is issued
  // before, and the platform impersonates only after), and a start that fails half-way is
  // deleted. Progress is still reported step by step, in order.
  // The quota is sent first: its status write (below) is the one extra round trip.
  const quotaDone = applyAll(quota.objects).then(([applied]) => primeQuotaStatus(cluster, applied as QuotaObject));
  const policiesDone = applyAll(policies.objects);
  const identityDone = applyAll(identity.objects);
  Promise.all([quotaDone, policiesDone, identityDone]).catch(() => {}); // the first failure is rethrown below
  onProgress(policies.label);
  await policiesDone;
  onProgress(quota.label);
  await quotaDone;
  onProgress(identity.label);
  await identityDone;
}

type QuotaObject = KubeObject & {
  metadata: { resourceVersion?: string };
  spec: { hard: Record<string, string> };
  status?: { hard?: Record<string, string>; used?: Record<string, string> };
};

/**
 * Until the quota controller has filled in a ResourceQuota's status, the quota admission plugin
 * refuses every object that quota counts ("status unknown for quota"), and under load the
 * controller takes up to a second to get to a new quota. In a brand-new namespace the usage is
 * known without asking: nothing the learner could make exists yet, and the only counted object
 * Kubernetes adds is the kube-root-ca.crt ConfigMap, so it is counted as already there. If it
 * is created later it is charged on top (an over-count by one, the safe direction, until the
 * controller's own count replaces ours moments later). The write is guarded by
 * resourceVersion: a 409 means the controller got there first, which is just as good.
 */
async function primeQuotaStatus(cluster: KubeClient, quota: QuotaObject): Promise<void> {
  if (quota.status?.hard && Object.keys(quota.status.hard).length > 0) return;
  const namespace = quota.metadata.namespace!;
  const used = Object.fromEntries(Object.keys(quota.spec.hard).map((resource) => [resource, "0"]));
  if ("configmaps" in used) used.configmaps = "1";
  try {
    await cluster.request("PUT", `${await cluster.pathFor({ ...quota, name: quota.metadata.name, namespace })}/status`, {
      body: { ...quota, status: { hard: quota.spec.hard, used } },
    });
  } catch (error) {
    if (!(error instanceof KubeApiError && error.status === 409)) throw error;
    await quotaCounted(cluster, namespace);
  }
}

/** Waits until the quota controller has counted the sandbox quota. */
async function quotaCounted(cluster: KubeClient, namespace: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 10; ; delay = Math.min(delay * 2, 250)) {
    const quota = await cluster.get<QuotaObject>({ apiVersion: "v1", kind: "ResourceQuota", name: "sandbox-quota", namespace });
    if (quota?.status?.hard && Object.keys(quota.status.hard).length > 0) return;
    if (Date.now() > deadline) {
      throw new Error(`The quota controller has not counted the quota in ${namespace} after ${timeoutMs / 1000}s.`);
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}
