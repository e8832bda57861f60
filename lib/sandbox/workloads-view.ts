// Reads the learner's workloads for the lab page's "Workloads" panel: pods, events, controllers,
// the kind of node each pod is on, and the last log lines of each container, shaped by
// workloads-view-model.ts. The namespace is never taken from a request: `sandboxWorkloads`
// resolves it from the acting user's own sandbox row. Everything in the namespace is read as the
// sandbox's read-only grader service account, so the API server itself bounds the reads to that
// namespace; only the node objects (cluster-scoped: is the node real or KWOK?) are read with the
// platform's own client. Reading does not count as activity: a tab left open must not keep a
// sandbox alive.
import "server-only";
import type { ActingUser } from "@/lib/auth/acting-user";
import type { Database } from "@/lib/db/client";
import { reportServerError } from "@/lib/http/server-error";
import { ClusterUnreachable, KubeApiError, graderClient, type KubeClient, type KubeObject } from "@/lib/k8s/client";
import { ownedSandboxOnCluster } from "./access";
import { cleanLogLines } from "@/lib/checks/cluster-text";
import { isWorkspacePod } from "@/lib/checks/live";
import type { EventLike, PodLike } from "@/lib/checks/pod-problems";
import { LIVE_STATES } from "./queries";
import { clusterFailure, failure, type SandboxDeps, type SandboxFailure } from "./results";
import {
  logPlanFor,
  MAX_PODS,
  nodeKindOf,
  workloadsViewOf,
  type ControllerLike,
  type LogPlan,
  type LogView,
  type NodeKind,
  type NodeLike,
  type WorkloadsView,
} from "./workloads-view-model";

export type WorkloadsResult = { ok: true; view: WorkloadsView } | SandboxFailure;

/** Lines and bytes read per log: the panel shows the tail, and a chatty container must not fill the page. */
export const LOG_TAIL_LINES = 20;
export const LOG_LIMIT_BYTES = 16 * 1024;
const LOG_TIMEOUT_MS = 5_000;
const LOG_READS_AT_ONCE = 6;

export const WORKLOADS_UNREADABLE = "Your workloads cannot be read right now; try again in a moment.";

/**
 * The controllers whose pods the panel attributes, and whose FailedCreate events it explains:
 * the ones a learner can make (their Role has no DaemonSets), which the grader may read.
 */
const CONTROLLER_KINDS = [
  { apiVersion: "apps/v1", kind: "ReplicaSet" },
  { apiVersion: "apps/v1", kind: "StatefulSet" },
  { apiVersion: "batch/v1", kind: "Job" },
] as const;

/**
 * The workloads in the acting user's sandbox `sandboxId`, which must be theirs and ready. An
 * unreachable cluster or a refused read is a failure in words (with a request id in the log).
 */
export async function sandboxWorkloads(db: Database, user: ActingUser, sandboxId: string, deps: SandboxDeps = {}): Promise<WorkloadsResult> {
  const owned = await ownedSandboxOnCluster(db, user, sandboxId, deps, {
    states: LIVE_STATES,
    refuse: (row) => (row.state === "ready" ? null : failure("not-ready", "Your lab environment is still starting; your workloads show here once it is ready.")),
  });
  if (!owned.ok) return owned;
  try {
    return { ok: true, view: await readNamespaceWorkloads(owned.cluster, owned.row.namespace) };
  } catch (error) {
    if (error instanceof ClusterUnreachable) return clusterFailure(error);
    if (error instanceof KubeApiError) return failure("failed", reportServerError(WORKLOADS_UNREADABLE, "workloads: the cluster refused a read", error).error);
    throw error;
  }
}

/**
 * The view of one sandbox namespace, `cluster` being the platform's client. `namespace` must come
 * from the platform's own records (a sandbox row), never from a request. Throws what the client
 * throws.
 */
export async function readNamespaceWorkloads(cluster: KubeClient, namespace: string, now: Date = new Date()): Promise<WorkloadsView> {
  const reader = graderClient(cluster, namespace);
  const [pods, events, ...controllerLists] = await Promise.all([
    reader.list<KubeObject & PodLike>("v1", "Pod", { namespace }),
    reader.list<KubeObject & EventLike>("v1", "Event", { namespace }),
    ...CONTROLLER_KINDS.map(({ apiVersion, kind }) => reader.list<KubeObject & ControllerLike>(apiVersion, kind, { namespace })),
  ]);
  // The learner's terminal (the workspace pod) is the platform's, not one of their workloads.
  const shown = [...pods].filter((p) => !isWorkspacePod(p)).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name)).slice(0, MAX_PODS);
  const nodeKinds = await readNodeKinds(cluster, shown);
  const logs = await readLogs(reader, namespace, shown, nodeKinds);
  return workloadsViewOf({ namespace, pods: pods.filter((p) => !isWorkspacePod(p)), events, controllers: controllerLists.flat(), nodeKinds, logs, now });
}

/** Node kinds hardly ever change: a node is looked up at most once a minute per process. */
const nodeKindCache = new Map<string, { kind: Exclude<NodeKind, "unscheduled">; at: number }>();
const NODE_KIND_TTL_MS = 60_000;

async function readNodeKinds(cluster: KubeClient, pods: readonly PodLike[]): Promise<Map<string, NodeKind>> {
  const names = [...new Set(pods.map((p) => p.spec?.nodeName).filter((n): n is string => Boolean(n)))];
  const kinds = new Map<string, NodeKind>();
  await Promise.all(
    names.map(async (name) => {
      const cached = nodeKindCache.get(`${cluster.server}/${name}`);
      if (cached && Date.now() - cached.at < NODE_KIND_TTL_MS) {
        kinds.set(name, cached.kind);
        return;
      }
      const node = await cluster.get<KubeObject & NodeLike>({ apiVersion: "v1", kind: "Node", name });
      const kind = nodeKindOf(node);
      nodeKindCache.set(`${cluster.server}/${name}`, { kind, at: Date.now() });
      kinds.set(name, kind);
    }),
  );
  return kinds;
}

type ContainerLogs = { logs: LogView; previousLogs: LogView | null };

/** The log reads of every container of every shown pod, a few at a time. */
async function readLogs(
  cluster: KubeClient,
  namespace: string,
  pods: readonly PodLike[],
  nodeKinds: ReadonlyMap<string, NodeKind>,
): Promise<Map<string, Map<string, ContainerLogs>>> {
  const jobs: Array<() => Promise<void>> = [];
  const out = new Map<string, Map<string, ContainerLogs>>();
  for (const pod of pods) {
    const podName = pod.metadata?.name ?? "";
    const nodeName = pod.spec?.nodeName;
    const nodeKind: NodeKind = nodeName ? (nodeKinds.get(nodeName) ?? "real") : "unscheduled";
    const perContainer = new Map<string, ContainerLogs>();
    out.set(podName, perContainer);
    const containers = [
      ...(pod.spec?.initContainers ?? []).map((c) => ({ name: c.name ?? "", status: pod.status?.initContainerStatuses?.find((s) => s.name === c.name) })),
      ...(pod.spec?.containers ?? []).map((c) => ({ name: c.name ?? "", status: pod.status?.containerStatuses?.find((s) => s.name === c.name) })),
    ];
    for (const { name, status } of containers) {
      const [main, previous] = logPlanFor(status, nodeKind);
      const entry: ContainerLogs = { logs: { available: false, reason: "The log was not read." }, previousLogs: null };
      perContainer.set(name, entry);
      jobs.push(async () => {
        entry.logs = await readLog(cluster, namespace, podName, name, main!);
      });
      if (previous) {
        jobs.push(async () => {
          entry.previousLogs = await readLog(cluster, namespace, podName, name, previous);
        });
      }
    }
  }
  await runAtMost(LOG_READS_AT_ONCE, jobs);
  return out;
}

async function runAtMost(limit: number, jobs: Array<() => Promise<void>>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) await jobs[next++]!();
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
}

/** The kubelet answers 200 with this text when the run's log file is already gone. */
const LOG_GONE = /^unable to retrieve container logs for /;

/** One log read; every way it can fail becomes words (a log is never worth failing the panel for). */
export async function readLog(cluster: KubeClient, namespace: string, pod: string, container: string, plan: LogPlan): Promise<LogView> {
  if (!plan.read) return { available: false, reason: plan.reason };
  let body: unknown;
  try {
    const path = `${await cluster.pathFor({ apiVersion: "v1", kind: "Pod", namespace, name: pod })}/log`;
    body = await cluster.request<unknown>("GET", path, {
      query: { container, tailLines: LOG_TAIL_LINES, limitBytes: LOG_LIMIT_BYTES, previous: plan.previous || undefined },
      timeoutMs: LOG_TIMEOUT_MS,
      retry: false,
    });
  } catch (error) {
    if (error instanceof KubeApiError && error.status === 400 && /waiting to start|ContainerCreating|PodInitializing/i.test(error.apiMessage)) {
      return { available: false, reason: "No logs yet: the container has not started." };
    }
    if (error instanceof KubeApiError && error.status === 400 && /previous terminated container .* not found/i.test(error.apiMessage)) {
      return { available: false, reason: "The log of the run before is gone." };
    }
    if (error instanceof KubeApiError && error.status === 404) return { available: false, reason: "The pod is gone." };
    if (error instanceof KubeApiError || error instanceof ClusterUnreachable) {
      return { available: false, reason: "The log cannot be read right now; it may show on the next refresh." };
    }
    throw error;
  }
  // The client parses any body that is valid JSON: a log of one JSON line comes back as a value.
  const text = typeof body === "string" ? body : body == null ? "" : JSON.stringify(body);
  if (LOG_GONE.test(text)) return { available: false, reason: "The log of that run is gone (the node keeps only the latest ended run)." };
  const lines = cleanLogLines(text, { maxLines: LOG_TAIL_LINES });
  if (lines.length === 0) return { available: false, reason: "The container has written nothing to its log." };
  return { available: true, source: plan.source, lines, truncated: Buffer.byteLength(text) >= LOG_LIMIT_BYTES };
}
