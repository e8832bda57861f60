import { expect, test } from "vitest";
import {
  DEFAULT_REVISION_HISTORY,
  GRADER_RULES,
  LEARNER_RULES,
  PROFILE_SIZES,
  SANDBOX_QUOTA_NAME,
  WORKSPACE_PODS,
  graderIdentityFor,
  learnerIdentityFor,
  limitRangeFor,
  namespaceFor,
  networkPoliciesFor,
  platformObjectsFor,
  randomSuffix,
  resourceQuotaFor,
  sandboxNamespaceName,
  toApiObject,
  type ClusterEndpoints,
} from "./manifests";
import { SIZE_PROFILES } from "./profiles";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

test("namespace names are DNS labels, carry the lab, and are not guessable", () => {
  const name = sandboxNamespaceName("kubernetes/deploy-a-model");
  expect(name).toMatch(/^lab-kubernetes-deploy-a-model-[a-z2-7]{10}$/);
  const many = new Set(Array.from({ length: 1000 }, () => sandboxNamespaceName("x")));
  expect(many.size).toBe(1000);
});

test("a very long or odd lab id still gives a valid name of at most 63 characters", () => {
  for (const labId of ["A".repeat(200), "--Weird__Lab!!--", "", "ÄÖÜ", "a-".repeat(40)]) {
    const name = sandboxNamespaceName(labId);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(DNS_LABEL);
  }
});

test("the random suffix uses only base32 characters", () => {
  expect(randomSuffix(new Uint8Array([0, 1, 2, 25, 26, 31, 32, 255, 100, 7]))).toBe("abcz27a7eh");
});

test("the namespace records who and what it is for, and enforces the restricted Pod Security profile", () => {
  const ns = namespaceFor({
    learnerId: "6f1c2a0e-learner",
    labId: "k8s/first-deployment",
    name: "lab-k8s-first-deployment-abcdefghij",
    createdAt: new Date("2026-01-01T10:00:00Z"),
    expiresAt: new Date("2026-01-01T11:00:00Z"),
  });
  const labels = ns.metadata?.labels ?? {};
  expect(labels["app.kubernetes.io/managed-by"]).toBe("academy");
  expect(labels["academy.dev/learner"]).toBe("6f1c2a0e-learner");
  expect(labels["academy.dev/lab"]).toBe("k8s-first-deployment");
  for (const mode of ["enforce", "audit", "warn"]) {
    expect(labels[`pod-security.kubernetes.io/${mode}`]).toBe("restricted");
  }
  expect(ns.metadata?.annotations).toMatchObject({
    "academy.dev/lab-id": "k8s/first-deployment",
    "academy.dev/created-at": "2026-01-01T10:00:00.000Z",
    "academy.dev/expires-at": "2026-01-01T11:00:00.000Z",
  });
});

test("every profile forbids volumes, node ports and load balancers, and bigger profiles allow more pods", () => {
  const pods = SIZE_PROFILES.map((p) => Number(resourceQuotaFor("ns", p).spec?.hard?.pods));
  expect(pods).toEqual([...pods].sort((a, b) => a - b));
  for (const profile of SIZE_PROFILES) {
    const hard = resourceQuotaFor("ns", profile).spec?.hard ?? {};
    expect(hard).toMatchObject({
      persistentvolumeclaims: "0",
      "services.nodeports": "0",
      "services.loadbalancers": "0",
    });
    for (const key of ["requests.cpu", "requests.memory", "limits.cpu", "limits.memory", "services", "configmaps", "secrets"]) {
      expect(hard[key], `${profile} ${key}`).toBeTruthy();
    }
  }
});

// Objects that run no pods cost the API server and etcd all the same (review H4).
const COUNTED = [
  "count/deployments.apps",
  "count/replicasets.apps",
  "count/statefulsets.apps",
  "count/controllerrevisions.apps",
  "count/jobs.batch",
  "count/cronjobs.batch",
  "services",
  "configmaps",
  "secrets",
];

test("every profile bounds the number of each kind of object a learner can make, and bigger profiles allow more", () => {
  for (const key of COUNTED) {
    const counts = SIZE_PROFILES.map((p) => Number(resourceQuotaFor("ns", p).spec?.hard?.[key]));
    for (const [i, count] of counts.entries()) {
      expect(Number.isInteger(count) && count > 0, `${SIZE_PROFILES[i]} ${key} = ${count}`).toBe(true);
    }
    expect(counts, key).toEqual([...counts].sort((a, b) => a - b));
  }
  expect(resourceQuotaFor("ns", "small").spec?.hard).toMatchObject({
    "count/deployments.apps": "10",
    "count/statefulsets.apps": "5",
    "count/jobs.batch": "20",
    "count/cronjobs.batch": "5",
  });
});

test("the ReplicaSet and ControllerRevision counts leave room for every owner's default revision history", () => {
  for (const profile of SIZE_PROFILES) {
    const hard = resourceQuotaFor("ns", profile).spec?.hard ?? {};
    const n = (key: string) => Number(hard[key]);
    expect(n("count/replicasets.apps")).toBe(n("count/deployments.apps") * (DEFAULT_REVISION_HISTORY + 1));
    expect(n("count/controllerrevisions.apps")).toBe(n("count/statefulsets.apps") * (DEFAULT_REVISION_HISTORY + 1));
  }
});

test("a single workload may never ask for more pods than the profile's (the admission policies read the quota's number, less the workspace's pod)", () => {
  for (const profile of SIZE_PROFILES) {
    const quota = resourceQuotaFor("ns", profile);
    expect(quota.metadata?.name).toBe(SANDBOX_QUOTA_NAME);
    expect(quota.spec?.hard?.pods).toBe(String(PROFILE_SIZES[profile].pods + WORKSPACE_PODS));
  }
});

test("the limit range gives containers defaults, sent under the API's field name `default`", () => {
  const sent = toApiObject(limitRangeFor("ns", "small")) as {
    spec: { limits: Array<Record<string, unknown>> };
  };
  const limit = sent.spec.limits[0]!;
  expect(limit.type).toBe("Container");
  expect(limit.default).toEqual({ cpu: "250m", memory: "256Mi" });
  expect(limit._default).toBeUndefined();
  expect(limit.defaultRequest).toBeTruthy();
});

const NO_ENDPOINTS: ClusterEndpoints = { apiServer: [], dnsOutsidePods: [] };

test("network policies deny by default, allow the namespace itself, and DNS only to the cluster DNS pods", () => {
  type Peer = { namespaceSelector?: { matchLabels: unknown }; podSelector?: { matchLabels: unknown }; ipBlock?: unknown };
  type Rule = { ports: unknown; to: Peer[] };
  type Sent = { spec: { ingress?: unknown; egress: Rule[] } };
  const [deny, same, dns] = networkPoliciesFor("ns", NO_ENDPOINTS).map((p) => toApiObject(p) as Sent);
  expect(deny!.spec).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
  expect(same!.spec.ingress).toEqual([{ from: [{ podSelector: {} }] }]);
  expect(same!.spec.egress).toEqual([{ to: [{ podSelector: {} }] }]);
  expect(dns!.spec.egress).toHaveLength(1);
  const rule = dns!.spec.egress[0]!;
  expect(rule.ports).toEqual([
    { protocol: "UDP", port: 53 },
    { protocol: "TCP", port: 53 },
  ]);
  // One peer with both selectors: kube-system AND k8s-app=kube-dns. Two peers would mean either,
  // which opens port 53 to every pod in kube-system.
  expect(rule.to).toEqual([
    {
      namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
      podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
    },
  ]);
});

test("no network policy opens an address range: port 53 anywhere, or the cloud metadata endpoint, stays closed", () => {
  const sent = JSON.stringify(networkPoliciesFor("ns", NO_ENDPOINTS).map(toApiObject));
  expect(sent).not.toContain("ipBlock");
  expect(sent).not.toContain("169.254.169.254");
});

const CLUSTER: ClusterEndpoints = {
  apiServer: [{ address: "198.19.254.1", port: 6443, protocol: "TCP" }],
  dnsOutsidePods: [
    { address: "198.19.254.1", port: 53, protocol: "UDP" },
    { address: "198.19.254.1", port: 53, protocol: "TCP" },
  ],
};

test("only workspace pods reach the API server, and only its endpoints on its port", () => {
  type Sent = { metadata: { name: string }; spec: { podSelector: unknown; policyTypes: string[]; egress?: unknown[] } };
  const sent = networkPoliciesFor("ns", CLUSTER).map((p) => toApiObject(p) as Sent);
  const api = sent.find((p) => p.metadata.name === "allow-api-server")!;
  expect(api.spec.podSelector).toEqual({ matchLabels: { "academy.dev/component": "workspace" } });
  expect(api.spec.policyTypes).toEqual(["Egress"]);
  expect(api.spec.egress).toEqual([{ to: [{ ipBlock: { cidr: "198.19.254.1/32" } }], ports: [{ protocol: "TCP", port: 6443 }] }]);
  // No other policy names the API server's port.
  for (const p of sent.filter((x) => x.metadata.name !== "allow-api-server")) expect(JSON.stringify(p)).not.toContain("6443");
  // Without endpoints there is nothing to allow.
  expect(networkPoliciesFor("ns", NO_ENDPOINTS).map((p) => p.metadata?.name)).not.toContain("allow-api-server");
});

test("a cluster DNS outside pods is reachable on its own address and port 53 only", () => {
  type Sent = { metadata: { name: string }; spec: { egress: { to: unknown[]; ports: unknown[] }[] } };
  const dns = networkPoliciesFor("ns", CLUSTER).map((p) => toApiObject(p) as Sent).find((p) => p.metadata.name === "allow-dns")!;
  expect(dns.spec.egress[1]).toEqual({
    to: [{ ipBlock: { cidr: "198.19.254.1/32" } }],
    ports: [
      { protocol: "UDP", port: 53 },
      { protocol: "TCP", port: 53 },
    ],
  });
  expect(JSON.stringify(dns)).not.toContain("169.254.169.254");
});

function allows(rules: typeof LEARNER_RULES, group: string, resource: string, verb: string): boolean {
  return rules.some(
    (r) => (r.apiGroups ?? []).includes(group) && (r.resources ?? []).includes(resource) && r.verbs.includes(verb),
  );
}

test("the learner may build workloads but not touch its own guard rails", () => {
  expect(allows(LEARNER_RULES, "apps", "deployments", "create")).toBe(true);
  expect(allows(LEARNER_RULES, "batch", "cronjobs", "delete")).toBe(true);
  expect(allows(LEARNER_RULES, "", "pods/exec", "create")).toBe(true);
  expect(allows(LEARNER_RULES, "", "pods", "get")).toBe(true);
  expect(allows(LEARNER_RULES, "apps", "replicasets", "create")).toBe(false);
  expect(allows(LEARNER_RULES, "", "pods", "create")).toBe(false);
  const forbidden: Array<[string, string]> = [
    ["rbac.authorization.k8s.io", "roles"],
    ["rbac.authorization.k8s.io", "rolebindings"],
    ["", "resourcequotas"],
    ["", "limitranges"],
    ["networking.k8s.io", "networkpolicies"],
    ["", "namespaces"],
    ["", "serviceaccounts"],
    ["", "serviceaccounts/token"],
    ["", "persistentvolumeclaims"],
  ];
  for (const [group, resource] of forbidden) {
    for (const verb of ["create", "update", "patch", "delete"]) {
      expect(allows(LEARNER_RULES, group, resource, verb), `${verb} ${resource}`).toBe(false);
    }
  }
  expect(LEARNER_RULES.flatMap((r) => r.verbs)).not.toContain("*");
  expect(LEARNER_RULES.flatMap((r) => r.resources ?? [])).not.toContain("*");
});

test("the grader only reads", () => {
  expect(new Set(GRADER_RULES.flatMap((r) => r.verbs))).toEqual(new Set(["get", "list", "watch"]));
  for (const [group, resource] of [["", "pods"], ["", "endpoints"], ["discovery.k8s.io", "endpointslices"], ["apps", "deployments"]] as const) {
    expect(allows(GRADER_RULES, group, resource, "list"), resource).toBe(true);
  }
});

test("each identity is a token-less service account bound to its own role in its own namespace", () => {
  for (const identity of [learnerIdentityFor("ns-a"), graderIdentityFor("ns-a")]) {
    const name = identity.serviceAccount.metadata?.name;
    expect(identity.serviceAccount.automountServiceAccountToken).toBe(false);
    expect(identity.roleBinding.roleRef).toEqual({ apiGroup: "rbac.authorization.k8s.io", kind: "Role", name });
    expect(identity.roleBinding.subjects).toEqual([{ kind: "ServiceAccount", name, namespace: "ns-a" }]);
  }
});

test("every platform object is labelled as managed by Academy and lives in the sandbox", () => {
  const all = platformObjectsFor({
    learnerId: "u1",
    labId: "lab",
    name: "lab-lab-abcdefghij",
    createdAt: new Date(),
    expiresAt: new Date(),
    sizeProfile: "medium",
    cluster: CLUSTER,
  });
  const namespaced = [
    ...all.networkPolicies,
    all.quota,
    all.limitRange,
    ...all.identities.flatMap((i) => [i.serviceAccount, i.role, i.roleBinding]),
  ];
  expect(namespaced).toHaveLength(12);
  for (const object of [all.namespace, ...namespaced]) {
    expect(object.metadata?.labels?.["app.kubernetes.io/managed-by"]).toBe("academy");
  }
  for (const object of namespaced) expect(object.metadata?.namespace).toBe("lab-lab-abcdefghij");
});
