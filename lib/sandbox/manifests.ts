// Pure builders for the platform objects of a learner sandbox: the namespace, its guard rails
// (Pod Security, quota, limit range, network policies) and the two identities that act in it
// (the learner, and the read-only grader). No I/O here, so every rule is unit-tested.
// One file on purpose: every builder reads the same label set and profile table (PROFILE_SIZES),
// and the quota, limit range and policies must agree on them.
import { randomBytes } from "node:crypto";
import type {
  V1LimitRange,
  V1Namespace,
  V1NetworkPolicy,
  V1PolicyRule,
  V1ResourceQuota,
  V1Role,
  V1RoleBinding,
  V1ServiceAccount,
} from "@kubernetes/client-node";
import type { SizeProfile, WorkloadPlacement } from "./profiles";

export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
export const MANAGED_BY = "academy";
export const LEARNER_LABEL = "academy.dev/learner";
export const LAB_LABEL = "academy.dev/lab";
export const INSTALLATION_LABEL = "academy.dev/installation";
export const LEARNER_ANNOTATION = "academy.dev/learner-id";
export const LAB_ANNOTATION = "academy.dev/lab-id";
export const CREATED_ANNOTATION = "academy.dev/created-at";
export const EXPIRES_ANNOTATION = "academy.dev/expires-at";

export const LEARNER_SERVICE_ACCOUNT = "learner";
export const GRADER_SERVICE_ACCOUNT = "grader";

/** Selects every namespace (and platform object) this platform manages. */
export const MANAGED_SELECTOR = `${MANAGED_BY_LABEL}=${MANAGED_BY}`;

type Sizes = {
  pods: number;
  requestsCpu: string;
  requestsMemory: string;
  limitsCpu: string;
  limitsMemory: string;
  services: number;
  configmaps: number;
  secrets: number;
  /** Object counts, so a learner cannot fill etcd with workloads that ask for no pods. */
  deployments: number;
  statefulsets: number;
  jobs: number;
  cronjobs: number;
  /** Per container: the most one container may ask for, and what it gets when it says nothing. */
  containerMaxCpu: string;
  containerMaxMemory: string;
  defaultCpu: string;
  defaultMemory: string;
  defaultRequestCpu: string;
  defaultRequestMemory: string;
};

// configmaps counts the kube-root-ca.crt ConfigMap Kubernetes puts in every namespace.
export const PROFILE_SIZES: Record<SizeProfile, Sizes> = {
  small: {
    pods: 10,
    requestsCpu: "1",
    requestsMemory: "2Gi",
    limitsCpu: "2",
    limitsMemory: "4Gi",
    services: 5,
    configmaps: 10,
    secrets: 10,
    deployments: 10,
    statefulsets: 5,
    jobs: 20,
    cronjobs: 5,
    containerMaxCpu: "1",
    containerMaxMemory: "2Gi",
    defaultCpu: "250m",
    defaultMemory: "256Mi",
    defaultRequestCpu: "50m",
    defaultRequestMemory: "64Mi",
  },
  medium: {
    pods: 20,
    requestsCpu: "2",
    requestsMemory: "4Gi",
    limitsCpu: "4",
    limitsMemory: "8Gi",
    services: 10,
    configmaps: 20,
    secrets: 20,
    deployments: 20,
    statefulsets: 10,
    jobs: 40,
    cronjobs: 10,
    containerMaxCpu: "2",
    containerMaxMemory: "4Gi",
    defaultCpu: "500m",
    defaultMemory: "512Mi",
    defaultRequestCpu: "100m",
    defaultRequestMemory: "128Mi",
  },
  large: {
    pods: 40,
    requestsCpu: "4",
    requestsMemory: "8Gi",
    limitsCpu: "8",
    limitsMemory: "16Gi",
    services: 20,
    configmaps: 40,
    secrets: 40,
    deployments: 40,
    statefulsets: 20,
    jobs: 80,
    cronjobs: 20,
    containerMaxCpu: "4",
    containerMaxMemory: "8Gi",
    defaultCpu: "500m",
    defaultMemory: "512Mi",
    defaultRequestCpu: "100m",
    defaultRequestMemory: "128Mi",
  },
};

const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";
const SUFFIX_LENGTH = 10;
const MAX_NAME = 63;

/** Lower-case a-z0-9 and single dashes, trimmed to `max` characters, no dash at either end. */
function dnsSafe(text: string, max: number): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .slice(0, max)
    .replace(/^-+|-+$/g, "");
}

/** Ten characters of crypto randomness (50 bits) in the RFC 4648 base32 alphabet, lower-cased. */
export function randomSuffix(bytes: Uint8Array = randomBytes(SUFFIX_LENGTH)): string {
  let out = "";
  for (let i = 0; i < SUFFIX_LENGTH; i++) out += BASE32[(bytes[i] ?? 0) % 32];
  return out;
}

/**
 * `lab-<lab slug>-<10 random base32 chars>`, at most 63 characters: readable in `kubectl get ns`,
 * and not guessable, so one learner cannot aim at another's namespace by name.
 */
export function sandboxNamespaceName(labId: string, suffix: string = randomSuffix()): string {
  const room = MAX_NAME - "lab-".length - 1 - suffix.length;
  const slug = dnsSafe(labId, room);
  return slug ? `lab-${slug}-${suffix}` : `lab-${suffix}`;
}

/** A label value (≤63 chars, alphanumeric at both ends); the exact value is kept in an annotation. */
export function labelValue(text: string): string {
  return text
    .replace(/[^A-Za-z0-9._-]+/g, "-")
    .slice(0, 63)
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "");
}

/** Label selector for the namespaces one installation manages. */
export function installationSelector(installation: string): string {
  return `${MANAGED_SELECTOR},${INSTALLATION_LABEL}=${labelValue(installation)}`;
}

export type NamespaceSpec = {
  /** Which Academy installation owns the sandbox (see ACADEMY_INSTALLATION_ID). */
  installation?: string;
  learnerId: string;
  labId: string;
  name: string;
  createdAt: Date;
  expiresAt: Date;
  /** Default "simulated". */
  placement?: WorkloadPlacement;
};

/** The real node's label and taint (tools/local-cluster/node/configs.ts sets them on the node). */
export const REAL_NODE_LABEL = { key: "academy.dev/node", value: "real" } as const;

/**
 * Namespace annotations the API server applies to every pod of the sandbox (the PodNodeSelector and
 * PodTolerationRestriction admission plugins): pods of a "real" sandbox are pinned to the real node
 * and tolerate its taint; pods of a "simulated" one are pinned to KWOK nodes. A pod whose own
 * nodeSelector conflicts is refused, so a learner cannot move their pods elsewhere.
 */
export function placementAnnotations(placement: WorkloadPlacement): Record<string, string> {
  if (placement === "real") {
    return {
      "scheduler.alpha.kubernetes.io/node-selector": `${REAL_NODE_LABEL.key}=${REAL_NODE_LABEL.value}`,
      "scheduler.alpha.kubernetes.io/defaultTolerations": JSON.stringify([
        { key: REAL_NODE_LABEL.key, operator: "Equal", value: REAL_NODE_LABEL.value, effect: "NoSchedule" },
      ]),
    };
  }
  return { "scheduler.alpha.kubernetes.io/node-selector": "type=kwok" };
}

function managedLabels(extra: Record<string, string> = {}): Record<string, string> {
  return { [MANAGED_BY_LABEL]: MANAGED_BY, ...extra };
}

export function namespaceFor(spec: NamespaceSpec): V1Namespace {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name: spec.name,
      labels: managedLabels({
        [INSTALLATION_LABEL]: labelValue(spec.installation ?? MANAGED_BY),
        [LEARNER_LABEL]: labelValue(spec.learnerId),
        [LAB_LABEL]: labelValue(spec.labId),
        // Pod Security Admission: learners' pods must meet the `restricted` profile
        // (non-root, no privilege escalation, no host namespaces or paths, capabilities dropped).
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/enforce-version": "latest",
        "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/audit-version": "latest",
        "pod-security.kubernetes.io/warn": "restricted",
        "pod-security.kubernetes.io/warn-version": "latest",
      }),
      annotations: {
        [LEARNER_ANNOTATION]: spec.learnerId,
        [LAB_ANNOTATION]: spec.labId,
        [CREATED_ANNOTATION]: spec.createdAt.toISOString(),
        [EXPIRES_ANNOTATION]: spec.expiresAt.toISOString(),
        ...placementAnnotations(spec.placement ?? "simulated"),
      },
    },
  };
}

/** The sandbox's one ResourceQuota; the admission policies read its pod count (lib/sandbox/policies.ts). */
export const SANDBOX_QUOTA_NAME = "sandbox-quota";

/**
 * The most old revisions a Deployment or StatefulSet keeps by default (`revisionHistoryLimit`).
 * Each revision is a ReplicaSet (Deployments) or ControllerRevision (StatefulSets) that lives as
 * long as its owner, so those quotas leave room for every owner's default history plus the
 * current revision: a learner who never sets the field never has a rollout stuck on them.
 */
export const DEFAULT_REVISION_HISTORY = 10;

/**
 * What the workspace pod's one container asks for (lib/sandbox/workspace-manifest.ts). The sandbox
 * quota is raised by exactly this and one pod, so the workspace never takes room from the
 * learner's own workloads.
 */
export const WORKSPACE_RESOURCES = {
  requests: { cpu: "50m", memory: "128Mi" },
  limits: { cpu: "500m", memory: "512Mi" },
} as const;

/** The pods the quota holds beyond the profile's: the workspace. */
export const WORKSPACE_PODS = 1;

/** `a + b` for the CPU ("1", "250m") and memory ("2Gi", "128Mi") quantities of these tables. */
export function addQuantity(a: string, b: string): string {
  const cpu = (q: string) => (q.endsWith("m") ? Number(q.slice(0, -1)) : Number(q) * 1000);
  const mib = (q: string) => (q.endsWith("Gi") ? Number(q.slice(0, -2)) * 1024 : q.endsWith("Mi") ? Number(q.slice(0, -2)) : NaN);
  if (/(Mi|Gi)$/.test(a) && /(Mi|Gi)$/.test(b)) {
    const sum = mib(a) + mib(b);
    return sum % 1024 === 0 ? `${sum / 1024}Gi` : `${sum}Mi`;
  }
  const sum = cpu(a) + cpu(b);
  if (!Number.isFinite(sum)) throw new Error(`cannot add quantities ${a} and ${b}`);
  return sum % 1000 === 0 ? String(sum / 1000) : `${sum}m`;
}

export function resourceQuotaFor(namespace: string, profile: SizeProfile): V1ResourceQuota {
  const s = PROFILE_SIZES[profile];
  const w = WORKSPACE_RESOURCES;
  const revisions = DEFAULT_REVISION_HISTORY + 1;
  return {
    apiVersion: "v1",
    kind: "ResourceQuota",
    metadata: { name: SANDBOX_QUOTA_NAME, namespace, labels: managedLabels({ "academy.dev/size": profile }) },
    spec: {
      hard: {
        // The profile's numbers are the learner's; the workspace pod comes on top.
        pods: String(s.pods + WORKSPACE_PODS),
        "requests.cpu": addQuantity(s.requestsCpu, w.requests.cpu),
        "requests.memory": addQuantity(s.requestsMemory, w.requests.memory),
        "limits.cpu": addQuantity(s.limitsCpu, w.limits.cpu),
        "limits.memory": addQuantity(s.limitsMemory, w.limits.memory),
        services: String(s.services),
        configmaps: String(s.configmaps),
        secrets: String(s.secrets),
        // Objects that cost no CPU or memory until they run still cost the API server and etcd:
        // without counts, 10 000 Deployments with `replicas: 0` fit any pod quota.
        "count/deployments.apps": String(s.deployments),
        "count/replicasets.apps": String(s.deployments * revisions),
        "count/statefulsets.apps": String(s.statefulsets),
        "count/controllerrevisions.apps": String(s.statefulsets * revisions),
        // CronJobs keep their finished Jobs (3 succeeded and 1 failed by default), which count here.
        "count/jobs.batch": String(s.jobs),
        "count/cronjobs.batch": String(s.cronjobs),
        persistentvolumeclaims: "0",
        "requests.storage": "0",
        "services.nodeports": "0",
        "services.loadbalancers": "0",
      },
    },
  };
}

export function limitRangeFor(namespace: string, profile: SizeProfile): V1LimitRange {
  const s = PROFILE_SIZES[profile];
  return {
    apiVersion: "v1",
    kind: "LimitRange",
    metadata: { name: "sandbox-limits", namespace, labels: managedLabels({ "academy.dev/size": profile }) },
    spec: {
      limits: [
        {
          // Defaults let a learner's first Deployment run without resource stanzas while the
          // quota (which needs requests and limits on every pod) still counts it.
          type: "Container",
          max: { cpu: s.containerMaxCpu, memory: s.containerMaxMemory },
          _default: { cpu: s.defaultCpu, memory: s.defaultMemory },
          defaultRequest: { cpu: s.defaultRequestCpu, memory: s.defaultRequestMemory },
        },
      ],
    },
  };
}

// The typed models rename fields that are reserved words in TypeScript (`from` → `_from`,
// `default` → `_default`). Builders return the typed shape, so the compiler checks them;
// `toApiObject` gives the JSON that is sent. Label and annotation keys never start with `_`.
const RENAMED_FIELDS: Record<string, string> = { _from: "from", _default: "default" };

export function toApiObject(object: object): Record<string, unknown> {
  return JSON.parse(JSON.stringify(object), (_key, value: unknown) => {
    if (!value || typeof value !== "object" || Array.isArray(value)) return value;
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([k, v]) => [RENAMED_FIELDS[k] ?? k, v]),
    );
  }) as Record<string, unknown>;
}

const SAME_NAMESPACE = [{ podSelector: {} }];

/**
 * The cluster DNS: the kube-system pods labelled `k8s-app=kube-dns` (CoreDNS and kube-dns both
 * carry that label on kubeadm, GKE, EKS, AKS and k3s). Both selectors sit in one peer, so both
 * must match. A rule by address would have to name the pods' IPs, not the DNS Service's
 * ClusterIP: policies are applied after the Service address is translated to a pod's.
 */
export const CLUSTER_DNS_PEER = {
  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
  podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
};

/** One address and port of a Service's endpoints (from its EndpointSlices). */
export type ServiceEndpoint = { address: string; port: number; protocol: "TCP" | "UDP" };

/**
 * The cluster's own services that sandbox pods may reach, read by the platform from EndpointSlices:
 * the API server (the `kubernetes` Service) and those endpoints of the cluster DNS (`kube-dns`) that
 * are not pods (the local cluster's CoreDNS runs beside the node, not in a pod).
 */
export type ClusterEndpoints = { apiServer: ServiceEndpoint[]; dnsOutsidePods: ServiceEndpoint[] };

/** Pods of the learner's workspace (kubectl, curl): the only ones that reach the API server. */
export const WORKSPACE_POD_LABEL = { key: "academy.dev/component", value: "workspace" } as const;

function hostBlocks(endpoints: ServiceEndpoint[]) {
  const addresses = [...new Set(endpoints.map((e) => e.address))];
  return addresses.map((a) => ({ ipBlock: { cidr: a.includes(":") ? `${a}/128` : `${a}/32` } }));
}

function portsOf(endpoints: ServiceEndpoint[]) {
  const seen = new Map(endpoints.map((e) => [`${e.protocol}/${e.port}`, { protocol: e.protocol, port: e.port }]));
  return [...seen.values()];
}

export function networkPoliciesFor(namespace: string, cluster: ClusterEndpoints): V1NetworkPolicy[] {
  const meta = (name: string) => ({ name, namespace, labels: managedLabels() });
  const dnsPorts = [
    { protocol: "UDP", port: 53 },
    { protocol: "TCP", port: 53 },
  ];
  const policies: V1NetworkPolicy[] = [
    {
      // With no rules, selecting every pod for both directions denies everything; the
      // policies below add the only openings.
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: meta("default-deny"),
      spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    },
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: meta("allow-same-namespace"),
      spec: {
        podSelector: {},
        policyTypes: ["Ingress", "Egress"],
        ingress: [{ _from: SAME_NAMESPACE }],
        egress: [{ to: SAME_NAMESPACE }],
      },
    },
    {
      // DNS, and only to the cluster DNS: port 53 to any other address would be an open tunnel
      // out of the sandbox (TCP 53 carries anything). The only addresses named are the cluster
      // DNS's own endpoints outside pods, so the cloud metadata endpoint (169.254.169.254) and
      // the host stay unreachable.
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: meta("allow-dns"),
      spec: {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [
          { to: [CLUSTER_DNS_PEER], ports: dnsPorts },
          ...(cluster.dnsOutsidePods.length ? [{ to: hostBlocks(cluster.dnsOutsidePods), ports: portsOf(cluster.dnsOutsidePods) }] : []),
        ],
      },
    },
  ];
  if (cluster.apiServer.length) {
    policies.push({
      // The workspace runs kubectl as the learner, so it reaches the API server (RBAC decides
      // what it may do); no other pod of the sandbox does. Policies see the Service address
      // already translated, so the rule names the API server's endpoints, not the ClusterIP.
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: meta("allow-api-server"),
      spec: {
        podSelector: { matchLabels: { [WORKSPACE_POD_LABEL.key]: WORKSPACE_POD_LABEL.value } },
        policyTypes: ["Egress"],
        egress: [{ to: hostBlocks(cluster.apiServer), ports: portsOf(cluster.apiServer) }],
      },
    });
  }
  return policies;
}

const WRITE = ["create", "update", "patch", "delete", "get", "list", "watch"];
const READ = ["get", "list", "watch"];

/**
 * What a learner may do in their own namespace. Deliberately absent: roles and bindings,
 * quotas, limit ranges, network policies, the namespace itself, service accounts and their
 * tokens, and creating bare pods (pods come from Deployments, Jobs, …).
 */
export const LEARNER_RULES: V1PolicyRule[] = [
  { apiGroups: ["apps"], resources: ["deployments", "statefulsets"], verbs: WRITE },
  { apiGroups: ["apps"], resources: ["deployments/scale", "statefulsets/scale"], verbs: ["get", "update", "patch"] },
  { apiGroups: ["apps"], resources: ["replicasets"], verbs: READ },
  { apiGroups: [""], resources: ["services", "configmaps", "secrets"], verbs: WRITE },
  { apiGroups: ["batch"], resources: ["jobs", "cronjobs"], verbs: WRITE },
  { apiGroups: [""], resources: ["pods", "pods/log", "events", "endpoints"], verbs: READ },
  { apiGroups: ["events.k8s.io"], resources: ["events"], verbs: READ },
  { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: READ },
  // kubectl exec and port-forward upgrade a GET to a WebSocket: that needs "get" as well as "create".
  { apiGroups: [""], resources: ["pods/exec", "pods/portforward"], verbs: ["get", "create"] },
];

/** What the grader may see: everything the learner works with, read-only. */
export const GRADER_RULES: V1PolicyRule[] = [
  { apiGroups: ["apps"], resources: ["deployments", "replicasets", "statefulsets"], verbs: READ },
  {
    apiGroups: [""],
    resources: ["pods", "pods/log", "services", "endpoints", "configmaps", "secrets", "events"],
    verbs: READ,
  },
  { apiGroups: ["batch"], resources: ["jobs", "cronjobs"], verbs: READ },
  { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: READ },
  { apiGroups: ["events.k8s.io"], resources: ["events"], verbs: READ },
];

export type Identity = {
  serviceAccount: V1ServiceAccount;
  role: V1Role;
  roleBinding: V1RoleBinding;
};

function identityFor(namespace: string, name: string, rules: V1PolicyRule[]): Identity {
  const metadata = { name, namespace, labels: managedLabels() };
  return {
    // No token is mounted anywhere: learners get short-lived TokenRequest tokens instead.
    serviceAccount: { apiVersion: "v1", kind: "ServiceAccount", metadata, automountServiceAccountToken: false },
    role: { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata, rules },
    roleBinding: {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata,
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
      subjects: [{ kind: "ServiceAccount", name, namespace }],
    },
  };
}

export function learnerIdentityFor(namespace: string): Identity {
  return identityFor(namespace, LEARNER_SERVICE_ACCOUNT, LEARNER_RULES);
}

export function graderIdentityFor(namespace: string): Identity {
  return identityFor(namespace, GRADER_SERVICE_ACCOUNT, GRADER_RULES);
}

/** The Kubernetes user name of a service account, as used for impersonation and in RBAC. */
export function serviceAccountUser(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

export type PlatformObjects = {
  namespace: V1Namespace;
  networkPolicies: V1NetworkPolicy[];
  quota: V1ResourceQuota;
  limitRange: V1LimitRange;
  identities: Identity[];
};

/** Everything a sandbox consists of before the learner adds anything, in apply order. */
export function platformObjectsFor(spec: NamespaceSpec & { sizeProfile: SizeProfile; cluster: ClusterEndpoints }): PlatformObjects {
  return {
    namespace: namespaceFor(spec),
    networkPolicies: networkPoliciesFor(spec.name, spec.cluster),
    quota: resourceQuotaFor(spec.name, spec.sizeProfile),
    limitRange: limitRangeFor(spec.name, spec.sizeProfile),
    identities: [learnerIdentityFor(spec.name), graderIdentityFor(spec.name)],
  };
}
