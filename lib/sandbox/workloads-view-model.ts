// The learner's workloads as the lab page shows them (the "Workloads" panel): each pod with its
// owner, status, restarts, node kind, containers, recent events, last log lines and what is wrong
// with it in words (pod-problems.ts), plus the controllers (ReplicaSets, Jobs) that cannot create
// their pods or gave up, said once per controller rather than on each of its pods. Pure: the
// objects are read by workloads-view.ts; this file only shapes them, so it is unit-tested and
// its types are safe for client components. Everything from the cluster is cleaned (cluster-text).
import { capLength, cleanText } from "@/lib/checks/cluster-text";
import {
  eventCount,
  eventLastSeen,
  explainPodProblems,
  explainWorkloadProblems,
  type ContainerStatusLike,
  type EventLike,
  type OwnerReferenceLike,
  type PodLike,
} from "@/lib/checks/pod-problems";

/** Where a pod runs: a real node (containers run), a simulated KWOK node (they do not), or not yet anywhere. */
export type NodeKind = "real" | "simulated" | "unscheduled";

/**
 * Which run a log is of: "current", the running (or finished) container; "last-run", the run that
 * ended, for a container waiting to restart; "previous-run", the run before the current one.
 */
export type LogSource = "current" | "last-run" | "previous-run";

export type LogView =
  | {
      available: true;
      source: LogSource;
      lines: string[];
      /** The log was longer than what was read (only the last lines, up to a byte cap, are shown). */
      truncated: boolean;
    }
  | { available: false; reason: string };

export type ContainerStateView =
  | { state: "waiting"; reason: string; message: string }
  | { state: "running"; startedAt: string | null }
  | { state: "terminated"; reason: string; exitCode: number; message: string }
  | { state: "unknown" };

export type ContainerView = {
  name: string;
  init: boolean;
  image: string;
  ready: boolean;
  restarts: number;
  state: ContainerStateView;
  /** How the previous run ended, when the container restarted. */
  lastTermination: { reason: string; exitCode: number; message: string; finishedAt: string | null } | null;
  logs: LogView;
  /** The run before the current one, when the container is running again after it ended. */
  previousLogs: LogView | null;
};

export type EventView = {
  type: "Normal" | "Warning";
  reason: string;
  message: string;
  count: number;
  /** What it is about: "Pod web-1", "ReplicaSet web-6d4cf56db6". */
  object: string;
  lastSeen: string | null;
  age: string;
};

export type OwnerView = { kind: string; name: string };

export type PodView = {
  name: string;
  /** The workload the learner wrote (a Deployment rather than its ReplicaSet), or null for a bare pod. */
  owner: OwnerView | null;
  phase: string;
  /** What `kubectl get pods` shows as STATUS: CrashLoopBackOff, Running, Completed, Pending, … */
  status: string;
  ready: { ready: number; total: number };
  restarts: number;
  age: string;
  createdAt: string | null;
  node: { kind: NodeKind; name: string };
  containers: ContainerView[];
  events: EventView[];
  problems: string[];
};

/**
 * A controller that cannot create (all) its pods (quota, Pod Security, a limit range) or gave up
 * (a Job's deadline or backoff limit); `pods` is how many of its pods exist.
 */
export type WorkloadProblemView = { kind: string; name: string; owner: OwnerView | null; pods: number; problems: string[]; events: EventView[] };

export type WorkloadsView = {
  namespace: string;
  observedAt: string;
  pods: PodView[];
  workloads: WorkloadProblemView[];
  /** Pods not shown because there were more than the panel lists. */
  morePods: number;
};

export type ControllerLike = {
  kind?: string;
  metadata?: { name?: string; ownerReferences?: OwnerReferenceLike[] };
  spec?: { replicas?: number };
  status?: { replicas?: number; conditions?: Array<{ type?: string; status?: string }> };
};

/** Everything the view is made of, as read from the cluster for one namespace. */
export type WorkloadsSnapshot = {
  namespace: string;
  pods: PodLike[];
  events: EventLike[];
  /** ReplicaSets, Jobs, StatefulSets, … of the namespace, each with its `kind`. */
  controllers: ControllerLike[];
  nodeKinds: ReadonlyMap<string, NodeKind>;
  /** By pod name, then container name. */
  logs: ReadonlyMap<string, ReadonlyMap<string, { logs: LogView; previousLogs: LogView | null }>>;
  now: Date;
};

export const MAX_PODS = 30;
export const MAX_EVENTS = 10;

export type NodeLike = { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> } };

/** KWOK marks its nodes; the local cluster's real node is labelled academy.dev/node=real, and any other node is real too. */
export function nodeKindOf(node: NodeLike | null): Exclude<NodeKind, "unscheduled"> {
  const labels = node?.metadata?.labels ?? {};
  const annotations = node?.metadata?.annotations ?? {};
  if (labels["academy.dev/node"] === "real") return "real";
  if (annotations["kwok.x-k8s.io/node"] === "fake" || labels.type === "kwok" || labels["academy.dev/fake-node"] === "true") return "simulated";
  return "real";
}

/** Like kubectl: 45s, 12m, 5h, 3d. */
export function ageText(since: Date | null, now: Date): string {
  if (!since) return "";
  const seconds = Math.max(0, Math.floor((now.getTime() - since.getTime()) / 1000));
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 120) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h`;
  return `${Math.floor(hours / 24)}d`;
}

function dateOf(value: string | Date | null | undefined): Date | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

const isoOf = (value: string | Date | null | undefined) => dateOf(value)?.toISOString() ?? null;

/** Which log reads a container needs: none on a simulated node or before it ever ran. */
export type LogPlan = { read: false; reason: string } | { read: true; source: LogSource; previous: boolean };

export const LOGS_SIMULATED =
  "No logs: this pod is on a simulated node, where containers are marked running without really running. Labs whose pods really run say so on the lab page.";
export const LOGS_NOT_STARTED = "No logs yet: the container has not started.";
export const LOGS_NOT_SCHEDULED = "No logs yet: the pod has not been placed on a node.";

/**
 * The log reads for one container. A container waiting to restart has no current run: the
 * kubelet then answers with the log of the run that ended, which is the one that crashed. A
 * container running again after a restart also gets its previous run's log (`previous: true`).
 */
export function logPlanFor(status: ContainerStatusLike | undefined, nodeKind: NodeKind): LogPlan[] {
  if (nodeKind === "unscheduled") return [{ read: false, reason: LOGS_NOT_SCHEDULED }];
  if (nodeKind === "simulated") return [{ read: false, reason: LOGS_SIMULATED }];
  const state = status?.state ?? {};
  const ranBefore = (status?.restartCount ?? 0) > 0 || Boolean(status?.lastState?.terminated);
  if (state.running) {
    const plans: LogPlan[] = [{ read: true, source: "current", previous: false }];
    if (ranBefore && status?.lastState?.terminated) plans.push({ read: true, source: "previous-run", previous: true });
    return plans;
  }
  if (state.terminated) return [{ read: true, source: "current", previous: false }];
  if (state.waiting && ranBefore) return [{ read: true, source: "last-run", previous: false }];
  return [{ read: false, reason: LOGS_NOT_STARTED }];
}

function containerState(status: ContainerStatusLike | undefined): ContainerStateView {
  const state = status?.state;
  if (state?.waiting) return { state: "waiting", reason: cleanText(state.waiting.reason, 64), message: cleanText(state.waiting.message, 500) };
  if (state?.running) return { state: "running", startedAt: isoOf(state.running.startedAt) };
  if (state?.terminated) {
    return { state: "terminated", reason: cleanText(state.terminated.reason, 64), exitCode: state.terminated.exitCode ?? 0, message: cleanText(state.terminated.message, 500) };
  }
  return { state: "unknown" };
}

/** The STATUS column of `kubectl get pods`, simplified: a container's waiting or failing reason wins over the phase. */
export function podStatusText(pod: PodLike): string {
  if (pod.metadata?.deletionTimestamp) return "Terminating";
  const init = pod.status?.initContainerStatuses ?? [];
  const initTotal = pod.spec?.initContainers?.length ?? 0;
  for (const [i, c] of init.entries()) {
    const t = c.state?.terminated;
    if (t && t.exitCode === 0) continue;
    if (t) return `Init:${cleanText(t.reason, 64) || `ExitCode:${t.exitCode}`}`;
    if (c.state?.waiting?.reason && c.state.waiting.reason !== "PodInitializing") return `Init:${cleanText(c.state.waiting.reason, 64)}`;
    return `Init:${i}/${initTotal}`;
  }
  const containers = pod.status?.containerStatuses ?? [];
  const waiting = containers.find((c) => c.state?.waiting?.reason);
  if (waiting) return cleanText(waiting.state!.waiting!.reason, 64);
  const failed = containers.find((c) => c.state?.terminated && c.state.terminated.exitCode !== 0);
  if (failed) return cleanText(failed.state!.terminated!.reason, 64) || `ExitCode:${failed.state!.terminated!.exitCode}`;
  if (containers.length > 0 && containers.every((c) => c.state?.terminated)) return cleanText(containers[0]!.state!.terminated!.reason, 64) || "Completed";
  return cleanText(pod.status?.reason, 64) || cleanText(pod.status?.phase, 32) || "Unknown";
}

const controllerOf = (refs: OwnerReferenceLike[] | undefined) => refs?.find((r) => r.controller) ?? refs?.[0];

/** The objects a pod belongs to, nearest first: ReplicaSet then Deployment, Job then CronJob. */
export function ownerChain(pod: PodLike, controllers: readonly ControllerLike[]): OwnerView[] {
  const chain: OwnerView[] = [];
  let ref = controllerOf(pod.metadata?.ownerReferences);
  while (ref?.kind && ref.name && chain.length < 4) {
    const owner = { kind: cleanText(ref.kind, 64), name: cleanText(ref.name, 253) };
    chain.push(owner);
    const found = controllers.find((c) => c.kind === ref!.kind && c.metadata?.name === ref!.name);
    ref = controllerOf(found?.metadata?.ownerReferences);
  }
  return chain;
}

const eventKey = (e: EventLike) => `${e.involvedObject?.kind ?? ""}/${e.involvedObject?.name ?? ""}`;

/**
 * What makes two events "the same line": their object, type, reason and message, with what
 * differs between retries taken out: the generated name of the pod a controller tried to create
 * (`pods "web-6d4cf56db6-x2x4z" is forbidden`) and the events recorder's "(combined from similar
 * events)" prefix.
 */
function sameLineKey(event: EventLike): string {
  const message = (event.message ?? "").replace(/^\(combined from similar events\): /, "").replace(/pods "[^"]*"/g, "pods");
  return [eventKey(event), event.type, event.reason, message].join("\u0000");
}

/**
 * The events, newest first, the same message on the same object counted once (the kubelet and
 * controllers open a new event for what `describe` shows as one line), at most `max`.
 */
export function eventViews(events: readonly EventLike[], now: Date, max = MAX_EVENTS): EventView[] {
  const merged = new Map<string, { event: EventLike; count: number; lastSeen: Date | null }>();
  for (const event of events) {
    const key = sameLineKey(event);
    const seen = eventLastSeen(event);
    const prior = merged.get(key);
    if (!prior) merged.set(key, { event, count: eventCount(event), lastSeen: seen });
    else {
      prior.count += eventCount(event);
      // The newest occurrence's words are shown.
      if (seen && (!prior.lastSeen || seen > prior.lastSeen)) Object.assign(prior, { event, lastSeen: seen });
    }
  }
  return [...merged.values()]
    .sort((a, b) => (b.lastSeen?.getTime() ?? 0) - (a.lastSeen?.getTime() ?? 0))
    .slice(0, max)
    .map(({ event, count, lastSeen }) => ({
      type: event.type === "Warning" ? "Warning" : "Normal",
      reason: cleanText(event.reason, 64),
      message: cleanText(event.message, 600),
      count,
      object: `${cleanText(event.involvedObject?.kind, 64)} ${cleanText(event.involvedObject?.name, 253)}`.trim(),
      lastSeen: lastSeen?.toISOString() ?? null,
      age: ageText(lastSeen, now),
    }));
}

/** A ReplicaSet that has all the pods it wants has no creation problem any more, whatever its old events say. */
function satisfied(controller: ControllerLike | undefined): boolean {
  if (!controller || controller.kind !== "ReplicaSet") return false;
  return (controller.status?.replicas ?? 0) >= (controller.spec?.replicas ?? 1);
}

function relevantEvents(objects: readonly OwnerView[], events: readonly EventLike[], controllers: readonly ControllerLike[]): EventLike[] {
  const keys = new Set(objects.map((o) => `${o.kind}/${o.name}`));
  return events.filter((e) => {
    if (!keys.has(eventKey(e))) return false;
    if (e.reason !== "FailedCreate") return true;
    return !satisfied(controllers.find((c) => `${c.kind}/${c.metadata?.name}` === eventKey(e)));
  });
}

/** The last lines of a log view, for the explanations. */
const linesOf = (view: LogView | null | undefined) => (view?.available ? view.lines : []);

function podView(pod: PodLike, snapshot: WorkloadsSnapshot): PodView {
  const name = cleanText(pod.metadata?.name, 253);
  const chain = ownerChain(pod, snapshot.controllers);
  const nodeName = cleanText(pod.spec?.nodeName, 253);
  const nodeKind: NodeKind = nodeName ? (snapshot.nodeKinds.get(pod.spec!.nodeName!) ?? "real") : "unscheduled";
  const podLogs = snapshot.logs.get(pod.metadata?.name ?? "");
  const statuses = [
    ...(pod.status?.initContainerStatuses ?? []).map((s) => ({ s, init: true })),
    ...(pod.status?.containerStatuses ?? []).map((s) => ({ s, init: false })),
  ];
  const specs = [...(pod.spec?.initContainers ?? []).map((c) => ({ c, init: true })), ...(pod.spec?.containers ?? []).map((c) => ({ c, init: false }))];
  const containers: ContainerView[] = specs.map(({ c, init }) => {
    const status = statuses.find((x) => x.init === init && x.s.name === c.name)?.s;
    const last = status?.lastState?.terminated;
    const logs = podLogs?.get(c.name ?? "");
    const fallback = logPlanFor(status, nodeKind)[0]!;
    return {
      name: cleanText(c.name, 63),
      init,
      image: cleanText(c.image || status?.image, 200),
      ready: status?.ready === true,
      restarts: status?.restartCount ?? 0,
      state: containerState(status),
      lastTermination: last
        ? { reason: cleanText(last.reason, 64), exitCode: last.exitCode ?? 0, message: cleanText(last.message, 500), finishedAt: isoOf(last.finishedAt) }
        : null,
      logs: logs?.logs ?? (fallback.read ? { available: false, reason: "The log was not read." } : { available: false, reason: fallback.reason }),
      previousLogs: logs?.previousLogs ?? null,
    };
  });
  const self = { kind: "Pod", name: pod.metadata?.name ?? "" };
  const podEvents = relevantEvents([self, ...chain], snapshot.events, snapshot.controllers);
  // The owners' own problems (cannot create pods) are said once, on the owner (workloadProblems).
  const ownEvents = relevantEvents([self], snapshot.events, snapshot.controllers);
  // The crashed run's lines explain a crash: the previous run's when the container runs again.
  const explainLogs = Object.fromEntries(
    specs.map(({ c }) => {
      const read = podLogs?.get(c.name ?? "");
      const previous = linesOf(read?.previousLogs);
      return [c.name ?? "", previous.length > 0 ? previous : linesOf(read?.logs)];
    }),
  );
  const regular = containers.filter((c) => !c.init);
  const top = chain[chain.length - 1];
  return {
    name,
    owner: top ?? null,
    phase: cleanText(pod.status?.phase, 32) || "Unknown",
    status: podStatusText(pod),
    ready: { ready: regular.filter((c) => c.ready).length, total: regular.length },
    restarts: regular.reduce((sum, c) => sum + c.restarts, 0),
    age: ageText(dateOf(pod.metadata?.creationTimestamp), snapshot.now),
    createdAt: isoOf(pod.metadata?.creationTimestamp),
    node: { kind: nodeKind, name: nodeName },
    containers,
    events: eventViews(podEvents, snapshot.now),
    problems: explainPodProblems(pod, ownEvents, explainLogs).map((s) => capLength(s, 1500)),
  };
}

/** Controllers that cannot create their pods, or gave up, with how many of their pods exist. */
function workloadProblems(snapshot: WorkloadsSnapshot): WorkloadProblemView[] {
  const podsOf = new Map<string, number>();
  for (const pod of snapshot.pods) {
    for (const o of ownerChain(pod, snapshot.controllers)) podsOf.set(`${o.kind}/${o.name}`, (podsOf.get(`${o.kind}/${o.name}`) ?? 0) + 1);
  }
  const out: WorkloadProblemView[] = [];
  for (const controller of snapshot.controllers) {
    const self = { kind: cleanText(controller.kind, 64), name: cleanText(controller.metadata?.name, 253) };
    if (satisfied(controller) || (controller.kind === "ReplicaSet" && controller.spec?.replicas === 0)) continue;
    const events = relevantEvents([self], snapshot.events, snapshot.controllers);
    const problems = explainWorkloadProblems(events);
    if (problems.length === 0) continue;
    const parent = controllerOf(controller.metadata?.ownerReferences);
    out.push({
      ...self,
      owner: parent?.kind && parent.name ? { kind: cleanText(parent.kind, 64), name: cleanText(parent.name, 253) } : null,
      pods: podsOf.get(`${controller.kind}/${controller.metadata?.name}`) ?? 0,
      problems: problems.map((p) => capLength(p, 1500)),
      events: eventViews(events, snapshot.now),
    });
  }
  return out.sort((a, b) => `${a.kind}/${a.name}`.localeCompare(`${b.kind}/${b.name}`));
}

/** The panel's view of one namespace: pods by name (at most MAX_PODS), and controllers with problems. */
export function workloadsViewOf(snapshot: WorkloadsSnapshot): WorkloadsView {
  const pods = [...snapshot.pods].sort((a, b) => (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? ""));
  return {
    namespace: snapshot.namespace,
    observedAt: snapshot.now.toISOString(),
    pods: pods.slice(0, MAX_PODS).map((pod) => podView(pod, snapshot)),
    workloads: workloadProblems(snapshot),
    morePods: Math.max(0, pods.length - MAX_PODS),
  };
}
