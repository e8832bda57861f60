// The Workloads panel's view, shaped from objects as the API server lists them: owners through
// ReplicaSets, ready counts, the STATUS column, events merged and newest first, which logs are
// read where, and controllers that cannot create pods.
import { expect, test } from "vitest";
import type { EventLike, PodLike } from "@/lib/checks/pod-problems";
import {
  LOGS_NOT_SCHEDULED,
  LOGS_NOT_STARTED,
  LOGS_SIMULATED,
  MAX_EVENTS,
  ageText,
  eventViews,
  logPlanFor,
  nodeKindOf,
  podStatusText,
  workloadsViewOf,
  type ControllerLike,
  type WorkloadsSnapshot,
} from "./workloads-view-model";

const NOW = new Date("2026-12-02T06:00:00Z");
const RS = "web-6d4cf56db6";

function webPod(name: string, status: PodLike["status"], nodeName = "academy-node"): PodLike {
  return {
    metadata: {
      name,
      creationTimestamp: "2026-12-02T05:58:30Z",
      ownerReferences: [{ kind: "ReplicaSet", name: RS, controller: true, uid: "u1" }],
    },
    spec: { nodeName, containers: [{ name: "app", image: "ghcr.io/academy-labs/model-server:1.4.2" }] },
    status,
  };
}

const controllers: ControllerLike[] = [
  { kind: "ReplicaSet", metadata: { name: RS, ownerReferences: [{ kind: "Deployment", name: "web", controller: true }] }, spec: { replicas: 2 }, status: { replicas: 2 } },
];

function snapshot(parts: Partial<WorkloadsSnapshot>): WorkloadsSnapshot {
  return {
    namespace: "lab-deploy-abc",
    pods: [],
    events: [],
    controllers,
    nodeKinds: new Map([
      ["academy-node", "real"],
      ["kwok-node-0", "simulated"],
    ]),
    logs: new Map(),
    now: NOW,
    ...parts,
  };
}

const crashing = webPod(`${RS}-x2x4z`, {
  phase: "Running",
  containerStatuses: [
    {
      name: "app",
      ready: false,
      restartCount: 4,
      state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 40s restarting failed container=app" } },
      lastState: { terminated: { exitCode: 1, reason: "Error", finishedAt: "2026-12-02T05:59:40Z" } },
    },
  ],
});

test("a crashing pod of a Deployment: owner, status, ready, restarts, age, node, last run's log and the explanation", () => {
  const logs = new Map([[`${RS}-x2x4z`, new Map([["app", { logs: { available: true as const, source: "last-run" as const, lines: ["Traceback (most recent call last):", "ModuleNotFoundError: No module named 'sklearn'"], truncated: false }, previousLogs: null }]])]]);
  const view = workloadsViewOf(snapshot({ pods: [crashing], logs }));
  const [pod] = view.pods;
  expect(pod).toMatchObject({
    name: `${RS}-x2x4z`,
    owner: { kind: "Deployment", name: "web" },
    phase: "Running",
    status: "CrashLoopBackOff",
    ready: { ready: 0, total: 1 },
    restarts: 4,
    age: "90s",
    node: { kind: "real", name: "academy-node" },
  });
  expect(pod!.containers[0]).toMatchObject({
    name: "app",
    state: { state: "waiting", reason: "CrashLoopBackOff" },
    lastTermination: { reason: "Error", exitCode: 1, finishedAt: "2026-12-02T05:59:40.000Z" },
  });
  expect(pod!.problems).toEqual([expect.stringContaining("“ModuleNotFoundError: No module named 'sklearn'”")]);
  expect(view.workloads).toEqual([]);
});

test("events of the pod and its owners, merged, newest first, at most ten; other pods' events are left out", () => {
  const event = (name: string, kind: string, reason: string, message: string, at: string, count = 1): EventLike => ({
    type: reason === "BackOff" ? "Warning" : "Normal",
    reason,
    message,
    count,
    involvedObject: { kind, name },
    lastTimestamp: at,
  });
  const events = [
    event(`${RS}-x2x4z`, "Pod", "BackOff", "Back-off restarting failed container app", "2026-12-02T05:59:50Z", 5),
    // The same line again in a second event object: one line, counted together.
    event(`${RS}-x2x4z`, "Pod", "BackOff", "Back-off restarting failed container app", "2026-12-02T05:59:55Z", 2),
    event(RS, "ReplicaSet", "SuccessfulCreate", `Created pod: ${RS}-x2x4z`, "2026-12-02T05:58:30Z"),
    event("web", "Deployment", "ScalingReplicaSet", `Scaled up replica set ${RS} from 0 to 2`, "2026-12-02T05:58:29Z"),
    event(`${RS}-other`, "Pod", "Pulled", "Successfully pulled image", "2026-12-02T05:59:59Z"),
  ];
  const [pod] = workloadsViewOf(snapshot({ pods: [crashing], events })).pods;
  expect(pod!.events.map((e) => [e.object, e.reason, e.count, e.age])).toEqual([
    [`Pod ${RS}-x2x4z`, "BackOff", 7, "5s"],
    [`ReplicaSet ${RS}`, "SuccessfulCreate", 1, "90s"],
    ["Deployment web", "ScalingReplicaSet", 1, "91s"],
  ]);
  const many = Array.from({ length: 15 }, (_, i) => event("p", "Pod", `R${i}`, `m${i}`, new Date(NOW.getTime() - i * 1000).toISOString()));
  const views = eventViews(many, NOW);
  expect(views).toHaveLength(MAX_EVENTS);
  expect(views[0]!.reason).toBe("R0");
});

test("logs: none on a simulated node or before a container ran; the last run's while it waits to restart; both runs after a restart", () => {
  expect(logPlanFor({ state: { running: {} } }, "simulated")).toEqual([{ read: false, reason: LOGS_SIMULATED }]);
  expect(logPlanFor(undefined, "unscheduled")).toEqual([{ read: false, reason: LOGS_NOT_SCHEDULED }]);
  expect(logPlanFor({ state: { waiting: { reason: "ImagePullBackOff" } }, restartCount: 0 }, "real")).toEqual([{ read: false, reason: LOGS_NOT_STARTED }]);
  expect(logPlanFor({ state: { waiting: { reason: "CrashLoopBackOff" } }, restartCount: 3, lastState: { terminated: { exitCode: 1 } } }, "real")).toEqual([
    { read: true, source: "last-run", previous: false },
  ]);
  expect(logPlanFor({ state: { running: {} }, restartCount: 1, lastState: { terminated: { exitCode: 137, reason: "OOMKilled" } } }, "real")).toEqual([
    { read: true, source: "current", previous: false },
    { read: true, source: "previous-run", previous: true },
  ]);
  expect(logPlanFor({ state: { terminated: { exitCode: 0, reason: "Completed" } } }, "real")).toEqual([{ read: true, source: "current", previous: false }]);
});

test("a pod on a KWOK node says in words that it has no logs", () => {
  const kwok = webPod(`${RS}-k1`, { phase: "Running", containerStatuses: [{ name: "app", ready: true, restartCount: 0, state: { running: { startedAt: "2026-12-02T05:58:31Z" } } }] }, "kwok-node-0");
  const [pod] = workloadsViewOf(snapshot({ pods: [kwok] })).pods;
  expect(pod!.node.kind).toBe("simulated");
  expect(pod!.containers[0]!.logs).toEqual({ available: false, reason: LOGS_SIMULATED });
  expect(pod!.problems).toEqual([]);
  expect(pod!.ready).toEqual({ ready: 1, total: 1 });
});

test("node kinds: the real node's label, KWOK's marks, and any other node is real", () => {
  expect(nodeKindOf({ metadata: { labels: { "academy.dev/node": "real" } } })).toBe("real");
  expect(nodeKindOf({ metadata: { annotations: { "kwok.x-k8s.io/node": "fake" }, labels: { type: "kwok" } } })).toBe("simulated");
  expect(nodeKindOf({ metadata: { labels: { "academy.dev/fake-node": "true" } } })).toBe("simulated");
  expect(nodeKindOf({ metadata: { labels: { "kubernetes.io/hostname": "worker-1" } } })).toBe("real");
  expect(nodeKindOf(null)).toBe("real");
});

test("a ReplicaSet that cannot create its pods is explained once, on it, with or without pods; a satisfied one is not", () => {
  const over: ControllerLike = { kind: "ReplicaSet", metadata: { name: "big-7f9c", ownerReferences: [{ kind: "Deployment", name: "big", controller: true }] }, spec: { replicas: 1 }, status: { replicas: 0 } };
  const failed = (name: string, pod: string, at: string): EventLike => ({
    type: "Warning",
    reason: "FailedCreate",
    message: `Error creating: pods "${pod}" is forbidden: exceeded quota: sandbox-quota, requested: requests.memory=8Gi, used: requests.memory=0, limited: requests.memory=1Gi`,
    count: 1,
    involvedObject: { kind: "ReplicaSet", name },
    lastTimestamp: at,
  });
  // The controller names each attempt's pod anew: the attempts are one line, counted.
  const attempts = [failed("big-7f9c", "big-7f9c-abcde", "2026-12-02T05:59:00Z"), failed("big-7f9c", "big-7f9c-fghij", "2026-12-02T05:59:30Z")];
  const oldFailure = failed(RS, `${RS}-zzzzz`, "2026-12-02T05:59:00Z");
  const view = workloadsViewOf(snapshot({ controllers: [...controllers, over], events: [...attempts, oldFailure] }));
  expect(view.workloads).toEqual([
    {
      kind: "ReplicaSet",
      name: "big-7f9c",
      owner: { kind: "Deployment", name: "big" },
      pods: 0,
      problems: [expect.stringContaining("would exceed your sandbox's quota “sandbox-quota” (asked for requests.memory=8Gi")],
      events: [expect.objectContaining({ reason: "FailedCreate", count: 2, message: expect.stringContaining('pods "big-7f9c-fghij"'), age: "30s" })],
    },
  ]);

  // A ReplicaSet short of pods: the problem is on it, its pods are not blamed, and their events show it.
  const short: ControllerLike = { ...controllers[0]!, spec: { replicas: 3 }, status: { replicas: 2 } };
  const current = failed(RS, `${RS}-yyyyy`, "2026-12-02T05:59:50Z");
  const shortView = workloadsViewOf(snapshot({ pods: [crashing], controllers: [short], events: [current] }));
  expect(shortView.workloads).toMatchObject([{ kind: "ReplicaSet", name: RS, owner: { kind: "Deployment", name: "web" }, pods: 1 }]);
  expect(shortView.pods[0]!.problems.some((p) => p.includes("quota"))).toBe(false);
  expect(shortView.pods[0]!.events.map((e) => e.reason)).toContain("FailedCreate");

  // web's ReplicaSet has its 2 pods: its old FailedCreate is no problem any more.
  expect(workloadsViewOf(snapshot({ pods: [crashing], events: [oldFailure] })).workloads).toEqual([]);
});

test("the STATUS column: waiting reasons, init containers, failures, completion, deletion", () => {
  expect(podStatusText({ status: { phase: "Pending", containerStatuses: [{ state: { waiting: { reason: "ErrImagePull" } } }] } })).toBe("ErrImagePull");
  expect(podStatusText({ spec: { initContainers: [{ name: "migrate" }] }, status: { phase: "Pending", initContainerStatuses: [{ state: { running: {} } }] } })).toBe("Init:0/1");
  expect(podStatusText({ status: { phase: "Pending", initContainerStatuses: [{ state: { terminated: { exitCode: 2, reason: "Error" } } }] } })).toBe("Init:Error");
  expect(podStatusText({ status: { phase: "Failed", containerStatuses: [{ state: { terminated: { exitCode: 1, reason: "Error" } } }] } })).toBe("Error");
  expect(podStatusText({ status: { phase: "Succeeded", containerStatuses: [{ state: { terminated: { exitCode: 0, reason: "Completed" } } }] } })).toBe("Completed");
  expect(podStatusText({ metadata: { deletionTimestamp: "2026-12-02T05:59:00Z" }, status: { phase: "Running" } })).toBe("Terminating");
  expect(podStatusText({ status: { phase: "Pending" } })).toBe("Pending");
});

test("untrusted names and messages are cleaned; ages read like kubectl's", () => {
  const evil = webPod("web-\u001b[2Jevil", { phase: "Running\u0000", reason: "x".repeat(1000) });
  const [pod] = workloadsViewOf(snapshot({ pods: [evil] })).pods;
  expect(pod!.name).toBe("web-evil");
  expect(pod!.phase).toBe("Running");
  expect(ageText(new Date(NOW.getTime() - 3 * 3600_000), NOW)).toBe("3h");
  expect(ageText(new Date(NOW.getTime() - 3 * 86400_000), NOW)).toBe("3d");
  expect(ageText(null, NOW)).toBe("");
});

test("more pods than the panel lists are counted, not shown", () => {
  const pods = Array.from({ length: 35 }, (_, i) => webPod(`p-${String(i).padStart(2, "0")}`, { phase: "Pending" }, ""));
  const view = workloadsViewOf(snapshot({ pods }));
  expect(view.pods).toHaveLength(30);
  expect(view.morePods).toBe(5);
  expect(view.pods[0]!.node.kind).toBe("unscheduled");
});
