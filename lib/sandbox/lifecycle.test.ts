// The sandbox's database rules (lifecycle, learner apply, reconcile) on both databases, with an
// in-memory stand-in for the cluster (the real cluster is exercised in sandbox.cluster.test.ts):
// the per-learner cap under concurrent starts, one sandbox per lab, ownership, and reconcile of
// interrupted starts.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import type { DatabaseHandle } from "@/lib/db/client";
import { sandboxes } from "@/lib/db/schema";
import { KubeApiError, type KubeClient } from "@/lib/k8s/client";
import { createLearners } from "@/tests/support/cluster";
import { DATABASE_KINDS, openTestDatabase } from "@/tests/support/databases";
import { applyLearnerManifests } from "./learner-apply";
import { extendSandbox, resetSandbox, startSandbox, stopSandbox } from "./lifecycle";
import { fakeCluster } from "./test-helpers";
import { reconcile } from "./upkeep";

describe.each(DATABASE_KINDS)("sandbox service rules on %s", (kind) => {
  let handle: DatabaseHandle;
  const cluster = fakeCluster();
  const deps = { cluster, installation: "unit" };

  beforeAll(async () => {
    handle = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await handle?.close();
  });

  test("a learner starting many labs at once gets exactly the allowed number of sandboxes", async () => {
    const [learner] = await createLearners(handle.db, 1);
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => startSandbox(handle.db, learner!, { labId: `cap-lab-${i}` }, () => {}, deps)),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(3);
    expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.code)).toEqual(Array(5).fill("limit-reached"));
  });

  test("a sandbox stuck in deletion counts toward the cap, and the refusal says which one", async () => {
    const [learner] = await createLearners(handle.db, 1);
    const first = await startSandbox(handle.db, learner!, { labId: "stuck-lab" }, () => {}, deps);
    if (!first.ok) throw new Error(first.error);
    // As a stop leaves it when the namespace stays Terminating past the wait.
    await handle.db.update(sandboxes).set({ state: "deleting" }).where(eq(sandboxes.id, first.sandbox.id));
    for (const labId of ["next-lab-1", "next-lab-2"]) {
      expect(await startSandbox(handle.db, learner!, { labId }, () => {}, deps)).toMatchObject({ ok: true });
    }
    const refused = await startSandbox(handle.db, learner!, { labId: "next-lab-3" }, () => {}, deps);
    expect(refused).toMatchObject({ ok: false, code: "limit-reached" });
    expect(!refused.ok && refused.error).toMatch(/stuck-lab is still being deleted \(its namespace is stuck Terminating\) and counts toward your limit until gone/);
    // Starting the stuck lab again is a new sandbox, not a resume of the one being deleted.
    expect(await startSandbox(handle.db, learner!, { labId: "stuck-lab" }, () => {}, deps)).toMatchObject({ ok: false, code: "limit-reached" });
  });

  test("starting the same lab twice at once gives one sandbox", async () => {
    const [learner] = await createLearners(handle.db, 1);
    const results = await Promise.all(
      Array.from({ length: 5 }, () => startSandbox(handle.db, learner!, { labId: "same-lab" }, () => {}, deps)),
    );
    const ids = new Set(results.map((r) => (r.ok ? r.sandbox.id : r.error)));
    expect(ids.size).toBe(1);
    const rows = await handle.db.select().from(sandboxes).where(eq(sandboxes.userId, learner!.id));
    expect(rows).toHaveLength(1);
  });

  test("invalid input is refused before anything is created", async () => {
    const [learner] = await createLearners(handle.db, 1);
    expect(await startSandbox(handle.db, learner!, { labId: "../etc" }, () => {}, deps)).toMatchObject({ ok: false, code: "invalid-input" });
    expect(await startSandbox(handle.db, learner!, { labId: "ok-lab", sizeProfile: "huge" as "small" }, () => {}, deps)).toMatchObject({ ok: false, code: "invalid-input" });
    expect(await startSandbox(handle.db, learner!, { labId: "ok-lab", ttlMinutes: 100000 }, () => {}, deps)).toMatchObject({ ok: false, code: "invalid-input" });
  });

  test("only the owner can extend, reset, apply to or stop a sandbox", async () => {
    const [owner, other] = await createLearners(handle.db, 2);
    const started = await startSandbox(handle.db, owner!, { labId: "own-lab" }, () => {}, deps);
    if (!started.ok) throw new Error(started.error);
    const id = started.sandbox.id;
    const notFound = { ok: false, code: "not-found" };
    expect(await extendSandbox(handle.db, other!, id, {}, deps)).toMatchObject(notFound);
    expect(await resetSandbox(handle.db, other!, id, () => {}, deps)).toMatchObject(notFound);
    expect(await applyLearnerManifests(handle.db, other!, id, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n", deps)).toMatchObject(notFound);
    expect(await stopSandbox(handle.db, other!, id, () => {}, deps)).toMatchObject(notFound);
    expect(await stopSandbox(handle.db, owner!, "not-a-uuid", () => {}, deps)).toMatchObject(notFound);
    expect(await stopSandbox(handle.db, owner!, id, () => {}, deps)).toMatchObject({ ok: true, sandbox: { state: "gone" } });
  });

  test("a start interrupted long ago is marked failed and its namespace removed", async () => {
    const [learner] = await createLearners(handle.db, 1);
    const started = await startSandbox(handle.db, learner!, { labId: "crash-lab" }, () => {}, deps);
    if (!started.ok) throw new Error(started.error);
    // As if the process had died during the start ten minutes ago.
    await handle.db
      .update(sandboxes)
      .set({ state: "provisioning", createdAt: new Date(Date.now() - 10 * 60_000) })
      .where(eq(sandboxes.id, started.sandbox.id));
    const result = await reconcile(handle.db, deps);
    expect(result.markedFailed).toContain(started.sandbox.namespace);
    expect(result.deletedNamespaces).toContain(started.sandbox.namespace);
    expect(await cluster.get({ apiVersion: "v1", kind: "Namespace", name: started.sandbox.namespace })).toBeNull();
  });

  test("a cluster error during a start marks the sandbox failed and says so with a request id; what the cluster said goes to the log", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const [learner] = await createLearners(handle.db, 1);
    const failing: KubeClient = {
      ...cluster,
      apply: async (object) => {
        if (object.kind === "ResourceQuota") throw new KubeApiError(500, "etcd is sad", "InternalError", {});
        return cluster.apply(object);
      },
    };
    const result = await startSandbox(handle.db, learner!, { labId: "broken-lab" }, () => {}, { ...deps, cluster: failing });
    expect(result).toMatchObject({ ok: false, code: "failed" });
    expect(!result.ok && result.error).toMatch(/^Your sandbox could not be created; start it again in a moment\. If it keeps happening, tell your instructor the request id [0-9a-f-]{36}\.$/);
    expect(!result.ok && result.error).not.toContain("etcd is sad");
    const requestId = !result.ok ? /request id ([0-9a-f-]{36})/.exec(result.error)?.[1] : undefined;
    // The log has the cluster's own words under the id the learner quotes.
    const line = logged.mock.calls.find(([first]) => String(first).includes(`request ${requestId}:`));
    expect(line).toBeDefined();
    expect(String((line![1] as Error).message)).toContain("etcd is sad");
    logged.mockRestore();
    const [row] = await handle.db.select().from(sandboxes).where(eq(sandboxes.userId, learner!.id));
    expect(row?.state).toBe("failed");
    expect(row?.error).not.toContain("etcd is sad");
  });
});
