// The workspace facade on both databases, with an in-memory stand-in for the cluster: callers
// name the lab, never a sandbox id; start decides start-or-resume itself; having no sandbox is an
// answer each action gives in its own words, with the code "no-sandbox".
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import type { DatabaseHandle } from "@/lib/db/client";
import { labApplies, sandboxes } from "@/lib/db/schema";
import { saveLabFiles, sha256 } from "@/lib/labs/files";
import { getLab, solutionFiles } from "@/lib/labs/registry";
import { USER_LIMITS } from "@/lib/rate-limit/limits";
import { fakeCluster } from "@/lib/sandbox/test-helpers";
import { createLearners } from "@/tests/support/cluster";
import { DATABASE_KINDS, openTestDatabase } from "@/tests/support/databases";
import { appliesOf } from "./applies";
import { applyLabFiles, changeLabSandbox, extendLabSandbox, labKubeconfig, labSandbox, labWorkloads } from "./index";

const LAB = "deploy-the-model";
const NO_SANDBOX_LAB = "containerise-the-model";

describe.each(DATABASE_KINDS)("workspace facade on %s", (kind) => {
  let handle: DatabaseHandle;
  const cluster = fakeCluster();
  const deps = { cluster, installation: "unit-workspace" };

  beforeAll(async () => {
    handle = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await handle?.close();
  });

  test("starting a lab twice resumes the same sandbox; stop leaves none, and stopping again is fine", async () => {
    const [learner] = await createLearners(handle.db, 1);
    const steps: string[] = [];
    const first = await changeLabSandbox(handle.db, learner!, LAB, "start", (step) => steps.push(step), deps);
    if (!first.ok || !first.sandbox) throw new Error(`start failed: ${JSON.stringify(first)}`);
    expect(first.sandbox).toMatchObject({ labId: LAB, state: "ready", sizeProfile: "small" });
    expect(steps.at(0)).toBe("Creating namespace…");
    expect(steps.at(-1)).toBe("Ready");

    const again = await changeLabSandbox(handle.db, learner!, LAB, "start", () => {}, deps);
    expect(again).toMatchObject({ ok: true, sandbox: { id: first.sandbox.id } });
    expect(await labSandbox(handle.db, learner!, LAB)).toMatchObject({ id: first.sandbox.id });
    expect(await changeLabSandbox(handle.db, learner!, LAB, "resume", () => {}, deps)).toMatchObject({ ok: true, sandbox: { id: first.sandbox.id } });
    expect(await handle.db.select().from(sandboxes).where(eq(sandboxes.userId, learner!.id))).toHaveLength(1);

    expect(await changeLabSandbox(handle.db, learner!, LAB, "stop", () => {}, deps)).toEqual({ ok: true, sandbox: null });
    expect(await labSandbox(handle.db, learner!, LAB)).toBeNull();
    expect(await changeLabSandbox(handle.db, learner!, LAB, "stop", () => {}, deps)).toEqual({ ok: true, sandbox: null });
    expect(await changeLabSandbox(handle.db, learner!, LAB, "reset", () => {}, deps)).toEqual({ ok: true, sandbox: null });
  });

  test("without a running sandbox, each action says what to do, with the code no-sandbox", async () => {
    const [learner] = await createLearners(handle.db, 1);
    expect(await changeLabSandbox(handle.db, learner!, LAB, "resume", () => {}, deps)).toEqual({
      ok: false,
      code: "no-sandbox",
      error: "You have no lab environment for this lab. Start it first.",
    });
    expect(await extendLabSandbox(handle.db, learner!, LAB, deps)).toEqual({ ok: false, code: "no-sandbox", error: "There is no lab environment to extend." });
    expect(await labKubeconfig(handle.db, learner!, LAB, deps)).toEqual({ ok: false, code: "no-sandbox", error: "Start your lab environment first." });
    expect(await applyLabFiles(handle.db, learner!, LAB, deps)).toEqual({ ok: false, code: "no-sandbox", error: "Start your lab environment first, then apply." });
  });

  test("a lab without a sandbox cannot start one, and an unknown lab is not found", async () => {
    const [learner] = await createLearners(handle.db, 1);
    expect(await changeLabSandbox(handle.db, learner!, NO_SANDBOX_LAB, "start", () => {}, deps)).toMatchObject({ ok: false, code: "no-sandbox" });
    expect(await applyLabFiles(handle.db, learner!, NO_SANDBOX_LAB, deps)).toMatchObject({ ok: false, code: "no-sandbox" });
    expect(await changeLabSandbox(handle.db, learner!, "no-such-lab", "start", () => {}, deps)).toMatchObject({ ok: false, code: "not-found" });
    expect(await applyLabFiles(handle.db, learner!, "no-such-lab", deps)).toMatchObject({ ok: false, code: "not-found" });
  });

  test("apply sends the saved files, as the learner, to the lab's sandbox, and extend gives it more time", async () => {
    const [learner] = await createLearners(handle.db, 1);
    const lab = getLab(LAB)!;
    const solution = solutionFiles(lab);
    const saved = await saveLabFiles(handle.db, learner!, LAB, lab.files.filter((f) => !f.readonly).map((f) => ({ path: f.path, content: solution[f.path]! })));
    expect(saved).toMatchObject({ ok: true });
    const started = await changeLabSandbox(handle.db, learner!, LAB, "start", () => {}, deps);
    if (!started.ok || !started.sandbox) throw new Error("start failed");

    const applied = await applyLabFiles(handle.db, learner!, LAB, deps);
    if (!applied.ok) throw new Error(applied.error);
    expect(applied.files.map((f) => f.path)).toEqual(lab.files.filter((f) => f.apply).map((f) => f.path));
    expect(applied.files.every((f) => f.ok && f.results.length > 0 && f.results.every((r) => r.outcome === "applied"))).toBe(true);
    const deployment = await cluster.get({ apiVersion: "apps/v1", kind: "Deployment", name: "model-server", namespace: started.sandbox.namespace });
    expect(deployment?.metadata.namespace).toBe(started.sandbox.namespace);

    // Each apply is recorded, file by file, with the text's sha256 and what the cluster made of it.
    const broken = "apiVersion: v1\nkind: Service\nmetadata: [name\n";
    expect(await saveLabFiles(handle.db, learner!, LAB, [{ path: "k8s/service.yaml", content: broken }])).toMatchObject({ ok: true });
    const second = await applyLabFiles(handle.db, learner!, LAB, deps);
    if (!second.ok) throw new Error(second.error);
    expect(second.files.find((f) => f.path === "k8s/service.yaml")).toMatchObject({ ok: false, code: "invalid-input" });
    const records = await appliesOf(handle.db, learner!.id, [LAB]);
    expect(records).toHaveLength(2);
    expect(records[0]!.error).toBeNull();
    expect(records[0]!.files).toEqual(
      lab.files.filter((f) => f.apply).map((f) => ({ path: f.path, sha256: sha256(solution[f.path]!), applied: expect.any(Number), rejected: [], rejectedCount: 0 })),
    );
    expect(records[0]!.files.every((f) => f.applied > 0)).toBe(true);
    const service = records[1]!.files.find((f) => f.path === "k8s/service.yaml")!;
    expect(service).toMatchObject({ sha256: sha256(broken), applied: 0, rejectedCount: 0, error: expect.stringMatching(/YAML|line/i) });
    expect(records[1]!.files.find((f) => f.path === "k8s/deployment.yaml")).toMatchObject({ applied: 1, rejectedCount: 0 });
    // Rows cannot be changed afterwards (the append-only trigger).
    const edit = await handle.db
      .update(labApplies)
      .set({ error: "edited" })
      .where(eq(labApplies.id, records[0]!.id))
      .then(() => null, (error: Error) => error);
    expect(String(edit?.cause ?? edit)).toMatch(/lab_applies is append-only/);

    const extended = await extendLabSandbox(handle.db, learner!, LAB, deps);
    if (!extended.ok) throw new Error(extended.error);
    expect(extended.sandbox.expiresAt.getTime()).toBeGreaterThan(started.sandbox.expiresAt.getTime());
  });

  test("workloads are read from the learner's own sandbox only, and without one the answer says what to do", async () => {
    const [learner, other] = await createLearners(handle.db, 2);
    expect(await labWorkloads(handle.db, learner!, LAB, deps)).toEqual({ ok: false, code: "no-sandbox", error: "Start your lab environment to see your workloads." });
    const mine = await changeLabSandbox(handle.db, learner!, LAB, "start", () => {}, deps);
    const theirs = await changeLabSandbox(handle.db, other!, LAB, "start", () => {}, deps);
    if (!mine.ok || !mine.sandbox || !theirs.ok || !theirs.sandbox) throw new Error("start failed");
    await cluster.apply({ apiVersion: "v1", kind: "Node", metadata: { name: "kwok-node-0", annotations: { "kwok.x-k8s.io/node": "fake" } } });
    const podIn = (namespace: string, name: string) =>
      cluster.apply({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name, namespace },
        spec: { nodeName: "kwok-node-0", containers: [{ name: "app", image: "ghcr.io/academy-labs/model-server:1.4.2" }] },
        status: { phase: "Running", containerStatuses: [{ name: "app", ready: true, restartCount: 0, state: { running: {} } }] },
      });
    await podIn(mine.sandbox.namespace, "mine");
    await podIn(theirs.sandbox.namespace, "theirs");

    const read = await labWorkloads(handle.db, learner!, LAB, deps);
    if (!read.ok) throw new Error(read.error);
    expect(read.view.namespace).toBe(mine.sandbox.namespace);
    expect(read.view.pods.map((p) => [p.name, p.node.kind, p.containers[0]!.logs.available])).toEqual([["mine", "simulated", false]]);
    const theirsRead = await labWorkloads(handle.db, other!, LAB, deps);
    expect(theirsRead.ok && theirsRead.view.pods.map((p) => p.name)).toEqual(["theirs"]);
  });

  describe("rate limits", () => {
    // The limits count per clock minute; a fixed clock keeps every call of a test in one.
    afterEach(() => {
      vi.useRealTimers();
    });

    test("sandbox changes, kubeconfigs and applies each count against the learner's own limit, and the refusal says when to try again", async () => {
      vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-06-01T10:00:15Z") });
      const [learner, other] = await createLearners(handle.db, 2);
      // Stopping with no sandbox does nothing on the cluster, but it is a change and counts.
      for (let i = 0; i < USER_LIMITS.sandbox.policy.limit; i++) {
        expect(await changeLabSandbox(handle.db, learner!, LAB, "stop", () => {}, deps)).toEqual({ ok: true, sandbox: null });
      }
      const steps: string[] = [];
      expect(await changeLabSandbox(handle.db, learner!, LAB, "start", (step) => steps.push(step), deps)).toEqual({
        ok: false,
        code: "rate-limited",
        retryAfterSeconds: 45,
        error: `Too many lab environment starts, resets and stops (at most ${USER_LIMITS.sandbox.policy.limit} a minute). Try again in 45 seconds.`,
      });
      expect(steps).toEqual([]);
      expect(await labSandbox(handle.db, learner!, LAB)).toBeNull();

      for (let i = 0; i < USER_LIMITS.kubeconfig.policy.limit; i++) expect(await labKubeconfig(handle.db, learner!, LAB, deps)).toMatchObject({ code: "no-sandbox" });
      expect(await labKubeconfig(handle.db, learner!, LAB, deps)).toMatchObject({ ok: false, code: "rate-limited", retryAfterSeconds: 45, error: expect.stringMatching(/^Too many kubeconfig downloads .*Try again in 45 seconds\.$/) });
      for (let i = 0; i < USER_LIMITS.apply.policy.limit; i++) expect(await applyLabFiles(handle.db, learner!, LAB, deps)).toMatchObject({ code: "no-sandbox" });
      expect(await applyLabFiles(handle.db, learner!, LAB, deps)).toMatchObject({ ok: false, code: "rate-limited", retryAfterSeconds: 45 });

      // Another learner is not affected by the first one's limits.
      expect(await changeLabSandbox(handle.db, other!, LAB, "stop", () => {}, deps)).toEqual({ ok: true, sandbox: null });
      expect(await labKubeconfig(handle.db, other!, LAB, deps)).toMatchObject({ code: "no-sandbox" });
      expect(await applyLabFiles(handle.db, other!, LAB, deps)).toMatchObject({ code: "no-sandbox" });

      // The next minute the learner may start again.
      vi.setSystemTime(new Date("2026-06-01T10:01:00Z"));
      expect(await changeLabSandbox(handle.db, learner!, LAB, "resume", () => {}, deps)).toMatchObject({ ok: false, code: "no-sandbox" });
    });
  });
});
