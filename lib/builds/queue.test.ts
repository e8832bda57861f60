// The build queue on PGlite and PostgreSQL: the slot limit, first come first served, one live
// build per learner and lab, and builds whose driver died giving their slot back.
import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { DatabaseHandle } from "@/lib/db/client";
import { imageBuilds } from "@/lib/db/schema";
import { createLearners } from "@/tests/support/cluster";
import { DATABASE_KINDS, openTestDatabase } from "@/tests/support/databases";
import { claimSlot, enqueueBuild, finishBuild, HEARTBEAT_STALE_MS, heartbeat, lastBuiltImage, latestSuccessfulBuild } from "./queue";

const at = (seconds: number) => new Date(Date.UTC(2026, 5, 1, 12, 0, seconds));

describe.each(DATABASE_KINDS)("the build queue on %s", (kind) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await openTestDatabase(kind);
  }, 60_000);
  afterAll(async () => {
    await handle?.close();
  });

  test("two builds run at once, the third waits its turn with its position, and takes the slot a finished one frees", async () => {
    const db = handle.db;
    const learners = await createLearners(db, 4);
    const ids = ["q-a", "q-b", "q-c", "q-d"];
    for (const [i, id] of ids.entries()) {
      const queued = await enqueueBuild(db, { id, userId: learners[i]!.id, labId: "containerise-the-model", image: `learners/x${i}/m:latest` }, at(i));
      expect(queued.ok).toBe(true);
    }
    // The last one asks first: two builds are older than it, so it waits behind them.
    expect(await claimSlot(db, "q-d", 2, at(5))).toEqual({ claimed: false, position: 4, running: 0 });
    expect(await claimSlot(db, "q-a", 2, at(5))).toEqual({ claimed: true });
    expect(await claimSlot(db, "q-b", 2, at(5))).toEqual({ claimed: true });
    expect(await claimSlot(db, "q-c", 2, at(5))).toEqual({ claimed: false, position: 1, running: 2 });
    expect(await claimSlot(db, "q-d", 2, at(5))).toEqual({ claimed: false, position: 2, running: 2 });
    await finishBuild(db, "q-a", { ok: true, digest: "sha256:aa", buildSeconds: 10 }, at(6));
    // d may not jump the queue: c is older.
    expect(await claimSlot(db, "q-d", 2, at(7))).toEqual({ claimed: false, position: 2, running: 1 });
    expect(await claimSlot(db, "q-c", 2, at(7))).toEqual({ claimed: true });
    await finishBuild(db, "q-b", { ok: false, reason: "step-failed", error: "RUN false failed", details: [] }, at(8));
    expect(await claimSlot(db, "q-d", 2, at(9))).toEqual({ claimed: true });
    const [b] = await db.select().from(imageBuilds).where(eq(imageBuilds.id, "q-b"));
    expect(b).toMatchObject({ state: "failed", reason: "step-failed", error: "RUN false failed" });
  });

  test("one live build per learner and lab; another lab, or a build after the first ended, is fine", async () => {
    const db = handle.db;
    const [learner] = await createLearners(db, 1);
    const userId = learner!.id;
    expect((await enqueueBuild(db, { id: "one-1", userId, labId: "lab-a", image: "i" }, at(10))).ok).toBe(true);
    expect(await enqueueBuild(db, { id: "one-2", userId, labId: "lab-a", image: "i" }, at(11))).toMatchObject({ ok: false, code: "already-building" });
    expect((await enqueueBuild(db, { id: "one-3", userId, labId: "lab-b", image: "i" }, at(11))).ok).toBe(true);
    await finishBuild(db, "one-1", { ok: true, digest: "sha256:11", buildSeconds: 3 }, at(12));
    expect((await enqueueBuild(db, { id: "one-4", userId, labId: "lab-a", image: "i" }, at(13))).ok).toBe(true);
    expect(await latestSuccessfulBuild(db, userId, "lab-a")).toMatchObject({ id: "one-1", digest: "sha256:11" });
    expect(await lastBuiltImage(db, { id: userId }, "lab-a")).toEqual({ image: "registry.academy.local/i", digest: "sha256:11", builtAt: at(12).toISOString() });
    expect(await lastBuiltImage(db, { id: userId }, "lab-b")).toBeNull();
  });

  test("a build whose driver stopped beating is failed and gives its slot back; one that beats keeps it", async () => {
    const db = handle.db;
    // Builds left queued or running by the tests above would be ahead of these.
    await db.delete(imageBuilds).where(inArray(imageBuilds.state, ["queued", "running"]));
    const [a, b, c] = await createLearners(db, 3);
    const t0 = at(20);
    await enqueueBuild(db, { id: "st-a", userId: a!.id, labId: "l", image: "i" }, t0);
    await enqueueBuild(db, { id: "st-b", userId: b!.id, labId: "l", image: "i" }, t0);
    await enqueueBuild(db, { id: "st-c", userId: c!.id, labId: "l", image: "i" }, new Date(t0.getTime() + 1));
    expect(await claimSlot(db, "st-a", 2, t0)).toEqual({ claimed: true });
    expect(await claimSlot(db, "st-b", 2, t0)).toEqual({ claimed: true });
    const later = new Date(t0.getTime() + HEARTBEAT_STALE_MS - 1000);
    await heartbeat(db, "st-b", later);
    await heartbeat(db, "st-c", later);
    const past = new Date(t0.getTime() + HEARTBEAT_STALE_MS + 5000);
    expect(await claimSlot(db, "st-c", 2, past)).toEqual({ claimed: true });
    const [dead] = await db.select().from(imageBuilds).where(eq(imageBuilds.id, "st-a"));
    expect(dead).toMatchObject({ state: "failed", reason: "unknown" });
    expect(dead!.error).toMatch(/interrupted/);
    const [alive] = await db.select().from(imageBuilds).where(eq(imageBuilds.id, "st-b"));
    expect(alive!.state).toBe("running");
    // The verdict of a build failed as stale is not overwritten by its driver coming back.
    await finishBuild(db, "st-a", { ok: true, digest: "sha256:late", buildSeconds: 1 }, past);
    const [still] = await db.select().from(imageBuilds).where(eq(imageBuilds.id, "st-a"));
    expect(still).toMatchObject({ state: "failed", digest: null });
  });

  test("parallel claims never run more builds than the slots", async () => {
    const db = handle.db;
    await db.delete(imageBuilds).where(inArray(imageBuilds.state, ["queued", "running"]));
    const learners = await createLearners(db, 6);
    const ids = learners.map((_, i) => `par-${i}`);
    await Promise.all(ids.map((id, i) => enqueueBuild(db, { id, userId: learners[i]!.id, labId: "l", image: "i" }, at(30))));
    const claims = await Promise.all(ids.map((id) => claimSlot(db, id, 2, at(31))));
    expect(claims.filter((c) => c.claimed)).toHaveLength(2);
    const running = await db.select().from(imageBuilds).where(eq(imageBuilds.state, "running"));
    expect(running).toHaveLength(2);
  });
});
