// The cluster-wide admission policies that hold in every sandbox namespace of one installation:
// rules that RBAC, Pod Security and ResourceQuota cannot express (a field's value, who set it).
// They are in-tree ValidatingAdmissionPolicies (CEL, Kubernetes 1.30+), so they need no webhook
// server and hold on any cluster Academy manages. `admissionPoliciesFor` builds them (pure,
// unit-tested); `ensureClusterPolicies` installs them once per process before the first sandbox.
import "server-only";
import type {
  V1MatchCondition,
  V1NamedRuleWithOperations,
  V1ValidatingAdmissionPolicy,
  V1ValidatingAdmissionPolicyBinding,
} from "@kubernetes/client-node";
import { env } from "@/lib/env";
import { ClusterUnreachable, KubeApiError, type KubeClient, type KubeObject } from "@/lib/k8s/client";
import {
  INSTALLATION_LABEL,
  LEARNER_SERVICE_ACCOUNT,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  SANDBOX_QUOTA_NAME,
  WORKSPACE_PODS,
  labelValue,
  toApiObject,
} from "./manifests";

export type AdmissionPolicy = { policy: V1ValidatingAdmissionPolicy; binding: V1ValidatingAdmissionPolicyBinding };

const API_VERSION = "admissionregistration.k8s.io/v1";

/** True for requests made by the sandbox's own `learner` service account (kubectl or the platform impersonating it). */
export const LEARNER_REQUEST: V1MatchCondition = {
  name: "by-the-learner",
  expression: `request.userInfo.username == 'system:serviceaccount:' + request.namespace + ':${LEARNER_SERVICE_ACCOUNT}'`,
};

// `scope: Namespaced` matters: a binding's namespaceSelector never filters out cluster-scoped
// objects, so without it a policy would judge requests far outside the sandboxes.
function rule(apiGroup: string, resources: string[], operations: string[] = ["CREATE", "UPDATE"]): V1NamedRuleWithOperations {
  return { apiGroups: [apiGroup], apiVersions: ["*"], resources, operations, scope: "Namespaced" };
}

/** `academy-<installation>-<rule>`: each installation (and each test run) has its own set. */
export function policyName(installation: string, rule: string): string {
  return `academy-${labelValue(installation)}-${rule}`;
}

type PolicyParts = Pick<
  NonNullable<V1ValidatingAdmissionPolicy["spec"]>,
  "paramKind" | "matchConditions" | "variables" | "validations"
> & {
  rules: V1NamedRuleWithOperations[];
  /** Found in the namespace of the request: the sandbox's own ResourceQuota. */
  paramFromQuota?: boolean;
};

function admissionPolicy(installation: string, rule: string, parts: PolicyParts): AdmissionPolicy {
  const name = policyName(installation, rule);
  const labels = { [MANAGED_BY_LABEL]: MANAGED_BY, [INSTALLATION_LABEL]: labelValue(installation) };
  const { rules, paramFromQuota, ...spec } = parts;
  return {
    policy: {
      apiVersion: API_VERSION,
      kind: "ValidatingAdmissionPolicy",
      metadata: { name, labels },
      spec: {
        // An expression that cannot be evaluated refuses the request rather than letting it through.
        failurePolicy: "Fail",
        matchConstraints: { resourceRules: rules },
        ...(paramFromQuota ? { paramKind: { apiVersion: "v1", kind: "ResourceQuota" } } : {}),
        ...spec,
      },
    },
    binding: {
      apiVersion: API_VERSION,
      kind: "ValidatingAdmissionPolicyBinding",
      metadata: { name, labels },
      spec: {
        policyName: name,
        validationActions: ["Deny"],
        // The labels every sandbox namespace of this installation carries (namespaceFor).
        matchResources: { namespaceSelector: { matchLabels: labels } },
        // No namespace: the quota is looked up in the namespace of the object being judged. A
        // sandbox without its quota is broken, and takes no workloads until it is repaired.
        ...(paramFromQuota ? { paramRef: { name: SANDBOX_QUOTA_NAME, parameterNotFoundAction: "Deny" } } : {}),
      },
    },
  };
}

/**
 * One object may not ask for more pods than the whole sandbox may run: without this a
 * Deployment with `replicas: 10000` is accepted, and its ReplicaSet then retries against the
 * quota for ever while the learner sees nothing wrong. The limit is the pod count of the
 * sandbox's ResourceQuota, read as the policy's parameter, so it always follows the size
 * profile, less the one pod the quota holds for the workspace (resourceQuotaFor). Only the learner's own requests are judged: the controllers that act for them
 * (ReplicaSets from a Deployment, Jobs from a CronJob) derive what they write from objects
 * that were already judged, and must never be stopped half-way through a rollout.
 */
function podCountPolicies(installation: string): AdmissionPolicy[] {
  const maxPods = { name: "maxPods", expression: `int(params.spec.hard['pods']) - ${WORKSPACE_PODS}` };
  // Deployment, StatefulSet, ReplicaSet and their `scale` subresource (`kubectl scale`) all
  // carry the count in spec.replicas.
  const replicas = admissionPolicy(installation, "replicas", {
    rules: [rule("apps", ["deployments", "statefulsets", "replicasets", "deployments/scale", "statefulsets/scale", "replicasets/scale"])],
    paramFromQuota: true,
    matchConditions: [LEARNER_REQUEST],
    variables: [maxPods],
    validations: [
      {
        expression: "!has(object.spec.replicas) || object.spec.replicas <= variables.maxPods",
        messageExpression:
          "'spec.replicas is ' + string(object.spec.replicas) + ', but this sandbox runs at most ' + string(variables.maxPods) +" +
          " ' pods (its quota), so the other pods could never start. Set spec.replicas to ' + string(variables.maxPods) +" +
          " ' or fewer and apply again.'",
        reason: "Invalid",
      },
    ],
  });
  const jobSpecChecks = (prefix: string, spec: string) =>
    (["parallelism", "completions"] as const).map((field) => ({
      expression: `!has(${spec}.${field}) || ${spec}.${field} <= variables.maxPods`,
      messageExpression:
        `'${prefix}${field} is ' + string(${spec}.${field}) + ', but a Job in this sandbox may have at most ' +` +
        ` string(variables.maxPods) + ' (the pods its quota allows). Set ${prefix}${field} to ' +` +
        ` string(variables.maxPods) + ' or fewer and apply again.'`,
      reason: "Invalid" as const,
    }));
  // Jobs and CronJobs differ in where the Job spec sits, so each gets its own policy: every
  // expression then type-checks against the one kind it judges.
  const jobs = admissionPolicy(installation, "job-pods", {
    rules: [rule("batch", ["jobs"])],
    paramFromQuota: true,
    matchConditions: [LEARNER_REQUEST],
    variables: [maxPods],
    validations: jobSpecChecks("spec.", "object.spec"),
  });
  const cronJobs = admissionPolicy(installation, "cronjob-pods", {
    rules: [rule("batch", ["cronjobs"])],
    paramFromQuota: true,
    matchConditions: [LEARNER_REQUEST],
    variables: [maxPods],
    validations: jobSpecChecks("spec.jobTemplate.spec.", "object.spec.jobTemplate.spec"),
  });
  return [replicas, jobs, cronJobs];
}

/**
 * No finalizers from learners. A finalizer nobody removes keeps its object, and with it the
 * namespace, Terminating for ever, and the learner's service account is gone by then, so they
 * could not remove it either. Finalizers already on the object (set by Kubernetes' own
 * controllers) may stay, and removing one is always allowed.
 */
function finalizerPolicy(installation: string): AdmissionPolicy {
  const added = "object.metadata.finalizers.filter(f, oldObject == null || !has(oldObject.metadata.finalizers) || !(f in oldObject.metadata.finalizers))";
  return admissionPolicy(installation, "finalizers", {
    rules: [rule("*", ["*"])],
    matchConditions: [LEARNER_REQUEST],
    validations: [
      {
        expression: `!has(object.metadata.finalizers) || size(${added}) == 0`,
        messageExpression:
          `'metadata.finalizers (' + ${added}.join(', ') + ') cannot be set in a sandbox: nothing here would ever remove` +
          ` them, so the object, and your sandbox with it, could never be deleted. Remove metadata.finalizers and apply again.'`,
        reason: "Invalid",
      },
    ],
  });
}

/**
 * No legacy service-account token Secrets: Kubernetes fills them with a token that never
 * expires (for `learner` or `grader`), which outlives the sandbox's short TokenRequest tokens.
 * Judged for everyone: nothing in a sandbox needs one. A Secret's type cannot change, so
 * creation is the only way in.
 */
function tokenSecretPolicy(installation: string): AdmissionPolicy {
  return admissionPolicy(installation, "token-secrets", {
    rules: [rule("", ["secrets"], ["CREATE"])],
    validations: [
      {
        expression: "!has(object.type) || object.type != 'kubernetes.io/service-account-token'",
        message:
          "Secrets of type kubernetes.io/service-account-token cannot be created in a sandbox: Kubernetes would put a " +
          "service account token that never expires in them. Use the kubeconfig from the lab page (its token expires " +
          "with your sandbox), or a Secret of type Opaque for your own data.",
        reason: "Forbidden",
      },
    ],
  });
}

/**
 * No `spec.externalIPs` on Services: on a cluster with kube-proxy, a Service with an external IP
 * captures traffic that any pod sends to that address, other tenants' included (CVE-2020-8554).
 * Judged for everyone in the sandboxes; the API server's `DenyServiceExternalIPs` admission
 * plugin does the same cluster-wide where the operator can turn it on.
 */
function externalIpPolicy(installation: string): AdmissionPolicy {
  return admissionPolicy(installation, "external-ips", {
    rules: [rule("", ["services"])],
    validations: [
      {
        expression: "!has(object.spec.externalIPs) || size(object.spec.externalIPs) == 0",
        messageExpression:
          "'spec.externalIPs (' + object.spec.externalIPs.join(', ') + ') cannot be set in a sandbox: the Service would" +
          " capture traffic the cluster sends to those addresses, whoever sends it. Remove spec.externalIPs; pods in your" +
          " sandbox reach the Service by its name.'",
        reason: "Invalid",
      },
    ],
  });
}

/** Every admission policy of one installation, each with the binding that scopes it to its sandboxes. */
export function admissionPoliciesFor(installation: string): AdmissionPolicy[] {
  return [...podCountPolicies(installation), finalizerPolicy(installation), tokenSecretPolicy(installation), externalIpPolicy(installation)];
}

// ---------------------------------------------------------------------------------------------
// Installing them

type PolicyObject = KubeObject & { metadata: { generation?: number }; status?: { observedGeneration?: number } };

const installed = new Map<string, Promise<void>>();

/**
 * Installs (server-side apply, idempotent) this installation's admission policies, once per
 * process and cluster; a failed attempt is tried again on the next call. Starting a sandbox
 * waits for it, so no sandbox is handed to a learner before its rules hold.
 */
export function ensureClusterPolicies(
  cluster: KubeClient,
  installation: string = env.ACADEMY_INSTALLATION_ID,
  timeoutMs = 30_000,
): Promise<void> {
  const key = `${cluster.server} ${installation}`;
  let pending = installed.get(key);
  if (!pending) {
    pending = installPolicies(cluster, installation, timeoutMs);
    installed.set(key, pending);
    pending.catch(() => installed.delete(key));
  }
  return pending;
}

async function installPolicies(cluster: KubeClient, installation: string, timeoutMs: number): Promise<void> {
  const all = admissionPoliciesFor(installation);
  try {
    const applied = await Promise.all(all.map(({ policy }) => cluster.apply<PolicyObject>(toApiObject(policy) as KubeObject)));
    await Promise.all(all.map(({ binding }) => cluster.apply(toApiObject(binding) as KubeObject)));
    await Promise.all(applied.map((policy) => observed(cluster, policy, Date.now() + timeoutMs)));
  } catch (error) {
    if (error instanceof ClusterUnreachable || !(error instanceof KubeApiError)) throw error;
    const why =
      error.status === 404
        ? "the cluster does not serve admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy (it needs Kubernetes 1.30 or newer)"
        : error.status === 403
          ? "the platform's kubeconfig may not create ValidatingAdmissionPolicies and their bindings"
          : error.apiMessage;
    throw new Error(`Academy could not install the admission policies that guard sandboxes: ${why}.`, { cause: error });
  }
}

/**
 * The API server compiles a new or changed policy asynchronously; its status controller reports
 * `observedGeneration` once it has the current one. An unchanged policy is already observed, so
 * after the first start this costs nothing.
 */
async function observed(cluster: KubeClient, policy: PolicyObject, deadline: number): Promise<void> {
  let current: PolicyObject | null = policy;
  for (let delay = 50; ; delay = Math.min(delay * 2, 500)) {
    // The API server always sets a generation; an object without one has nothing to wait for.
    const generation = current?.metadata.generation;
    if (generation === undefined || (current?.status?.observedGeneration ?? -1) >= generation) return;
    if (Date.now() > deadline) {
      throw new Error(
        `The cluster has not taken up the admission policy ${policy.metadata.name} (observed generation ` +
          `${current?.status?.observedGeneration ?? "none"} of ${generation}); is kube-controller-manager running?`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    current = await cluster.get<PolicyObject>({ apiVersion: API_VERSION, kind: "ValidatingAdmissionPolicy", name: policy.metadata.name });
  }
}

/** Deletes this installation's policies and bindings (tests, uninstall); forgets that they were installed. */
export async function removeClusterPolicies(cluster: KubeClient, installation: string): Promise<void> {
  installed.delete(`${cluster.server} ${installation}`);
  const all = admissionPoliciesFor(installation);
  await Promise.all(all.map(({ binding }) => cluster.remove({ apiVersion: API_VERSION, kind: binding.kind!, name: binding.metadata!.name! })));
  await Promise.all(all.map(({ policy }) => cluster.remove({ apiVersion: API_VERSION, kind: policy.kind!, name: policy.metadata!.name! })));
}
