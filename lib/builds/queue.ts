// The build queue, in the database so it holds across server processes: a build is a row in
// image_builds, queued until one of the installation's ACADEMY_BUILD_CONCURRENCY slots is free,
// oldest first. The claim runs under one transaction-scoped advisory lock, so two processes never
// both take the last slot. The process that drives a build beats its heartbeat; rows whose
// heartbeat stopped (a process that died) are failed before each claim, so they hold no slot.
import "server-only";
import { and, asc, count, desc, eq, inArray, lt, or, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { imageBuilds, type ImageBuildRow } from "@/lib/db/schema";
import { LEARNER_IMAGES_HOST } from "./manifests";
import type { BuiltImageView } from "./events";
import type { BuildOutcome } from "./outcome";

/** A live build whose driver has not beaten for this long is taken for dead. */
export const HEARTBEAT_STALE_MS = 60_000;
/** Any fixed number: the advisory lock that serialises claims. */
const CLAIM_LOCK = 4_207_001;

const LIVE = ["queued", "running"] as const;

export type EnqueueResult = { ok: true; build: ImageBuildRow } | { ok: false; code: "already-building"; error: string };

/** Fails the live builds whose driver stopped beating. */
export async function failStaleBuilds(db: Database, now: Date): Promise<number> {
  const stale = await db
    .update(imageBuilds)
    .set({
      state: "failed",
      reason: "unknown",
      error: "The build was interrupted (the server restarted or lost the cluster). Build again.",
      finishedAt: now,
    })
    .where(and(inArray(imageBuilds.state, [...LIVE]), lt(imageBuilds.heartbeatAt, new Date(now.getTime() - HEARTBEAT_STALE_MS))))
    .returning({ id: imageBuilds.id });
  return stale.length;
}

/** Queues a build; refused while the learner already has one queued or running for this lab. */
export async function enqueueBuild(
  db: Database,
  build: { id: string; userId: string; labId: string; image: string },
  now: Date = new Date(),
): Promise<EnqueueResult> {
  await failStaleBuilds(db, now);
  const [row] = await db
    .insert(imageBuilds)
    .values({ ...build, state: "queued", createdAt: now, heartbeatAt: now })
    .onConflictDoNothing()
    .returning();
  if (row) return { ok: true, build: row };
  return {
    ok: false,
    code: "already-building",
    error: "An image build for this lab is already queued or running; wait for it to finish, then build again.",
  };
}

export type ClaimResult = { claimed: true } | { claimed: false; position: number; running: number };

/**
 * Takes a slot for the build if one is free and no older build is waiting; otherwise says where
 * the build stands in the queue (1 = next).
 */
export async function claimSlot(db: Database, id: string, concurrency: number, now: Date = new Date()): Promise<ClaimResult> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${CLAIM_LOCK})`);
    await failStaleBuilds(tx as unknown as Database, now);
    const [self] = await tx.select().from(imageBuilds).where(eq(imageBuilds.id, id));
    if (!self || self.state !== "queued") throw new Error(`build ${id} is not queued (${self?.state ?? "gone"})`);
    const [{ running } = { running: 0 }] = await tx.select({ running: count() }).from(imageBuilds).where(eq(imageBuilds.state, "running"));
    const ahead = await tx
      .select({ id: imageBuilds.id })
      .from(imageBuilds)
      .where(
        and(
          eq(imageBuilds.state, "queued"),
          or(lt(imageBuilds.createdAt, self.createdAt), and(eq(imageBuilds.createdAt, self.createdAt), lt(imageBuilds.id, self.id))),
        ),
      )
      .orderBy(asc(imageBuilds.createdAt), asc(imageBuilds.id));
    const free = concurrency - running;
    if (free > ahead.length) {
      await tx.update(imageBuilds).set({ state: "running", startedAt: now, heartbeatAt: now }).where(eq(imageBuilds.id, id));
      return { claimed: true };
    }
    return { claimed: false, position: ahead.length + 1, running };
  });
}

export async function heartbeat(db: Database, id: string, now: Date = new Date()): Promise<void> {
  await db
    .update(imageBuilds)
    .set({ heartbeatAt: now })
    .where(and(eq(imageBuilds.id, id), inArray(imageBuilds.state, [...LIVE])));
}

/** Records the outcome; a row already failed as stale keeps that verdict. */
export async function finishBuild(db: Database, id: string, outcome: BuildOutcome, now: Date = new Date()): Promise<void> {
  await db
    .update(imageBuilds)
    .set(
      outcome.ok
        ? { state: "succeeded", digest: outcome.digest, finishedAt: now }
        : { state: "failed", reason: outcome.reason, error: outcome.error, finishedAt: now },
    )
    .where(and(eq(imageBuilds.id, id), inArray(imageBuilds.state, [...LIVE])));
}

/** The learner's newest successful build of the lab's image, by the name a Deployment uses. */
export async function lastBuiltImage(db: Database, user: { id: string }, labId: string): Promise<BuiltImageView | null> {
  const row = await latestSuccessfulBuild(db, user.id, labId);
  if (!row?.digest || !row.finishedAt) return null;
  return { image: `${LEARNER_IMAGES_HOST}/${row.image}`, digest: row.digest, builtAt: row.finishedAt.toISOString() };
}

/** The learner's newest successful build of a lab's image (the deploy lab runs it). */
export async function latestSuccessfulBuild(db: Database, userId: string, labId: string): Promise<ImageBuildRow | null> {
  const rows = await db
    .select()
    .from(imageBuilds)
    .where(and(eq(imageBuilds.userId, userId), eq(imageBuilds.labId, labId), eq(imageBuilds.state, "succeeded")))
    .orderBy(desc(imageBuilds.finishedAt))
    .limit(1);
  return rows[0] ?? null;
}
