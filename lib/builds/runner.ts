// Runs one claimed build on the cluster: the builds namespace (once per process), the context
// Secret and the Job (manifests.ts), the build log followed line by line, and the outcome read
// from the Job, its pod and the termination message (outcome.ts). The build itself runs in the
// pod on the real node, never in this process; this only watches it.
import "server-only";
import { Writable } from "node:stream";
import { Log } from "@kubernetes/client-node";
import { KubeApiError, type KubeClient, type KubeObject } from "@/lib/k8s/client";
import { toApiObject } from "@/lib/sandbox/manifests";
import {
  BUILDS_NAMESPACE,
  buildContextSecretFor,
  buildJobFor,
  buildJobName,
  buildsNamespaceFor,
  BUILD_LABEL,
  NODE_REGISTRY_PORT,
  REAL_NODE_SELECTOR,
  type BuildSpec,
} from "./manifests";
import { buildOutcome, type BuildObservation, type BuildOutcome } from "./outcome";

export type RunnerEvents = {
  /** Progress in words ("Starting the builder…"). */
  onPhase: (words: string) => void;
  onLog: (line: string) => void;
};

const LOG_TAIL = 200;
/** A pod that cannot be scheduled this long means there is no node that can build. */
const UNSCHEDULABLE_MS = 30_000;

const api = (object: object) => toApiObject(object) as KubeObject;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const namespaces = new Map<string, Promise<void>>();

/** Creates (server-side apply) the builds namespace once per process and cluster. */
export function ensureBuildsNamespace(cluster: KubeClient): Promise<void> {
  let pending = namespaces.get(cluster.server);
  if (!pending) {
    pending = cluster.apply(api(buildsNamespaceFor())).then(() => undefined);
    namespaces.set(cluster.server, pending);
    pending.catch(() => namespaces.delete(cluster.server));
  }
  return pending;
}

type NodeObject = KubeObject & { status?: { addresses?: { type: string; address: string }[] } };

/**
 * The registry as build pods reach it: the relay on the real node's InternalIP. null when the
 * cluster has no real node (then nothing can build).
 */
export async function nodeRegistryAddress(cluster: KubeClient): Promise<string | null> {
  const selector = Object.entries(REAL_NODE_SELECTOR).map(([k, v]) => `${k}=${v}`).join(",");
  const nodes = await cluster.list<NodeObject>("v1", "Node", { labelSelector: selector });
  const ip = nodes.flatMap((n) => n.status?.addresses ?? []).find((a) => a.type === "InternalIP")?.address;
  return ip ? `${ip}:${NODE_REGISTRY_PORT}` : null;
}

type PodObject = KubeObject & {
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    containerStatuses?: {
      name: string;
      state?: {
        waiting?: { reason?: string; message?: string };
        running?: object;
        terminated?: { reason?: string; message?: string; exitCode?: number };
      };
    }[];
  };
};
type JobObject = KubeObject & {
  metadata: { uid?: string };
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] };
};

async function buildPod(cluster: KubeClient, id: string): Promise<PodObject | null> {
  const pods = await cluster.list<PodObject>("v1", "Pod", { namespace: BUILDS_NAMESPACE, labelSelector: `${BUILD_LABEL}=${id}` });
  return pods[0] ?? null;
}

function jobFailure(job: JobObject | null): string | null {
  const failed = job?.status?.conditions?.find((c) => (c.type === "Failed" || c.type === "FailureTarget") && c.status === "True");
  return failed ? (failed.reason ?? "Failed") : null;
}

function jobDone(job: JobObject | null): boolean {
  return Boolean(job?.status?.conditions?.some((c) => (c.type === "Complete" || c.type === "Failed") && c.status === "True"));
}

/** An image pull problem of the builder itself, in words (the platform's fault, not the learner's). */
function waitingProblem(pod: PodObject): string | null {
  const waiting = pod.status?.containerStatuses?.[0]?.state?.waiting;
  if (waiting?.reason && /ErrImagePull|ImagePullBackOff|InvalidImageName|CreateContainerConfigError|CreateContainerError/.test(waiting.reason)) {
    return `the builder container cannot start (${waiting.reason}: ${waiting.message ?? "no message"})`;
  }
  return null;
}

/** An RFC 3339 stamp with its fraction padded to nanoseconds, so stamps compare as strings. */
export function sortableStamp(stamp: string): string {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(stamp);
  return m ? `${m[1]}.${(m[2] ?? "").padEnd(9, "0")}Z` : stamp;
}

/** Follows the pod's log until the container ends, reconnecting (without repeating lines) if the stream drops. */
async function followLog(cluster: KubeClient, pod: string, onLine: (line: string) => void, stillRunning: () => Promise<boolean>): Promise<void> {
  const log = new Log(cluster.kubeConfig);
  let last = "";
  for (let attempt = 0; attempt < 20; attempt++) {
    let partial = "";
    const emit = (raw: string) => {
      // `timestamps: true`: "<RFC3339Nano> <line>"; the stamp lets a reconnect skip what was seen.
      const stamped = /^(\d{4}-\d\d-\d\dT\S+) (.*)$/.exec(raw);
      // Without a stamp it is the kubelet speaking, not the build (a container already removed).
      if (!stamped) return;
      const stamp = sortableStamp(stamped[1]!);
      // After a reconnect (sinceTime has second precision) the lines already seen come again.
      if (attempt > 0 && stamp <= last) return;
      if (stamp > last) last = stamp;
      onLine(stamped[2]!);
    };
    await new Promise<void>((resolve) => {
      const sink = new Writable({
        write(chunk: Buffer, _enc, done) {
          const lines = (partial + chunk.toString("utf8")).split("\n");
          partial = lines.pop() ?? "";
          lines.forEach(emit);
          done();
        },
        final(done) {
          if (partial) emit(partial);
          done();
          resolve();
        },
      });
      sink.on("error", () => resolve());
      log
        .log(BUILDS_NAMESPACE, pod, "build", sink, { follow: true, timestamps: true, ...(last ? { sinceTime: `${last.slice(0, 19)}Z` } : {}) })
        .catch(() => resolve());
    });
    if (!(await stillRunning())) return;
    await sleep(500);
  }
}

export type RunBuildInput = BuildSpec & { dockerfileText: string };

/**
 * Runs the build to its end and says how it went. Cluster errors other than the expected ones
 * are thrown (the caller records the build as failed and reports a server error).
 */
export async function runBuild(cluster: KubeClient, input: RunBuildInput, events: RunnerEvents): Promise<BuildOutcome> {
  const { context, dockerfileText, ...spec } = input;
  const limits = { deadlineSeconds: spec.limits.deadlineSeconds, memory: spec.limits.memory, storage: spec.limits.storage };
  const packed = buildContextSecretFor({ id: spec.id, installation: spec.installation, context });
  if (!packed.ok) return { ok: false, reason: "dockerfile", error: packed.error, details: [] };

  await ensureBuildsNamespace(cluster);
  events.onPhase("Sending your files to the builder…");
  await cluster.apply(api(packed.secret));
  const job = await cluster.apply<JobObject>(api(buildJobFor(spec, packed.items)));
  const jobRef = { apiVersion: "batch/v1", kind: "Job", name: buildJobName(spec.id), namespace: BUILDS_NAMESPACE };
  // The Secret goes with the Job (garbage collection), whoever deletes it: us, or its TTL.
  await cluster.apply(
    api({
      ...packed.secret,
      metadata: {
        ...packed.secret.metadata,
        ownerReferences: [{ apiVersion: "batch/v1", kind: "Job", name: jobRef.name, uid: job.metadata.uid!, blockOwnerDeletion: false }],
      },
    }),
  );

  const tail: string[] = [];
  const onLine = (line: string) => {
    tail.push(line);
    if (tail.length > LOG_TAIL) tail.shift();
    events.onLog(line);
  };
  try {
    events.onPhase("Starting the builder…");
    const queuedAt = Date.now();
    let waitingForRoom = false;
    let pod: PodObject | null = null;
    for (;;) {
      pod = await buildPod(cluster, spec.id);
      const phase = pod?.status?.phase;
      if (phase === "Running" || phase === "Succeeded" || phase === "Failed") break;
      const current = await cluster.get<JobObject>(jobRef);
      if (jobDone(current)) break;
      if (pod) {
        const problem = waitingProblem(pod);
        if (problem) return { ok: false, reason: "unknown", error: `The build could not start: ${problem}. Tell your instructor.`, details: [] };
        const unschedulable = pod.status?.conditions?.find((c) => c.type === "PodScheduled" && c.status === "False");
        // A full node is a wait (learners' pods come and go); a cluster with no node for builds is not.
        const full = /Insufficient (cpu|memory|ephemeral-storage)|Too many pods/i.test(unschedulable?.message ?? "");
        if (unschedulable && full && !waitingForRoom) {
          waitingForRoom = true;
          events.onPhase("Waiting for room on the cluster's build node (it is busy)…");
        }
        const waitLimit = full ? spec.limits.deadlineSeconds * 1000 : UNSCHEDULABLE_MS;
        if (unschedulable && Date.now() - queuedAt > waitLimit) {
          return {
            ok: false,
            reason: "unknown",
            error: full
              ? `The build could not start: the cluster's build node had no room for it for ${Math.round(waitLimit / 60_000)} minutes (${unschedulable.message}). Try again later.`
              : `The build could not start: no node can run it (${unschedulable.message ?? unschedulable.reason ?? "unschedulable"}). Image builds need the cluster's real node; tell your instructor.`,
            details: [],
          };
        }
      }
      await sleep(500);
    }
    if (pod) {
      events.onPhase("Building…");
      const name = pod.metadata.name;
      await followLog(cluster, name, onLine, async () => {
        const p = await buildPod(cluster, spec.id);
        return p?.status?.phase === "Running";
      });
    }
    // The log ends when the container does; the Job's verdict (deadline) can come a moment later.
    let final: { job: JobObject | null; pod: PodObject | null } = { job: null, pod: null };
    for (let i = 0; i < 60; i++) {
      final = { job: await cluster.get<JobObject>(jobRef), pod: await buildPod(cluster, spec.id) };
      const terminated = final.pod?.status?.containerStatuses?.[0]?.state?.terminated;
      if (jobDone(final.job) && (terminated || !final.pod || final.pod.status?.phase === "Failed")) break;
      await sleep(500);
    }
    const terminated = final.pod?.status?.containerStatuses?.[0]?.state?.terminated;
    const observed: BuildObservation = {
      terminationMessage: terminated?.message ?? null,
      containerReason: terminated?.reason ?? null,
      exitCode: terminated?.exitCode ?? null,
      podReason: final.pod?.status?.reason ?? null,
      podMessage: final.pod?.status?.message ?? null,
      jobFailedReason: jobFailure(final.job),
      logTail: tail,
    };
    return buildOutcome(observed, dockerfileText, limits);
  } finally {
    // The pod and its storage go at once (the Secret with them); the TTL covers a process that died here.
    await cluster.remove(jobRef, { propagationPolicy: "Background" }).catch((error: unknown) => {
      if (!(error instanceof KubeApiError)) throw error;
    });
  }
}
