import { fail, findObject, pass, requireObject } from "@/lib/checks/kit";
import { defineChecks } from "@/lib/labs/define";
import { PROFILE_SIZES } from "@/lib/sandbox/manifests";

const JOB = { apiVersion: "batch/v1", kind: "Job", name: "churn-scoring" } as const;
const workload = { kind: "Job", name: JOB.name } as const;
const CONFIG_MAP = { apiVersion: "v1", kind: "ConfigMap", name: "scoring-settings" } as const;
const APPLY_JOB = 'Apply `k8s/job.yaml`; if the apply was refused, the check "The API server accepts both manifests" says why.';
/** The lab's sandbox size: its namespace quota bounds the pods the Job runs at once. */
const SIZES = PROFILE_SIZES.small;

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
      const { spec } = await requireObject(ctx, JOB, APPLY_JOB);
      if (typeof spec?.backoffLimitPerIndex === "number") {
        const perIndex = spec.backoffLimitPerIndex;
        return perIndex <= 3
          ? pass(`Each shard is retried at most ${perIndex} time(s) (\`backoffLimitPerIndex\`).`)
          : fail(`\`backoffLimitPerIndex\` is ${perIndex}: a shard that fails for good is retried ${perIndex} times. Use at most 3.`);
      }
      const limit = spec?.backoffLimit ?? 6;
      if (limit <= 3) return pass(`The Job is retried at most ${limit} time(s).`);
      return fail(
        `\`spec.backoffLimit\` is ${limit}${spec?.backoffLimit === undefined ? " (the default)" : ""}: a deterministic failure is retried ${limit} times, which takes over ten minutes of back-off alone. Use at most 3.`,
      );
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
      const { spec } = await requireObject(ctx, JOB, APPLY_JOB);
      const settings = await findObject(ctx, CONFIG_MAP);
      if (!settings) return fail(`There is no ConfigMap "${CONFIG_MAP.name}" to read \`SHARD_COUNT\` from. Apply \`k8s/configmap.yaml\`.`);
      const shards = Number(settings.data?.SHARD_COUNT);
      if (!Number.isInteger(shards) || shards < 1) return fail(`ConfigMap "${CONFIG_MAP.name}" has no whole-number \`SHARD_COUNT\`; keep it at "4".`);
      const { completionMode = "NonIndexed", completions = 1, parallelism = 1 } = spec ?? {};
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
    kind: "k8s.resources",
    params: {
      workload,
      maxCpu: "1",
      maxMemory: "1Gi",
      quota: { requestsCpu: SIZES.requestsCpu, requestsMemory: SIZES.requestsMemory, limitsCpu: SIZES.limitsCpu, limitsMemory: SIZES.limitsMemory },
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
    kind: "k8s.securityContext",
    params: { workload },
  },
  {
    id: "image-pinned",
    title: "The image is pinned to a version",
    points: 5,
    hints: ["Use `ghcr.io/academy-labs/model-server:1.4.2` (or an `@sha256:` digest) instead of `:latest`: a rerun of last night's Job must score with last night's model."],
    kind: "k8s.imagePinned",
    params: { workload },
  },
  {
    id: "settings-from-configmap",
    title: "The scorer reads its settings from the ConfigMap",
    points: 5,
    hints: [
      "Replace the hard-coded `env` entries with `envFrom: [{configMapRef: {name: scoring-settings}}]`.",
      "Apply `k8s/configmap.yaml` too: the Job's pods cannot start while the ConfigMap they read is missing.",
    ],
    kind: "k8s.configConsumed",
    params: { workload, configMap: CONFIG_MAP.name },
  },
  {
    id: "job-complete",
    title: "Every shard really ran and wrote its scores",
    points: 20,
    hints: [
      "`kubectl describe job churn-scoring` lists the Job's events: \"FailedCreate\" says why its pods were refused (Pod Security, quota, a missing ConfigMap).",
      "`kubectl logs <pod>` shows what the scorer printed: it names a setting it cannot use (an `s3://` location cannot be reached from the sandbox; the ConfigMap's `file://` ones can) or the folder it cannot read (mount the ConfigMap `churn-features` at `/data/features`).",
      "A Job that failed (deadline passed, retries used up) stays failed; delete it and apply it again once the cause is fixed.",
    ],
    kind: "k8s.jobOutput",
    params: {
      job: JOB.name,
      container: "scorer",
      waitSeconds: 50,
      // The scorer's last line for a shard it wrote: "shard 2/4: scored 12 rows from 2 files into …".
      logMatches: ["shard \\d+/4: scored [1-9]\\d* rows from [1-9]\\d* files into /tmp/scores/"],
    },
    timeoutMs: 60_000,
  },
]);
