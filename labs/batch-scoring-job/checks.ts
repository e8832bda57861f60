import { imageProblem, parseQuantity } from "@/lib/checks/kinds/k8s";
import { PROFILE_SIZES } from "@/lib/sandbox/manifests";
import { fail, pass, type AnyObject, type CheckContext, type CheckOutcome } from "@/lib/checks/types";
import { defineChecks } from "@/lib/labs/define";

const JOB = { apiVersion: "batch/v1", kind: "Job", name: "churn-scoring" } as const;
const CONFIG_MAP = "scoring-settings";
/** The lab's sandbox size: its per-container maximum and namespace quota bound the Job. */
const SIZES = PROFILE_SIZES.small;
const MAX_CPU = "1";
const MAX_MEMORY = "1Gi";

type Container = {
  name?: string;
  image?: string;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    privileged?: boolean;
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
    capabilities?: { drop?: string[]; add?: string[] };
    seccompProfile?: { type?: string };
  };
  env?: Array<{ name?: string; valueFrom?: { configMapKeyRef?: { name?: string } } }>;
  envFrom?: Array<{ configMapRef?: { name?: string } }>;
};

type PodSpec = {
  containers?: Container[];
  initContainers?: Container[];
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number; seccompProfile?: { type?: string } };
  volumes?: Array<{ name?: string; hostPath?: unknown; configMap?: { name?: string }; projected?: { sources?: Array<{ configMap?: { name?: string } }> } }>;
};

type JobObject = AnyObject & {
  spec?: {
    completions?: number;
    parallelism?: number;
    completionMode?: string;
    backoffLimit?: number;
    backoffLimitPerIndex?: number;
    template?: { spec?: PodSpec };
  };
  status?: {
    active?: number;
    succeeded?: number;
    failed?: number;
    conditions?: Array<{ type?: string; status?: string; reason?: string; message?: string }>;
  };
};

/** The Job as the grader sees it, or the outcome to report when it is not there. */
async function readJob(ctx: CheckContext): Promise<JobObject | CheckOutcome> {
  if (!ctx.cluster) throw new Error("This check needs the lab's sandbox, but the grader was given no cluster.");
  const job = await ctx.cluster.get(JOB);
  if (job) return job as JobObject;
  return fail(
    `There is no Job "${JOB.name}" in your namespace ${ctx.cluster.namespace}. Apply \`k8s/job.yaml\`; if the apply was refused, the check "The API server accepts both manifests" says why.`,
  );
}

function isOutcome(value: unknown): value is CheckOutcome {
  return !!value && typeof value === "object" && "status" in value && "message" in value && !("metadata" in value);
}

function podSpec(job: JobObject): PodSpec {
  return job.spec?.template?.spec ?? {};
}

function allContainers(job: JobObject): Container[] {
  const spec = podSpec(job);
  return [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
}

/** How old a Job must be before "not finished yet" is the answer rather than "give it a moment". */
const YOUNG_MS = 12_000;

/** The verdict on a finished Job (complete or failed), or null while it runs. */
function finished(job: JobObject): CheckOutcome | null {
  const conditions = job.status?.conditions ?? [];
  const is = (type: string) => conditions.find((c) => c.type === type && c.status === "True");
  if (is("Complete")) return pass(`Job "${JOB.name}" completed: ${job.status?.succeeded ?? 0} of ${job.spec?.completions ?? 1} pod(s) succeeded.`);
  const failed = is("Failed");
  if (failed) {
    return fail(
      `Job "${JOB.name}" failed${failed.reason ? ` (${failed.reason})` : ""}: ${failed.message ?? "no message"}. Fix the cause, delete the Job and apply it again.`,
    );
  }
  return null;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });

export const checks = defineChecks([
  {
    id: "manifests-accepted",
    title: "The API server accepts both manifests",
    points: 10,
    hints: [
      "The message names the file, document and field the API server refused; fix that field first.",
      "A Job's pods may not use the default `restartPolicy: Always`: set `restartPolicy: Never` in `spec.template.spec`.",
      "\"field is immutable\" means the Job already exists with another template: `kubectl delete job churn-scoring`, then apply again.",
    ],
    kind: "manifests.dryRun",
    params: { files: ["k8s/configmap.yaml", "k8s/job.yaml"] },
  },
  {
    id: "restart-policy",
    title: "The pods never restart forever",
    points: 5,
    hints: [
      "Set `restartPolicy: Never` in `spec.template.spec`: each retry is then a new pod and the failed attempts' logs are kept.",
      "`OnFailure` is accepted too, but restarts the container inside the same pod and loses the earlier logs.",
    ],
    kind: "k8s.field",
    params: { ...JOB, path: "spec.template.spec.restartPolicy", matches: "^(Never|OnFailure)$" },
  },
  {
    id: "retries-bounded",
    title: "Retries are bounded",
    points: 10,
    hints: [
      "Without `backoffLimit` a failing Job is retried 6 times, with growing delays of up to six minutes; set `spec.backoffLimit: 2`.",
      "For an Indexed Job you may instead give each shard its own budget with `spec.backoffLimitPerIndex` (at most 3).",
    ],
    kind: "custom",
    needsCluster: true,
    async run(ctx) {
      const job = await readJob(ctx);
      if (isOutcome(job)) return job;
      const perIndex = job.spec?.backoffLimitPerIndex;
      if (typeof perIndex === "number") {
        return perIndex <= 3
          ? pass(`Each shard is retried at most ${perIndex} time(s) (\`backoffLimitPerIndex\`).`)
          : fail(`\`backoffLimitPerIndex\` is ${perIndex}: a shard that fails for good is retried ${perIndex} times. Use at most 3.`);
      }
      const limit = job.spec?.backoffLimit ?? 6;
      if (limit > 3) {
        return fail(
          `\`spec.backoffLimit\` is ${limit}${job.spec?.backoffLimit === undefined ? " (the default)" : ""}: a deterministic failure is retried ${limit} times, which takes over ten minutes of back-off alone. Use at most 3.`,
        );
      }
      return pass(`The Job is retried at most ${limit} time(s).`);
    },
  },
  {
    id: "deadline",
    title: "A stuck run is stopped within an hour",
    points: 10,
    hints: [
      "Set `spec.activeDeadlineSeconds` on the Job (not on the pod): a shard takes about ten minutes, so between 1200 and 3600 seconds.",
      "The deadline covers the whole run, retries included; when it passes, Kubernetes stops every pod and marks the Job failed.",
    ],
    kind: "k8s.field",
    params: { ...JOB, path: "spec.activeDeadlineSeconds", min: 1200, max: 3600 },
  },
  {
    id: "cleaned-up",
    title: "A finished Job cleans itself up",
    points: 5,
    hints: [
      "Set `spec.ttlSecondsAfterFinished`, for example `86400` (a day): long enough to read a failed run's logs, short enough that old runs do not pile up.",
      "The lab accepts one hour (3600) to seven days (604800).",
    ],
    kind: "k8s.field",
    params: { ...JOB, path: "spec.ttlSecondsAfterFinished", min: 3600, max: 604800 },
  },
  {
    id: "sharded",
    title: "One pod per shard, more than one at a time",
    points: 10,
    hints: [
      "Set `completionMode: Indexed` and `completions` to the ConfigMap's `SHARD_COUNT`: each pod then gets its shard number in `JOB_COMPLETION_INDEX`.",
      "`parallelism` is how many shards run at once: more than 1, at most `completions`, and small enough that the pods fit your quota.",
    ],
    kind: "custom",
    needsCluster: true,
    async run(ctx) {
      const job = await readJob(ctx);
      if (isOutcome(job)) return job;
      const settings = await ctx.cluster!.get({ apiVersion: "v1", kind: "ConfigMap", name: CONFIG_MAP });
      const shards = Number((settings?.data as Record<string, string> | undefined)?.SHARD_COUNT);
      if (!settings) return fail(`There is no ConfigMap "${CONFIG_MAP}" to read \`SHARD_COUNT\` from. Apply \`k8s/configmap.yaml\`.`);
      if (!Number.isInteger(shards) || shards < 1) return fail(`ConfigMap "${CONFIG_MAP}" has no whole-number \`SHARD_COUNT\`; keep it at "4".`);
      const { completionMode = "NonIndexed", completions = 1, parallelism = 1 } = job.spec ?? {};
      if (completionMode !== "Indexed") {
        return fail(`The Job's \`completionMode\` is ${completionMode}: its pods are interchangeable and would all score the same rows. Use \`Indexed\`.`);
      }
      if (completions !== shards) return fail(`\`completions\` is ${completions}, but \`SHARD_COUNT\` is ${shards}: ${completions < shards ? "some shards are never scored" : "some pods get a shard that does not exist"}.`);
      if (parallelism < 2) return fail(`\`parallelism\` is ${parallelism}: the ${shards} shards run one after the other. Run at least two at once.`);
      if (parallelism > completions) return fail(`\`parallelism\` is ${parallelism}, more than the ${completions} shards there are.`);
      return pass(`${completions} indexed shards, ${parallelism} at a time.`);
    },
  },
  {
    id: "resources",
    title: "Bounded requests and limits that fit the quota",
    points: 10,
    hints: [
      "Under the container: `resources: {requests: {cpu: 250m, memory: 512Mi}, limits: {cpu: 500m, memory: 1Gi}}` (a shard needs about 400 MiB).",
      "`parallelism` pods run at once, so `parallelism × requests` must fit 1 CPU and 2Gi, and `parallelism × limits` 2 CPU and 4Gi. Pods that do not fit are refused and the shards run one by one.",
    ],
    kind: "custom",
    needsCluster: true,
    async run(ctx) {
      const job = await readJob(ctx);
      if (isOutcome(job)) return job;
      const problems: string[] = [];
      const containers = podSpec(job).containers ?? [];
      const total = { requests: { cpu: 0, memory: 0 }, limits: { cpu: 0, memory: 0 } };
      for (const c of containers) {
        const name = `container "${c.name}"`;
        for (const which of ["requests", "limits"] as const) {
          for (const resource of ["cpu", "memory"] as const) {
            const value = c.resources?.[which]?.[resource];
            if (!value) {
              problems.push(`${name} has no ${resource} ${which === "requests" ? "request" : "limit"}`);
              continue;
            }
            const amount = parseQuantity(value);
            const max = resource === "cpu" ? MAX_CPU : MAX_MEMORY;
            if (amount > parseQuantity(max)) problems.push(`${name} ${which} ${value} of ${resource}, more than the lab allows (${max})`);
            total[which][resource] += amount;
          }
        }
        for (const resource of ["cpu", "memory"] as const) {
          const req = c.resources?.requests?.[resource];
          const lim = c.resources?.limits?.[resource];
          if (req && lim && parseQuantity(req) > parseQuantity(lim)) problems.push(`${name} requests more ${resource} (${req}) than its limit (${lim})`);
        }
      }
      if (containers.length === 0) problems.push("the pod template has no containers");
      if (problems.length) return fail(`Job "${JOB.name}": ${problems.join("; ")}.`, problems);
      const parallel = job.spec?.parallelism ?? 1;
      const quota = {
        requests: { cpu: parseQuantity(SIZES.requestsCpu), memory: parseQuantity(SIZES.requestsMemory) },
        limits: { cpu: parseQuantity(SIZES.limitsCpu), memory: parseQuantity(SIZES.limitsMemory) },
      };
      const shown = { requests: { cpu: SIZES.requestsCpu, memory: SIZES.requestsMemory }, limits: { cpu: SIZES.limitsCpu, memory: SIZES.limitsMemory } };
      for (const which of ["requests", "limits"] as const) {
        for (const resource of ["cpu", "memory"] as const) {
          if (total[which][resource] * parallel > quota[which][resource] + 1e-9) {
            problems.push(`${parallel} pods at once ${which === "requests" ? "request" : "are limited to"} more ${resource} than the namespace quota allows (${which}.${resource} ${shown[which][resource]})`);
          }
        }
      }
      if (problems.length) return fail(`Job "${JOB.name}": ${problems.join("; ")}.`, problems);
      return pass(`Every container has bounded requests and limits, and ${parallel} pod(s) at once fit the quota.`);
    },
  },
  {
    id: "security-context",
    title: "The scorer runs under the restricted Pod Security level",
    points: 15,
    hints: [
      "Pod level (`spec.template.spec.securityContext`): `runAsNonRoot: true`, `runAsUser: 10001`, `seccompProfile: {type: RuntimeDefault}`.",
      "Container level: `allowPrivilegeEscalation: false`, `readOnlyRootFilesystem: true`, `capabilities: {drop: [ALL]}`.",
      "With a read-only root filesystem, mount an `emptyDir` volume at `/tmp` for the scorer's temporary files.",
    ],
    kind: "custom",
    needsCluster: true,
    async run(ctx) {
      const job = await readJob(ctx);
      if (isOutcome(job)) return job;
      const spec = podSpec(job);
      const pod = spec.securityContext ?? {};
      const problems: string[] = [];
      if (spec.hostNetwork || spec.hostPID || spec.hostIPC) problems.push("the pod shares the node's network, PID or IPC namespace");
      if ((spec.volumes ?? []).some((v) => v.hostPath)) problems.push("a volume mounts a path of the node (`hostPath`)");
      const containers = allContainers(job);
      if (containers.length === 0) problems.push("the pod template has no containers");
      for (const c of containers) {
        const sc = c.securityContext ?? {};
        const name = `container "${c.name}"`;
        if ((sc.runAsNonRoot ?? pod.runAsNonRoot) !== true) problems.push(`${name}: set \`runAsNonRoot: true\``);
        else if ((sc.runAsUser ?? pod.runAsUser) === 0) problems.push(`${name}: \`runAsUser: 0\` is root`);
        if (sc.privileged) problems.push(`${name}: must not be \`privileged\``);
        if (sc.allowPrivilegeEscalation !== false) problems.push(`${name}: set \`allowPrivilegeEscalation: false\``);
        if (!(sc.capabilities?.drop ?? []).some((d) => d.toUpperCase() === "ALL")) problems.push(`${name}: drop all capabilities (\`capabilities: {drop: [ALL]}\`)`);
        if ((sc.capabilities?.add ?? []).some((a) => a.toUpperCase() !== "NET_BIND_SERVICE")) problems.push(`${name}: adds capabilities back`);
        const seccomp = sc.seccompProfile?.type ?? pod.seccompProfile?.type;
        if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") problems.push(`${name}: set \`seccompProfile: {type: RuntimeDefault}\` (on the pod or the container)`);
        if (sc.readOnlyRootFilesystem !== true) problems.push(`${name}: set \`readOnlyRootFilesystem: true\` (and mount an emptyDir at /tmp)`);
      }
      return problems.length
        ? fail(`Job "${JOB.name}" is not locked down: ${problems.join("; ")}.`, problems)
        : pass(`Job "${JOB.name}" meets the restricted level with a read-only root filesystem.`);
    },
  },
  {
    id: "image-pinned",
    title: "The image is pinned to a version",
    points: 5,
    hints: ["Use `ghcr.io/academy-labs/model-server:1.4.2` (or an `@sha256:` digest) instead of `:latest`: a rerun of last night's Job must score with last night's model."],
    kind: "custom",
    needsCluster: true,
    async run(ctx) {
      const job = await readJob(ctx);
      if (isOutcome(job)) return job;
      const problems = allContainers(job).flatMap((c) => {
        const problem = imageProblem(c.image ?? "");
        return problem ? [`container "${c.name}": ${problem}`] : [];
      });
      return problems.length ? fail(`${problems.join("; ")}.`) : pass(`Every image of Job "${JOB.name}" is pinned.`);
    },
  },
  {
    id: "settings-from-configmap",
    title: "The scorer reads its settings from the ConfigMap",
    points: 5,
    hints: [
      "Replace the hard-coded `env` entries with `envFrom: [{configMapRef: {name: scoring-settings}}]`.",
      "Apply `k8s/configmap.yaml` too: the Job's pods cannot start while the ConfigMap they read is missing.",
    ],
    kind: "custom",
    needsCluster: true,
    async run(ctx) {
      const job = await readJob(ctx);
      if (isOutcome(job)) return job;
      const settings = await ctx.cluster!.get({ apiVersion: "v1", kind: "ConfigMap", name: CONFIG_MAP });
      if (!settings) return fail(`There is no ConfigMap "${CONFIG_MAP}" in your namespace. Apply \`k8s/configmap.yaml\`.`);
      const spec = podSpec(job);
      const used =
        allContainers(job).some(
          (c) =>
            (c.envFrom ?? []).some((e) => e.configMapRef?.name === CONFIG_MAP) ||
            (c.env ?? []).some((e) => e.valueFrom?.configMapKeyRef?.name === CONFIG_MAP),
        ) ||
        (spec.volumes ?? []).some((v) => v.configMap?.name === CONFIG_MAP || (v.projected?.sources ?? []).some((s) => s.configMap?.name === CONFIG_MAP));
      return used
        ? pass(`Job "${JOB.name}" reads ConfigMap "${CONFIG_MAP}".`)
        : fail(`ConfigMap "${CONFIG_MAP}" exists, but Job "${JOB.name}" does not use it: its settings are hard-coded, so changing the run means rebuilding the Job.`);
    },
  },
  {
    id: "job-complete",
    title: "The Job completes: every shard succeeded",
    points: 15,
    hints: [
      "`kubectl describe job churn-scoring` lists the Job's events: \"FailedCreate\" says why its pods were refused (Pod Security, quota, a missing ConfigMap).",
      "A Job that failed (deadline passed, retries used up) stays failed; delete it and apply again once the cause is fixed.",
    ],
    kind: "custom",
    needsCluster: true,
    timeoutMs: 30_000,
    async run(ctx) {
      const read = await readJob(ctx);
      if (isOutcome(read)) return read;
      let job = read;
      let verdict = finished(job);
      // Reads are a snapshot taken once per attempt. Pods of a Job applied seconds ago need a
      // moment, so a young Job gets one more look (a fresh list) when it is about 12 s old.
      const age = Date.now() - Date.parse(String(job.metadata.creationTimestamp ?? ""));
      if (!verdict && Number.isFinite(age) && age < YOUNG_MS) {
        await sleep(YOUNG_MS - Math.max(age, 0), ctx.signal);
        const again = (await ctx.cluster!.list(JOB.apiVersion, JOB.kind)).find((j) => j.metadata.name === JOB.name) as JobObject | undefined;
        if (!again) return fail(`Job "${JOB.name}" was deleted while the check waited for it. Apply it again.`);
        job = again;
        verdict = finished(job);
      }
      if (verdict) return verdict;
      const events = await ctx.cluster!.list("v1", "Event");
      const refusals = events
        .filter((e) => {
          const involved = (e as { involvedObject?: { kind?: string; name?: string } }).involvedObject;
          return involved?.kind === "Job" && involved.name === JOB.name && (e as { reason?: string }).reason === "FailedCreate";
        })
        .map((e) => String((e as { message?: string }).message ?? ""));
      if (refusals.length) {
        return fail(`Job "${JOB.name}" cannot create its pods: ${refusals[refusals.length - 1]}`, refusals.slice(-3));
      }
      const s = job.status ?? {};
      return fail(
        `Job "${JOB.name}" has not finished yet: ${s.succeeded ?? 0} of ${job.spec?.completions ?? 1} succeeded, ${s.active ?? 0} running, ${s.failed ?? 0} failed. Check again in a few seconds.`,
      );
    },
  },
]);
