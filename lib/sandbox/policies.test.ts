// The admission policies' shape: what each judges, for whom, in which namespaces, and with which
// limit. Whether the CEL does what it says is proven against the real API server, as the
// learner, in isolation.cluster.test.ts.
import { expect, test } from "vitest";
import { LEARNER_SERVICE_ACCOUNT, SANDBOX_QUOTA_NAME, namespaceFor } from "./manifests";
import { LEARNER_REQUEST, admissionPoliciesFor, policyName } from "./policies";

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
    expect(policy.spec?.variables).toEqual([{ name: "maxPods", expression: "int(params.spec.hard['pods'])" }]);
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
