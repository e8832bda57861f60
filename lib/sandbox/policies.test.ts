// The admission policies' shape: what each judges, for whom, in which namespaces, and with which
// limit, and how they are installed. Whether the CEL does what it says is proven against the real
// API server, as the learner, in isolation.cluster.test.ts.
import { expect, test } from "vitest";
import { ClusterUnreachable, KubeApiError, type KubeClient, type KubeObject, type ObjectRef } from "@/lib/k8s/client";
import { LEARNER_SERVICE_ACCOUNT, SANDBOX_QUOTA_NAME, namespaceFor } from "./manifests";
import { LEARNER_REQUEST, admissionPoliciesFor, ensureClusterPolicies, policyName } from "./policies";

const all = admissionPoliciesFor("prod-eu");
const byRule = (rule: string) => {
  const found = all.find((p) => p.policy.metadata?.name === policyName("prod-eu", rule));
  if (!found) throw new Error(`no policy ${rule}`);
  return found;
};
const resourcesOf = (rule: string) =>
  byRule(rule).policy.spec!.matchConstraints!.resourceRules!.flatMap((r) => (r.resources ?? []).map((res) => `${r.apiGroups?.[0]}/${res}`));

test("each policy has one binding of the same name that denies, and a failing expression refuses", () => {
  expect(all.map((p) => p.policy.metadata?.name)).toEqual([
    "academy-prod-eu-replicas",
    "academy-prod-eu-job-pods",
    "academy-prod-eu-cronjob-pods",
    "academy-prod-eu-finalizers",
    "academy-prod-eu-token-secrets",
    "academy-prod-eu-external-ips",
  ]);
  for (const { policy, binding } of all) {
    expect(policy.apiVersion).toBe("admissionregistration.k8s.io/v1");
    expect(binding.metadata?.name).toBe(policy.metadata?.name);
    expect(binding.spec?.policyName).toBe(policy.metadata?.name);
    expect(binding.spec?.validationActions).toEqual(["Deny"]);
    expect(policy.spec?.failurePolicy).toBe("Fail");
    for (const validation of policy.spec?.validations ?? []) {
      expect(validation.message ?? validation.messageExpression, policy.metadata?.name).toBeTruthy();
    }
  }
});

test("two installations on one cluster get their own policies, each bound to its own sandboxes only", () => {
  const other = admissionPoliciesFor("staging");
  const names = new Set(all.map((p) => p.policy.metadata?.name));
  for (const p of other) expect(names.has(p.policy.metadata?.name)).toBe(false);

  const sandbox = namespaceFor({
    installation: "prod-eu",
    learnerId: "u",
    labId: "l",
    name: "lab-l-abcdefghij",
    createdAt: new Date(),
    expiresAt: new Date(),
  });
  const labels = sandbox.metadata?.labels ?? {};
  for (const { binding } of all) {
    const wanted = binding.spec?.matchResources?.namespaceSelector?.matchLabels ?? {};
    expect(wanted).toEqual({ "app.kubernetes.io/managed-by": "academy", "academy.dev/installation": "prod-eu" });
    for (const [key, value] of Object.entries(wanted)) expect(labels[key], key).toBe(value);
  }
  for (const { binding } of other) {
    expect(binding.spec?.matchResources?.namespaceSelector?.matchLabels?.["academy.dev/installation"]).toBe("staging");
  }
});

test("every rule is namespaced: a namespace selector never filters cluster-scoped objects", () => {
  for (const { policy } of all) {
    for (const r of policy.spec?.matchConstraints?.resourceRules ?? []) expect(r.scope, policy.metadata?.name).toBe("Namespaced");
  }
});

test("replicas, parallelism and completions are bounded by the sandbox's own quota, looked up in the request's namespace", () => {
  for (const rule of ["replicas", "job-pods", "cronjob-pods"]) {
    const { policy, binding } = byRule(rule);
    expect(policy.spec?.paramKind).toEqual({ apiVersion: "v1", kind: "ResourceQuota" });
    expect(binding.spec?.paramRef).toEqual({ name: SANDBOX_QUOTA_NAME, parameterNotFoundAction: "Deny" });
    expect(policy.spec?.variables).toEqual([{ name: "maxPods", expression: "int(params.spec.hard['pods']) - 1" }]);
  }
  expect(resourcesOf("replicas")).toEqual([
    "apps/deployments",
    "apps/statefulsets",
    "apps/replicasets",
    "apps/deployments/scale",
    "apps/statefulsets/scale",
    "apps/replicasets/scale",
  ]);
  expect(resourcesOf("job-pods")).toEqual(["batch/jobs"]);
  expect(resourcesOf("cronjob-pods")).toEqual(["batch/cronjobs"]);
  const fields = (rule: string) => (byRule(rule).policy.spec?.validations ?? []).map((v) => v.expression);
  expect(fields("replicas").join()).toContain("object.spec.replicas <= variables.maxPods");
  expect(fields("job-pods")).toEqual([
    "!has(object.spec.parallelism) || object.spec.parallelism <= variables.maxPods",
    "!has(object.spec.completions) || object.spec.completions <= variables.maxPods",
  ]);
  expect(fields("cronjob-pods").join()).toContain("object.spec.jobTemplate.spec.parallelism <= variables.maxPods");
  expect(fields("cronjob-pods").join()).toContain("object.spec.jobTemplate.spec.completions <= variables.maxPods");
});

test("limits on what the learner writes judge the learner's own requests; the sandbox-wide bans judge everyone", () => {
  expect(LEARNER_REQUEST.expression).toBe(
    `request.userInfo.username == 'system:serviceaccount:' + request.namespace + ':${LEARNER_SERVICE_ACCOUNT}'`,
  );
  for (const rule of ["replicas", "job-pods", "cronjob-pods", "finalizers"]) {
    expect(byRule(rule).policy.spec?.matchConditions, rule).toEqual([LEARNER_REQUEST]);
  }
  for (const rule of ["token-secrets", "external-ips"]) {
    expect(byRule(rule).policy.spec?.matchConditions, rule).toBeUndefined();
  }
});

test("finalizers are judged on every kind the learner could write, on create and update", () => {
  const [r] = byRule("finalizers").policy.spec!.matchConstraints!.resourceRules!;
  expect(r).toMatchObject({ apiGroups: ["*"], resources: ["*"], operations: ["CREATE", "UPDATE"] });
});

test("service-account token Secrets and Service external IPs are refused", () => {
  expect(resourcesOf("token-secrets")).toEqual(["/secrets"]);
  expect(byRule("token-secrets").policy.spec?.validations?.[0]?.expression).toContain("'kubernetes.io/service-account-token'");
  expect(resourcesOf("external-ips")).toEqual(["/services"]);
  expect(byRule("external-ips").policy.spec?.validations?.[0]?.expression).toContain("object.spec.externalIPs");
});

/** Records applies; policies report their generation as observed after `observedAfterGets` reads. */
function fakeCluster(server: string, options: { fail?: Error; observedAfterGets?: number } = {}) {
  const applied: KubeObject[] = [];
  let gets = 0;
  const withStatus = (object: KubeObject, observed: boolean) =>
    object.kind === "ValidatingAdmissionPolicy"
      ? { ...object, metadata: { ...object.metadata, generation: 2 }, status: observed ? { observedGeneration: 2 } : {} }
      : object;
  const client = {
    server,
    async apply<T extends KubeObject>(object: KubeObject): Promise<T> {
      if (options.fail) throw options.fail;
      applied.push(object);
      return withStatus(object, !options.observedAfterGets) as T;
    },
    async get<T extends KubeObject>(ref: ObjectRef): Promise<T | null> {
      gets++;
      const object = applied.find((o) => o.kind === ref.kind && o.metadata.name === ref.name);
      return object ? (withStatus(object, gets >= (options.observedAfterGets ?? 0)) as T) : null;
    },
  };
  return { client: client as unknown as KubeClient, applied, gets: () => gets };
}

test("installing applies every policy and binding once per process, and waits until the cluster has taken up each policy", async () => {
  const fake = fakeCluster("https://install-once", { observedAfterGets: 3 });
  await ensureClusterPolicies(fake.client, "prod-eu");
  expect(fake.applied.filter((o) => o.kind === "ValidatingAdmissionPolicy")).toHaveLength(all.length);
  expect(fake.applied.filter((o) => o.kind === "ValidatingAdmissionPolicyBinding")).toHaveLength(all.length);
  expect(fake.gets()).toBeGreaterThanOrEqual(3);
  await ensureClusterPolicies(fake.client, "prod-eu");
  expect(fake.applied).toHaveLength(2 * all.length);
});

test("a cluster without ValidatingAdmissionPolicy v1 fails the install in words, and the next start tries again", async () => {
  const missing = fakeCluster("https://old-cluster", {
    fail: new KubeApiError(404, 'the cluster has no kind "ValidatingAdmissionPolicy"', "NotFound", {}),
  });
  await expect(ensureClusterPolicies(missing.client, "prod-eu")).rejects.toThrow(
    /could not install the admission policies that guard sandboxes: .*needs Kubernetes 1\.30 or newer/,
  );
  const refused = fakeCluster("https://old-cluster", { fail: new KubeApiError(403, "forbidden", "Forbidden", {}) });
  await expect(ensureClusterPolicies(refused.client, "prod-eu")).rejects.toThrow(/may not create ValidatingAdmissionPolicies/);
  const fixed = fakeCluster("https://old-cluster");
  await ensureClusterPolicies(fixed.client, "prod-eu");
  expect(fixed.applied).toHaveLength(2 * all.length);
});

test("an unreachable cluster is reported as such, not as a policy problem", async () => {
  const down = fakeCluster("https://down", { fail: new ClusterUnreachable("https://down", "ECONNREFUSED") });
  await expect(ensureClusterPolicies(down.client, "prod-eu")).rejects.toBeInstanceOf(ClusterUnreachable);
});
