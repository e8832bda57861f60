import { expect, test } from "vitest";
import { lastLines, podProblems, problemText, type PodEvent } from "./pod-problems";
import type { AnyObject } from "./types";

function pod(status: Record<string, unknown>, limits?: Record<string, string>): AnyObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "model-server-abc" },
    spec: { containers: [{ name: "server", image: "ghcr.io/academy-labs/model-server:1.4.2", resources: { limits } }] },
    status,
  };
}

const running = { containerStatuses: [{ name: "server", image: "x", ready: true, restartCount: 0, state: { running: { startedAt: "2026-01-01T00:00:00Z" } } }] };

test("a running, ready pod has no problems", () => {
  expect(podProblems(pod(running), [])).toEqual([]);
});

test("CrashLoopBackOff names the exit code and asks for the previous run's log", () => {
  const problems = podProblems(
    pod({ containerStatuses: [{ name: "server", image: "x", ready: false, restartCount: 4, state: { waiting: { reason: "CrashLoopBackOff" } }, lastState: { terminated: { exitCode: 1, reason: "Error" } } }] }),
    [],
  );
  expect(problems).toHaveLength(1);
  expect(problems[0]!.text).toBe('container "server" keeps crashing (restarted 4 time(s)) with exit code 1.');
  expect(problems[0]!.logsOf).toEqual({ container: "server", previous: true });
  expect(problemText(problems[0]!, ["SettingsError: PREDICTION_THRESHOLD must be a probability"])).toContain("Its last log lines: “SettingsError: PREDICTION_THRESHOLD must be a probability”");
});

test("OOMKilled says memory and the limit", () => {
  const [problem] = podProblems(
    pod({ containerStatuses: [{ name: "server", image: "x", ready: false, restartCount: 1, state: { waiting: { reason: "CrashLoopBackOff" } }, lastState: { terminated: { exitCode: 137, reason: "OOMKilled" } } }] }, { memory: "64Mi" }),
    [],
  );
  expect(problem!.text).toMatch(/more memory than its limit of 64Mi \(OOMKilled\)/);
});

test("ImagePullBackOff names the image", () => {
  const [problem] = podProblems(
    pod({ containerStatuses: [{ name: "server", image: "ghcr.io/academy-labs/model-server:9.9", ready: false, restartCount: 0, state: { waiting: { reason: "ImagePullBackOff", message: "Back-off pulling image" } } }] }),
    [],
  );
  expect(problem!.text).toContain('its image "ghcr.io/academy-labs/model-server:9.9" cannot be pulled (ImagePullBackOff: Back-off pulling image)');
});

test("an unknown user is a config error with what to do", () => {
  const [problem] = podProblems(
    pod({ containerStatuses: [{ name: "server", image: "x", ready: false, restartCount: 0, state: { waiting: { reason: "CreateContainerError", message: 'unable to find user app: no matching entries in passwd file' } } }] }),
    [],
  );
  expect(problem!.text).toContain("unable to find user app");
  expect(problem!.text).toContain("must exist in the image");
});

test("failing probes come from the kubelet's Unhealthy events, once per probe", () => {
  const events: PodEvent[] = [
    { reason: "Unhealthy", type: "Warning", message: "Readiness probe failed: HTTP probe failed with statuscode: 404", involvedObject: { kind: "Pod", name: "model-server-abc" } },
    { reason: "Unhealthy", type: "Warning", message: "Readiness probe failed: HTTP probe failed with statuscode: 404", involvedObject: { kind: "Pod", name: "model-server-abc" } },
    { reason: "Unhealthy", type: "Warning", message: "Liveness probe failed: Get x: connection refused", involvedObject: { kind: "Pod", name: "other" } },
  ];
  const problems = podProblems(pod(running), events);
  expect(problems.map((p) => p.text)).toEqual(["Readiness probe failed: HTTP probe failed with statuscode: 404."]);
});

test("a Ready pod's past readiness failures are not its problem; liveness failures are", () => {
  const ready = pod({ ...running, conditions: [{ type: "Ready", status: "True" }] });
  const events: PodEvent[] = [
    { reason: "Unhealthy", type: "Warning", message: "Readiness probe failed: connection refused", involvedObject: { kind: "Pod", name: "model-server-abc" } },
    { reason: "Unhealthy", type: "Warning", message: "Liveness probe failed: HTTP probe failed with statuscode: 500", involvedObject: { kind: "Pod", name: "model-server-abc" } },
  ];
  expect(podProblems(ready, events).map((p) => p.text)).toEqual(["Liveness probe failed: HTTP probe failed with statuscode: 500."]);
});

test("an unschedulable pod says why", () => {
  const [problem] = podProblems(pod({ conditions: [{ type: "PodScheduled", status: "False", message: "0/3 nodes are available: 3 Insufficient memory." }] }), []);
  expect(problem!.text).toMatch(/^the pod cannot be scheduled: 0\/3 nodes are available: 3 Insufficient memory\. The node your sandbox runs on has no room/);
});

test("the scheduler's preemption report is left out", () => {
  const message = "0/4 nodes are available: 1 Insufficient cpu, 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/4 nodes are available: 1 No preemption victims found for incoming pod.";
  const [problem] = podProblems(pod({ conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message }] }), []);
  expect(problem!.text).toBe(
    "the pod cannot be scheduled: 0/4 nodes are available: 1 Insufficient cpu, 3 node(s) didn't match Pod's node affinity/selector. The node your sandbox runs on has no room for the pod's requests right now: lower `resources.requests`, or wait a minute and check again.",
  );
});

test("lastLines keeps the last non-empty lines", () => {
  expect(lastLines("a\n\nb\nc\n\n", 2)).toEqual(["b", "c"]);
});
