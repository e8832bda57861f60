// Check kinds on what really runs in the learner's namespace (the real node runs the pods of
// `workloads: real` labs): the user a container runs as, whether readiness keeps a loading pod
// out of its Service, what a Job's pods printed. They read pods, events, logs and exec through
// ctx.live and ctx.cluster; when a pod is broken, its own state is the explanation
// (../pod-problems.ts).
import { randomBytes } from "node:crypto";
import type { V1Container, V1Job, V1Probe } from "@kubernetes/client-node";
import { z } from "zod";
import { explainPods, isReady, liveOf, podEvents, podsOf, type Pod } from "../live";
import { clusterOf, findObject, requireObject, waitFor } from "../objects";
import { learnerPattern, patternProblem } from "../pattern";
import { lastLines } from "../pod-problems";
import { fail, pass, type AnyObject, type CheckContext, type CheckOutcome } from "../types";
import { WorkloadRefSchema, describeWorkload, podTemplateOf, workloadRef } from "../workloads";
import { JsonRule, judgeJson } from "./http";
import { defineKind } from "./kind";

const Name = z.string().min(1).max(253);
/** A probe failure that says nothing listens yet (as opposed to the app answering "not ready"). */
/** How long the readiness check waits for its copy's container to start before its probe window (watchSeconds) opens. */
const READINESS_START_ALLOWANCE_SECONDS = 20;

const NOT_LISTENING = /connection refused|dial tcp|i\/o timeout|context deadline exceeded|no route to host|connection reset/i;
const Pattern = z.string().min(1).refine((p) => patternProblem(p, "m") === null, "is not a regular expression RE2 can run (no backreferences or lookaround)");

/** A container that is running now (state.running), in a pod that is not being deleted. */
function runningContainer(pod: Pod, container: string | undefined): string | null {
  if (pod.metadata.deletionTimestamp) return null;
  const status = (pod.status?.containerStatuses ?? []).find((s) => (container ? s.name === container : true) && s.state?.running);
  return status?.name ?? null;
}

/** Waits (up to `seconds`) for a pod of the workload with the container running; null when none came. */
async function waitForRunningPod(ctx: CheckContext, owner: AnyObject, container: string | undefined, seconds: number): Promise<{ pod: Pod; container: string } | null> {
  return waitFor(
    ctx,
    async () => {
      for (const pod of await podsOf(ctx, owner)) {
        const name = runningContainer(pod, container);
        if (name) return { pod, container: name };
      }
      return null;
    },
    { timeoutMs: seconds * 1000 },
  );
}

/** The effective uid (second field of `Uid:`) in a /proc/<pid>/status text; null when absent. */
export function effectiveUid(procStatus: string): number | null {
  const match = /^Uid:\s+(\d+)\s+(\d+)/m.exec(procStatus);
  return match ? Number(match[2]) : null;
}

function describeProbe(probe: V1Probe): string {
  if (probe.httpGet) return `GET ${probe.httpGet.path ?? "/"} on port ${probe.httpGet.port}`;
  if (probe.tcpSocket) return `a TCP connection to port ${probe.tcpSocket.port}`;
  if (probe.exec) return `the command \`${(probe.exec.command ?? []).join(" ")}\``;
  if (probe.grpc) return `gRPC on port ${probe.grpc.port}`;
  return "a probe of no known type";
}

/** The status code of GET `path` on the copy's probe port (through the pod proxy); null when it cannot be asked. */
async function askCopy(ctx: CheckContext, copy: Pod, container: V1Container, path: string): Promise<number | null> {
  const port = container.readinessProbe?.httpGet?.port ?? container.readinessProbe?.tcpSocket?.port ?? container.ports?.[0]?.containerPort;
  const number = typeof port === "number" ? port : container.ports?.find((cp) => cp.name === port)?.containerPort;
  if (!number) return null;
  const answer = await liveOf(ctx).http({ kind: "pod", name: copy.metadata.name, port: number }, { method: "GET", path, timeoutMs: 3_000 });
  return answer.fromApiServer ? null : answer.status;
}

type JobLike = V1Job & AnyObject;

function jobCondition(job: JobLike, type: string) {
  return (job.status?.conditions ?? []).find((c) => c.type === type && c.status === "True");
}

/** Why a failed Job failed, in the learner's terms (deadline, retries, failure policy). */
export function jobFailure(job: JobLike): string {
  const failed = jobCondition(job, "Failed");
  const s = job.status ?? {};
  const counts = `${s.succeeded ?? 0} of ${job.spec?.completions ?? 1} pod(s) succeeded, ${s.failed ?? 0} failed`;
  const name = `Job "${job.metadata.name}"`;
  switch (failed?.reason) {
    case "DeadlineExceeded":
      return `${name} ran longer than its \`activeDeadlineSeconds\` (${job.spec?.activeDeadlineSeconds} s) and was stopped (${counts}). Give it a deadline its work fits in, or find what makes a pod slow.`;
    case "BackoffLimitExceeded":
      return `${name} used up its retries (\`backoffLimit: ${job.spec?.backoffLimit ?? 6}\`) and failed (${counts}). Its pods' own error is below.`;
    case "PodFailurePolicy":
      return `${name} was failed by its \`podFailurePolicy\`: ${failed.message ?? "a pod failed"} (${counts}).`;
    default:
      return `${name} failed${failed?.reason ? ` (${failed.reason})` : ""}: ${failed?.message ?? "no message"} (${counts}).`;
  }
}

export const podKinds = {
  "k8s.runsAsUser": defineKind({
    params: z.object({
      workload: WorkloadRefSchema,
      container: z.string().optional(),
      /** The uid the running process must have (a non-root one). */
      uid: z.number().int().min(1).max(2 ** 31 - 1),
      /** How long to wait for a running container. */
      settleSeconds: z.number().int().min(0).max(40).default(20),
    }),
    needsCluster: true,
    needsRealWorkloads: true,
    async run(p, ctx) {
      const owner = await requireObject(ctx, workloadRef(p.workload));
      const live = liveOf(ctx);
      const found = await waitForRunningPod(ctx, owner, p.container, p.settleSeconds);
      if (!found) {
        const pods = await podsOf(ctx, owner);
        const why = await explainPods(ctx, pods);
        return fail(
          pods.length === 0
            ? `${describeWorkload(p.workload)} has no pod, so nothing runs to look at. Apply it and check again.`
            : `No container of ${describeWorkload(p.workload)}${p.container ? ` named "${p.container}"` : ""} is running, so the user it runs as cannot be read.${why.length ? "" : " Wait for the pods to start and check again."}`,
          why,
        );
      }
      const { pod, container } = found;
      // /proc/1/status is the container's main process as the kernel sees it (what an attacker
      // who takes over the app gets); `id -u` is the fallback for a container without `cat`.
      const proc = await live.exec(pod.metadata.name, container, ["cat", "/proc/1/status"], { timeoutMs: 10_000 });
      let uid = proc.ok && proc.exitCode === 0 ? effectiveUid(proc.stdout) : null;
      if (uid === null) {
        const id = await live.exec(pod.metadata.name, container, ["id", "-u"], { timeoutMs: 10_000 });
        uid = id.ok && id.exitCode === 0 && /^\d+\s*$/.test(id.stdout) ? Number(id.stdout.trim()) : null;
        if (uid === null) {
          // A container that stopped meanwhile (a crash loop) is explained by its own state.
          const now = (await findObject(ctx, { apiVersion: "v1", kind: "Pod", name: pod.metadata.name }, { fresh: true })) as Pod | null;
          if (!now || !runningContainer(now, container)) {
            return fail(`Container "${container}" of pod ${pod.metadata.name} stopped while the check read which user it runs as.`, now ? await explainPods(ctx, [now]) : []);
          }
          const why = proc.ok ? proc.stderr || `exit code ${proc.exitCode}` : proc.error;
          return fail(`Could not read which user container "${container}" of pod ${pod.metadata.name} runs as: neither \`cat /proc/1/status\` nor \`id -u\` worked (${why.trim()}).`);
        }
      }
      const where = `Container "${container}" of pod ${pod.metadata.name}`;
      if (uid === p.uid) return pass(`${where} runs as uid ${uid}, as expected.`);
      if (uid === 0) {
        return fail(`${where} runs as root (uid 0), not as uid ${p.uid}. Set \`runAsUser: ${p.uid}\` (and \`runAsNonRoot: true\`) in the pod's securityContext, or \`USER ${p.uid}\` in the image.`);
      }
      return fail(`${where} runs as uid ${uid}, not as uid ${p.uid}. Set \`runAsUser: ${p.uid}\` in the securityContext (or \`USER ${p.uid}\` in the image).`);
    },
  }),

  "k8s.readinessGates": defineKind({
    params: z.object({
      service: Name,
      workload: WorkloadRefSchema.refine((w) => w.kind === "Deployment" || w.kind === "StatefulSet", "readiness gates the pods of a Deployment or StatefulSet"),
      container: z.string().optional(),
      /**
       * An environment variable that keeps the app loading (not ready) for a while, set on the
       * grader's copy of the pod only: for the labs' model server, MODEL_LOAD_DELAY_SECONDS.
       */
      hold: z.object({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), value: z.string().max(20) }),
      /** The app's own readiness endpoint (e.g. /ready), asked on the copy to tell "not honouring the hold" from "probe passes too early". */
      readyPath: z.string().regex(/^\/[A-Za-z0-9._~/-]*$/).optional(),
      /** How long to watch the held copy for its first readiness result. */
      /** How long the copy's probe is watched once its container runs (the start may take up to 20 s more: keep the check's timeoutMs above both). */
      watchSeconds: z.number().int().min(5).max(35).default(30),
    }),
    needsCluster: true,
    needsRealWorkloads: true,
    async run(p, ctx) {
      const service = await requireObject(ctx, { apiVersion: "v1", kind: "Service", name: p.service });
      const owner = await requireObject(ctx, workloadRef(p.workload));
      const what = describeWorkload(p.workload);
      const template = podTemplateOf(owner);
      const containers: V1Container[] = template?.spec?.containers ?? [];
      const container = containers.find((c) => (p.container ? c.name === p.container : c.readinessProbe)) ?? containers.find((c) => !p.container || c.name === p.container);
      if (!container) return fail(`${what} has no container${p.container ? ` named "${p.container}"` : ""}.`);
      if (!container.readinessProbe) {
        return fail(`Container "${container.name}" of ${what} has no readinessProbe: its pods count as Ready as soon as they start, and the Service sends them requests while the model is still loading.`);
      }

      // 1. The Service sends traffic only to Ready pods: every endpoint its EndpointSlices mark
      //    ready belongs to a pod that is Ready, and at least one is (else nothing answers at all).
      const pods = await podsOf(ctx, owner);
      const slices = await clusterOf(ctx).list("discovery.k8s.io/v1", "EndpointSlice", { labelSelector: `kubernetes.io/service-name=${p.service}`, fresh: true });
      const endpoints = slices.flatMap((s) => ((s as { endpoints?: Array<{ conditions?: { ready?: boolean }; targetRef?: { kind?: string; name?: string } }> }).endpoints ?? []));
      const readyTargets = endpoints.filter((e) => e.conditions?.ready !== false && e.targetRef?.kind === "Pod").map((e) => e.targetRef!.name!);
      const byName = new Map(pods.map((pod) => [pod.metadata.name, pod]));
      const wrong = readyTargets.filter((name) => byName.has(name) && !isReady(byName.get(name)!));
      if (wrong.length) return fail(`Service "${p.service}" lists pod(s) ${wrong.join(", ")} as ready endpoints although they are not Ready. Check again in a few seconds.`);
      const mine = readyTargets.filter((name) => byName.has(name));
      if (mine.length === 0 && pods.some(isReady)) {
        return fail(`Service "${p.service}" sends traffic to none of the Ready pods of ${what}: its \`selector\` does not match their labels. Compare \`spec.selector\` with the pod template's labels.`);
      }
      if (mine.length === 0) {
        const why = await explainPods(ctx, pods);
        return fail(
          `Service "${p.service}" has no ready endpoint among the pods of ${what}${pods.length ? ` (${pods.filter(isReady).length} of ${pods.length} pods are Ready)` : ""}, so no request reaches the app. ${
            Object.keys((service.spec as { selector?: object } | undefined)?.selector ?? {}).length ? "" : "It has no selector. "
          }Fix the pods first; this check then looks at readiness.`,
          why,
        );
      }

      // 2. A pod that is not ready gets no traffic only if "not ready" means "cannot serve yet".
      //    The grader starts a copy of the learner's pod whose app is held loading (p.hold) and
      //    watches the kubelet's verdict on it: the readiness probe must fail while the model
      //    loads (the kubelet records each failure as an "Unhealthy" event with the probe's own
      //    result), and the copy must not become Ready. A probe on the liveness path or on a bare
      //    TCP port passes at once and is caught here. The copy carries none of the template's
      //    labels: with them its ReplicaSet would adopt it (and delete a pod to keep the replica
      //    count) and the Service would send it real traffic.
      const live = liveOf(ctx);
      const name = `${p.workload.name.slice(0, 40)}-readiness-${randomBytes(3).toString("hex")}`;
      const spec = structuredClone(template?.spec ?? {}) as Record<string, unknown> & { containers: V1Container[] };
      spec.containers = spec.containers.map((c) => (c.name === container.name ? { ...c, env: [...(c.env ?? []).filter((e) => e.name !== p.hold.env), { name: p.hold.env, value: p.hold.value }] } : c));
      const created = await live.createPod({ apiVersion: "v1", kind: "Pod", metadata: { name, labels: { "academy.dev/check": "readiness" } }, spec });
      if (!created.ok) {
        return fail(
          created.status === 403 && /quota/i.test(created.error)
            ? `This check starts one more copy of your pod for a moment, and your sandbox quota has no room for it: ${created.error}. Lower the pods' requests so one more fits, then check again.`
            : `A copy of your pod could not be created: ${created.error}`,
        );
      }
      const probe = describeProbe(container.readinessProbe);
      const delay = (container.readinessProbe.initialDelaySeconds ?? 0) + (container.readinessProbe.periodSeconds ?? 10);
      const noResult = () =>
        fail(
          `The readiness probe (${probe}) of a copy of your pod gave no result within ${p.watchSeconds} s of its container starting${delay > p.watchSeconds ? ` (it first runs after initialDelaySeconds + periodSeconds = ${delay} s)` : ""}. Make it run sooner (periodSeconds of 5–10 s) and check again.`,
        );
      try {
        const started = Date.now();
        // The probe's window opens when the copy's container runs: a busy node that takes a while
        // to start it does not count against the learner's probe settings.
        let runningAt: number | null = null;
        let verdict: CheckOutcome | null = null;
        await waitFor(
          ctx,
          async () => {
            const copy = (await findObject(ctx, { apiVersion: "v1", kind: "Pod", name }, { fresh: true })) as Pod | null;
            if (!copy) return (verdict = fail(`The grader's copy of your pod (${name}) was deleted while the check watched it. Check again.`));
            if (runningAt === null && (copy.status?.containerStatuses ?? []).some((s) => s.name === container.name && s.state?.running)) runningAt = Date.now();
            if (isReady(copy)) {
              const seconds = Math.round((Date.now() - started) / 1000);
              // Ask the copy's own readiness endpoint: still 503 means the probe passed while the
              // app could not serve. 2xx means the image did not honour the hold (an image that
              // loads its model before it listens): behaviour cannot tell the probes apart then,
              // so the probe's path is compared with the app's readiness endpoint, and said so.
              const held = p.readyPath ? await askCopy(ctx, copy, container, p.readyPath) : null;
              if (held !== null && held < 300) {
                const path = container.readinessProbe?.httpGet?.path;
                return (verdict =
                  path === p.readyPath
                    ? pass(`The readiness probe (${probe}) asks the app's readiness endpoint. (Your image ignores ${p.hold.env}, so a loading pod could not be watched; the probe's path was compared instead.)`)
                    : fail(`The readiness probe (${probe}) does not ask the app's readiness endpoint \`${p.readyPath}\`: it passes while the model is still loading, so the Service would send requests the pod cannot answer.`));
              }
              return (verdict = fail(
                `A copy of your pod whose model was still loading became Ready within ${seconds} s${held !== null ? ` while \`${p.readyPath}\` still answered ${held}` : ""}: its readiness probe (${probe}) passes before the app can serve, so the Service would send it requests it cannot answer. Probe the path that answers 503 until the model is loaded${p.readyPath ? ` (\`${p.readyPath}\`)` : ""}, not the liveness path.`,
              ));
            }
            const events = (await podEvents(ctx)).filter((e) => e.involvedObject?.name === name);
            // Only the app's own "not yet" counts: before the port opens every probe fails with
            // "connection refused", whatever path it asks, so such failures prove nothing.
            const refused = events.find((e) => e.reason === "Unhealthy" && /^Readiness probe/i.test(e.message ?? "") && !NOT_LISTENING.test(e.message ?? ""));
            if (refused) {
              return (verdict = pass(`Readiness gates traffic: the Service sends requests only to Ready pods, and a pod whose model is still loading is kept out (its probe, ${probe}, answered: ${(refused.message ?? "").replace(/^Readiness probe failed:\s*/i, "").trim()}).`));
            }
            const broken = await explainPods(ctx, [copy], 2);
            if (broken.length && !(copy.status?.containerStatuses ?? []).some((s) => s.state?.running)) return (verdict = fail(`A copy of your pod could not run, so readiness could not be judged.`, broken));
            if (runningAt !== null && Date.now() - runningAt > p.watchSeconds * 1000) return (verdict = noResult());
            return null;
          },
          { timeoutMs: (p.watchSeconds + READINESS_START_ALLOWANCE_SECONDS) * 1000 },
        );
        if (verdict) return verdict;
        if (runningAt === null) {
          return fail(
            `A copy of your pod did not start running within ${p.watchSeconds + READINESS_START_ALLOWANCE_SECONDS} s, so its readiness could not be judged: the node may be busy, or the image slow to start. Check again in a minute; \`kubectl get events\` shows what held it.`,
          );
        }
        return noResult();
      } finally {
        await live.deletePod(name);
      }
    },
  }),

  "k8s.jobOutput": defineKind({
    params: z.object({
      job: Name,
      container: z.string().optional(),
      /** How long to wait for the Job to finish (a Job applied seconds ago still runs). */
      waitSeconds: z.number().int().min(0).max(50).default(40),
      /** Patterns (RE2, multi-line) every succeeded pod's log must contain. */
      logMatches: z.array(Pattern).max(10).default([]),
      /** Some line of every succeeded pod's log is JSON meeting every rule. */
      jsonLine: z.array(JsonRule).max(10).default([]),
    }),
    needsCluster: true,
    needsRealWorkloads: true,
    async run(p, ctx) {
      const ref = { apiVersion: "batch/v1", kind: "Job", name: p.job } as const;
      await requireObject(ctx, ref, "Apply the Job's manifest, then check again.");
      let job: JobLike | null = null;
      await waitFor(
        ctx,
        async () => {
          job = (await findObject(ctx, ref, { fresh: true })) as JobLike | null;
          return !job || Boolean(jobCondition(job, "Complete") || jobCondition(job, "Failed"));
        },
        { timeoutMs: p.waitSeconds * 1000 },
      );
      const finished = job as JobLike | null;
      if (!finished) return fail(`Job "${p.job}" was deleted while the check waited for it. Apply it again.`);
      const pods = await podsOf(ctx, finished);
      if (jobCondition(finished, "Failed")) {
        const failedPods = pods.filter((pod) => pod.status?.phase === "Failed");
        return fail(jobFailure(finished), await explainPods(ctx, failedPods.length ? failedPods : pods));
      }
      const s = finished.status ?? {};
      const completions = finished.spec?.completions ?? 1;
      if (!jobCondition(finished, "Complete")) {
        const counts = `${s.succeeded ?? 0} of ${completions} pod(s) succeeded, ${s.active ?? 0} started and not finished, ${s.failed ?? 0} failed`;
        // Pods the API server refused (quota, Pod Security) exist only as the Job's events.
        const refusals = (await clusterOf(ctx).list("v1", "Event", { fresh: true }))
          .filter((e) => {
            const event = e as { involvedObject?: { kind?: string; name?: string }; reason?: string };
            return event.involvedObject?.kind === "Job" && event.involvedObject.name === p.job && event.reason === "FailedCreate";
          })
          .map((e) => String((e as { message?: string }).message ?? ""));
        if (refusals.length && !(s.active ?? 0)) return fail(`Job "${p.job}" cannot create its pods (${counts}): ${refusals.at(-1)}`, refusals.slice(-3));
        const running = pods.filter((pod) => pod.status?.phase !== "Succeeded");
        return fail(`Job "${p.job}" has not finished within ${p.waitSeconds} s: ${counts}.`, await explainPods(ctx, running));
      }
      const succeeded = pods.filter((pod) => pod.status?.phase === "Succeeded");
      if (succeeded.length < completions) {
        return fail(`Job "${p.job}" is complete, but only ${succeeded.length} of its ${completions} succeeded pod(s) are still there to read: were they deleted? Delete the Job and apply it again.`);
      }
      if (p.logMatches.length === 0 && p.jsonLine.length === 0) return pass(`Job "${p.job}" completed: ${s.succeeded} of ${completions} pod(s) succeeded.`);
      const live = liveOf(ctx);
      const problems: string[] = [];
      for (const pod of succeeded.slice(0, 8)) {
        const index = pod.metadata.annotations && (pod.metadata.annotations as Record<string, string>)["batch.kubernetes.io/job-completion-index"];
        const who = `pod ${pod.metadata.name}${index !== undefined ? ` (shard ${index})` : ""}`;
        // A learner may name the container otherwise: then the pod's only (first) container is read.
        const container = (pod.spec?.containers ?? []).some((c) => c.name === p.container) ? p.container : undefined;
        const log = await live.logs(pod.metadata.name, { container, tailLines: 500 });
        const missing = p.logMatches.filter((source) => !learnerPattern(source, "m").test(log));
        if (missing.length) {
          const tail = lastLines(log, 3);
          problems.push(`${who} printed nothing matching /${missing[0]}/${tail.length ? `; its last lines: ${tail.map((l) => `“${l}”`).join(" ")}` : " (its log is empty)"}`);
          continue;
        }
        if (p.jsonLine.length) {
          const lines = log.split("\n").map((l) => l.trim()).filter((l) => l.startsWith("{"));
          const parsed = lines.map((l) => {
            try {
              return JSON.parse(l) as unknown;
            } catch {
              return undefined;
            }
          });
          const fits = parsed.some((value) => value !== undefined && p.jsonLine.every((rule) => judgeJson(value, rule) === null));
          if (!fits) {
            const first = parsed.find((v) => v !== undefined);
            const why = first === undefined ? "no line of its log is a JSON object" : p.jsonLine.map((rule) => judgeJson(first, rule)).filter(Boolean).join("; ");
            problems.push(`${who}: ${why}`);
          }
        }
      }
      if (problems.length) return fail(`Job "${p.job}" completed, but its output is not what the lab expects: ${problems[0]}.`, problems);
      return pass(`Job "${p.job}" completed: ${s.succeeded} of ${completions} pod(s) succeeded, and each printed the expected output.`);
    },
  }),

  "k8s.podsStable": defineKind({
    params: z.object({
      workload: WorkloadRefSchema.refine((w) => w.kind === "Deployment" || w.kind === "StatefulSet", "stability is judged on the pods of a Deployment or StatefulSet"),
      /** How long every pod must stay Ready without a restart. */
      watchSeconds: z.number().int().min(3).max(30).default(10),
      /** How long pods still starting (not Ready yet, not crashed) are waited for first. */
      settleSeconds: z.number().int().min(0).max(45).default(30),
    }),
    needsCluster: true,
    needsRealWorkloads: true,
    async run(p, ctx) {
      const owner = await requireObject(ctx, workloadRef(p.workload));
      const what = describeWorkload(p.workload);
      const current = async () => (await podsOf(ctx, owner)).filter((pod) => !pod.metadata.deletionTimestamp);
      const restartsOf = (pod: Pod) => (pod.status?.containerStatuses ?? []).reduce((n, s) => n + (s.restartCount ?? 0), 0);
      const oomKilled = (pod: Pod) =>
        (pod.status?.containerStatuses ?? []).some((s) => s.lastState?.terminated?.reason === "OOMKilled" || s.state?.terminated?.reason === "OOMKilled");
      // Unstable from its own state: killed for memory, waiting to be restarted, or not Ready
      // since its container last died.
      const unstable = (pod: Pod, before: Map<string, number>) =>
        oomKilled(pod) ||
        restartsOf(pod) > (before.get(pod.metadata.name) ?? restartsOf(pod)) ||
        (pod.status?.containerStatuses ?? []).some((s) => s.state?.waiting?.reason === "CrashLoopBackOff" || (s.lastState?.terminated && !s.ready));
      const first = await current();
      if (first.length === 0) return fail(`${what} has no pods, so nothing is running. \`kubectl get deployment,replicaset\` shows whether it is scaled to 0 or cannot create pods.`);
      const before = new Map(first.map((pod) => [pod.metadata.name, restartsOf(pod)]));
      // Pods still starting are waited for; then every pod must stay Ready for watchSeconds. A
      // container that dies some seconds after it starts (an out-of-memory kill while the model
      // loads) looks fine at any one moment.
      let allReadySince: number | null = null;
      let last: Pod[] = first;
      const verdict = await waitFor(
        ctx,
        async () => {
          last = await current();
          const bad = last.filter((pod) => unstable(pod, before));
          if (bad.length > 0) return { bad };
          if (last.length === 0 || !last.every(isReady)) {
            allReadySince = null;
            return null;
          }
          allReadySince ??= Date.now();
          return Date.now() - allReadySince >= p.watchSeconds * 1000 ? { bad: [] as Pod[] } : null;
        },
        { timeoutMs: (p.settleSeconds + p.watchSeconds) * 1000 },
      );
      if (ctx.signal.aborted) return fail("The check ran out of time while watching the pods.");
      if (!verdict) {
        const details = await explainPods(ctx, last);
        return fail(`The pods of ${what} did not all become Ready and stay Ready for ${p.watchSeconds} s within ${p.settleSeconds + p.watchSeconds} s.`, details);
      }
      if (verdict.bad.length > 0) {
        const details = await explainPods(ctx, verdict.bad);
        return fail(
          verdict.bad.some(oomKilled)
            ? `${verdict.bad.length} pod(s) of ${what} were killed for using more memory than their limit (OOMKilled), and are restarted again and again.`
            : `${verdict.bad.length} pod(s) of ${what} keep crashing or restarting.`,
          details.length ? details : verdict.bad.map((pod) => `Pod ${pod.metadata.name}: restarted ${restartsOf(pod)} time(s).`),
        );
      }
      return pass(`${last.length} pod(s) of ${what} stayed Ready for ${p.watchSeconds} s without a restart.`);
    },
  }),
};
