// A lab with steps through the lab page's facade, on both databases, with the in-memory cluster:
// the example lab scale-then-clean-up (create a Deployment at 3 replicas, scale it to 1 with a
// per-step setup that adds a ConfigMap, delete that ConfigMap). Each check grades only the current
// step; a completed step stays completed (signed in the attempt chain) and unlocks the next, whose
// setup objects go into the sandbox; a reset brings back the setup of every unlocked step; the
// page sends the text of done and current steps only.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { createUser } from "@/lib/assessments/test-helpers";
import type { DatabaseHandle } from "@/lib/db/client";
import { keyringOf } from "@/lib/grading/attempt-keys";
import { completedLabIds, labProgress, verifyAttemptChain } from "@/lib/grading/attempts";
import { saveLabFiles } from "@/lib/labs/files";
import { getLab } from "@/lib/labs/registry";
import { stepSolution } from "@/lib/labs/steps";
import { fakeCluster } from "@/lib/sandbox/test-helpers";
import { DATABASE_KINDS, openTestDatabase } from "@/tests/support/databases";
import { applyLabFiles, changeLabSandbox, checkLab, type CheckLabEvent } from "./index";
import { labPageView } from "./lab-page";

vi.mock("@/lib/k8s/availability", async (original) => ({ ...(await original<object>()), clusterAvailability: async () => ({ state: "ready", server: "https://fake" }) }));

const LAB = "scale-then-clean-up";
const key = randomBytes(32);
const keys = keyringOf({ test: key });

describe.each(DATABASE_KINDS)("a lab with steps on %s", (kind) => {
  let handle: DatabaseHandle;
  const cluster = fakeCluster();
  const deps = { cluster, installation: "unit-steps" };
  const grading = { cluster, rateLimit: null, key };

  beforeAll(async () => {
    handle = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await handle?.close();
  });

  test("steps complete in order, each graded alone, with the next step's setup applied when it unlocks", async () => {
    const lab = getLab(LAB)!;
    const learner = await createUser(handle.db, "learner");
    const debugConfig = (namespace: string) => cluster.get({ apiVersion: "v1", kind: "ConfigMap", name: "web-debug", namespace });
    const save = async (files: Record<string, string>) => {
      expect(await saveLabFiles(handle.db, learner, LAB, [{ path: "k8s/deployment.yaml", content: files["k8s/deployment.yaml"]! }])).toMatchObject({ ok: true });
      const applied = await applyLabFiles(handle.db, learner, LAB, deps);
      expect(applied.ok && applied.files.every((f) => f.ok)).toBe(true);
    };
    const check = async () => {
      const events: CheckLabEvent[] = [];
      const result = await checkLab(handle.db, learner, LAB, (e) => events.push(e), grading);
      if (!result.ok) throw new Error(result.error);
      return { ...result, events };
    };

    // Before any attempt: step 1 is current, with its text; the others are locked and their text is not sent.
    const first = await labPageView(handle.db, learner, lab);
    expect(first?.steps.map((s) => [s.id, s.state, s.points, s.instructions === null])).toEqual([
      ["create", "current", 15, false],
      ["scale", "locked", 10, true],
      ["clean-up", "locked", 15, true],
    ]);
    expect(first?.steps[1]).toMatchObject({ after: "Run three replicas for the launch" });
    expect(first?.room.checks.map((c) => c.id)).toEqual(["deployment-exists", "three-replicas"]);
    expect(first?.room.stepTitle).toBe("Run three replicas for the launch");
    expect(JSON.stringify(first)).not.toContain("on-call engineer");
    expect(JSON.stringify(first)).not.toContain("kubectl delete configmap web-debug");

    const started = await changeLabSandbox(handle.db, learner, LAB, "start", () => {}, deps);
    if (!started.ok || !started.sandbox) throw new Error("start failed");
    const namespace = started.sandbox.namespace;
    expect(await debugConfig(namespace)).toBeNull();

    // Step 1 with the starter (1 replica): only its two checks run, one fails; partial points.
    await save(stepSolution(lab, "scale").files);
    const partial = await check();
    expect(partial.attempt).toMatchObject({ step: "create", completedSteps: [], score: 5, maxScore: 40, completed: false });
    expect(partial.attempt.results.map((r) => [r.id, r.status])).toEqual([["deployment-exists", "pass"], ["three-replicas", "fail"]]);
    expect(partial.unlocked).toBeNull();

    // Three replicas: step 1 is done, step 2 unlocks and its ConfigMap is created, as the learner.
    await save(stepSolution(lab, "create").files);
    const created = await check();
    expect(created.attempt).toMatchObject({ step: "create", completedSteps: ["create"], score: 15, completed: false });
    expect(created.unlocked).toBe("scale");
    expect(created.events.filter((e) => e.type === "progress")).toEqual([{ type: "progress", message: "Setting up the lab: ConfigMap web-debug…" }]);
    expect((await debugConfig(namespace))?.metadata.namespace).toBe(namespace);

    const second = await labPageView(handle.db, learner, lab);
    expect(second?.steps.map((s) => [s.id, s.state, s.earned])).toEqual([["create", "done", 15], ["scale", "current", 0], ["clean-up", "locked", 0]]);
    expect(second?.room.checks.map((c) => c.id)).toEqual(["one-replica"]);
    expect(second?.steps[1]!.instructions).toEqual(expect.any(String));
    expect(JSON.stringify(second)).not.toContain("kubectl delete configmap web-debug");

    // Step 2 graded alone: the Deployment still asks for 3, so it fails; step 1's points stay.
    const stillThree = await check();
    expect(stillThree.attempt).toMatchObject({ step: "scale", completedSteps: ["create"], score: 15 });
    expect(stillThree.attempt.results.map((r) => [r.id, r.status])).toEqual([["one-replica", "fail"]]);

    await save(stepSolution(lab, "scale").files);
    const scaled = await check();
    expect(scaled.attempt).toMatchObject({ step: "scale", completedSteps: ["create", "scale"], score: 25 });
    expect(scaled.unlocked).toBe("clean-up");
    // Step 3 has no setup of its own: nothing more is applied.
    expect(scaled.events.some((e) => e.type === "progress")).toBe(false);

    // A reset is a fresh start for the current step: the setup of every unlocked step comes back.
    await cluster.remove({ apiVersion: "v1", kind: "ConfigMap", name: "web-debug", namespace });
    const reset = await changeLabSandbox(handle.db, learner, LAB, "reset", () => {}, deps);
    expect(reset).toMatchObject({ ok: true });
    expect(await debugConfig(namespace)).not.toBeNull();
    expect(await cluster.get({ apiVersion: "apps/v1", kind: "Deployment", name: "model-server", namespace })).toBeNull();

    // Step 3: the ConfigMap still there fails it; deleted (and the Deployment back), the lab is complete.
    await save(stepSolution(lab, "clean-up").files);
    const kept = await check();
    expect(kept.attempt).toMatchObject({ step: "clean-up", completedSteps: ["create", "scale"], score: 30, completed: false });
    expect(kept.attempt.results.map((r) => [r.id, r.status])).toEqual([["debug-settings-gone", "fail"], ["server-kept", "pass"]]);
    await cluster.remove({ apiVersion: "v1", kind: "ConfigMap", name: "web-debug", namespace });
    const done = await check();
    expect(done.attempt).toMatchObject({ step: "clean-up", completedSteps: ["create", "scale", "clean-up"], score: 40, completed: true });
    expect(done.unlocked).toBeNull();

    // Completed once, stays completed: checking again grades the last step and keeps the score.
    await cluster.remove({ apiVersion: "apps/v1", kind: "Deployment", name: "model-server", namespace });
    const after = await check();
    expect(after.attempt).toMatchObject({ step: "clean-up", completedSteps: ["create", "scale", "clean-up"], score: 40, completed: true });
    expect(after.attempt.results.find((r) => r.id === "server-kept")?.status).toBe("fail");

    expect(await completedLabIds(handle.db, learner)).toContain(LAB);
    expect((await labProgress(handle.db, learner)).find((p) => p.labId === LAB)).toMatchObject({ bestScore: 40, maxScore: 40, completed: true, attempts: 7 });
    expect(await verifyAttemptChain(handle.db, { userId: learner.id, labId: LAB }, keys)).toMatchObject({ ok: true, attempts: 7 });

    const last = await labPageView(handle.db, learner, lab);
    expect(last?.steps.map((s) => [s.state, s.instructions === null])).toEqual([["done", false], ["done", false], ["done", false]]);
    expect(last?.room.checks.map((c) => c.id)).toEqual(["debug-settings-gone", "server-kept"]);
  });

  test("a new sandbox after a stop starts with the setup of the steps already unlocked", async () => {
    const lab = getLab(LAB)!;
    const learner = await createUser(handle.db, "learner");
    const started = await changeLabSandbox(handle.db, learner, LAB, "start", () => {}, deps);
    if (!started.ok || !started.sandbox) throw new Error("start failed");
    expect(await saveLabFiles(handle.db, learner, LAB, [{ path: "k8s/deployment.yaml", content: stepSolution(lab, "create").files["k8s/deployment.yaml"]! }])).toMatchObject({ ok: true });
    await applyLabFiles(handle.db, learner, LAB, deps);
    const graded = await checkLab(handle.db, learner, LAB, undefined, grading);
    expect(graded).toMatchObject({ ok: true, unlocked: "scale", attempt: { completedSteps: ["create"] } });

    expect(await changeLabSandbox(handle.db, learner, LAB, "stop", () => {}, deps)).toEqual({ ok: true, sandbox: null });
    const progress: string[] = [];
    const again = await changeLabSandbox(handle.db, learner, LAB, "start", (p) => progress.push(p), deps);
    if (!again.ok || !again.sandbox) throw new Error("restart failed");
    expect(again.sandbox.namespace).not.toBe(started.sandbox.namespace);
    expect(progress).toContain("Setting up the lab: ConfigMap web-debug…");
    expect(await cluster.get({ apiVersion: "v1", kind: "ConfigMap", name: "web-debug", namespace: again.sandbox.namespace })).not.toBeNull();
  });

  test("grading a step that reads the sandbox, with none running, says so and records nothing", async () => {
    const learner = await createUser(handle.db, "learner");
    expect(await checkLab(handle.db, learner, LAB, undefined, grading)).toMatchObject({ ok: false, code: "no-sandbox" });
    expect(await labProgress(handle.db, learner)).toEqual([]);
  });
});
