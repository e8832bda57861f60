import { expect, test } from "vitest";
import type { AnyObject, ReadOnlyCluster } from "@/lib/checks/types";
import { defineChecks } from "@/lib/labs/define";
import { runChecks, type CheckEnvironment } from "./grader";
import type { CheckWaiting } from "./waiting";

const base = { points: 5, hints: ["a hint"] };
const workload = { kind: "Deployment", name: "model-server" } as const;

/** A Deployment of 2 replicas that becomes available after `readyAfter` fresh reads; reads are counted. */
function rollingOut(readyAfter: number) {
  const reads = { snapshot: 0, fresh: 0 };
  const deployment = (available: number): AnyObject => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "model-server", generation: 2 },
    spec: { replicas: 2 },
    status: { observedGeneration: 2, updatedReplicas: 2, availableReplicas: available },
  });
  const cluster: ReadOnlyCluster = {
    namespace: "lab-test",
    async get(_ref, options = {}) {
      if (!options.fresh) {
        reads.snapshot++;
        return deployment(1);
      }
      reads.fresh++;
      return deployment(reads.fresh >= readyAfter ? 2 : 1);
    },
    async list() {
      return [];
    },
  };
  const env: CheckEnvironment = { labId: "t", files: {}, namespace: "lab-test", cluster, dryRunAsLearner: null };
  return { env, reads };
}

const rolloutCheck = (waitFor?: { seconds: number; what: string }) =>
  defineChecks([
    { ...base, id: "rollout", title: "Both replicas are available", kind: "k8s.rolloutComplete", params: { workload, minReplicas: 2 }, timeoutMs: 20_000, ...(waitFor ? { waitFor } : {}) },
  ]);

test("a waiting check runs again on fresh reads until it passes, reporting what it waits for after each run that failed", async () => {
  const { env, reads } = rollingOut(3);
  const waiting: Array<[number, CheckWaiting]> = [];
  const [result] = await runChecks({ checks: rolloutCheck({ seconds: 10, what: "the rollout of model-server" }) }, env, undefined, {
    onWaiting: (index, w) => waiting.push([index, w]),
    waitIntervalMs: 10,
  });
  expect(result).toMatchObject({ status: "pass", earned: 5 });
  expect(result!.hints).toBeUndefined();
  // The first run reads the attempt's snapshot, the runs after it read afresh.
  expect(reads).toEqual({ snapshot: 1, fresh: 3 });
  expect(waiting).toHaveLength(3);
  expect(waiting[0]).toEqual([
    0,
    {
      what: "the rollout of model-server",
      elapsedSeconds: 0,
      seconds: 10,
      message: expect.stringContaining('has not finished rolling out: 1 of 2 replicas available'),
    },
  ]);
});

test("a waiting check that never passes fails at its bound, saying how long it waited, with its last message and hints", async () => {
  const { env, reads } = rollingOut(Number.POSITIVE_INFINITY);
  const waiting: CheckWaiting[] = [];
  const started = performance.now();
  const [result] = await runChecks({ checks: rolloutCheck({ seconds: 1, what: "the rollout of model-server" }) }, env, undefined, {
    onWaiting: (_index, w) => waiting.push(w),
    waitIntervalMs: 100,
  });
  const took = performance.now() - started;
  expect(took).toBeGreaterThanOrEqual(1000);
  expect(took).toBeLessThan(3000);
  expect(result).toMatchObject({ status: "fail", earned: 0, hints: ["a hint"] });
  expect(result!.message).toContain("has not finished rolling out");
  expect(result!.details).toEqual(["Waited 1 s for the rollout of model-server; it had not happened yet."]);
  expect(reads.fresh).toBeGreaterThanOrEqual(5);
  // Progress comes while time is left, never past the bound.
  expect(waiting.length).toBeGreaterThanOrEqual(5);
  expect(waiting.every((w) => w.elapsedSeconds < 1 && w.seconds === 1)).toBe(true);
});

test("without waitFor a failing check fails at once; a check error ends the wait at once", async () => {
  const { env, reads } = rollingOut(2);
  const waiting: CheckWaiting[] = [];
  const [once] = await runChecks({ checks: rolloutCheck() }, env, undefined, { onWaiting: (_i, w) => waiting.push(w), waitIntervalMs: 10 });
  expect(once).toMatchObject({ status: "fail" });
  expect(once!.details).toBeUndefined();
  expect(reads).toEqual({ snapshot: 1, fresh: 0 });

  let runs = 0;
  const erroring = defineChecks([
    {
      ...base,
      id: "custom",
      title: "C",
      kind: "custom",
      needsCluster: true,
      waitFor: { seconds: 10, what: "something" },
      run: async () => (++runs === 1 ? { status: "fail", message: "not yet" } : { status: "error", message: "broken" }),
    },
  ]);
  const [result] = await runChecks({ checks: erroring }, env, undefined, { onWaiting: (_i, w) => waiting.push(w), waitIntervalMs: 10 });
  expect(result).toMatchObject({ status: "error", message: "broken" });
  expect(runs).toBe(2);
  expect(waiting.map((w) => w.message)).toEqual(["not yet"]);
});

test("the check's time limit still stops a wait that would outlast it", async () => {
  const { env } = rollingOut(Number.POSITIVE_INFINITY);
  const checks = defineChecks([
    { ...base, id: "rollout", title: "R", kind: "k8s.rolloutComplete", params: { workload }, timeoutMs: 300, waitFor: { seconds: 30, what: "the rollout" } },
  ]);
  const started = performance.now();
  const [result] = await runChecks({ checks }, env, undefined, { waitIntervalMs: 50 });
  expect(performance.now() - started).toBeLessThan(2000);
  expect(result).toMatchObject({ status: "error", internal: "timeout after 300 ms" });
});
