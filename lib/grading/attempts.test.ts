import { createHmac, hkdfSync, randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openDatabase, type Database, type DatabaseHandle } from "@/lib/db/client";
import { labAttemptCheckpoint, labAttemptHeads, labAttempts, users } from "@/lib/db/schema";
import { DATABASE_KINDS, openTestDatabase, type DatabaseKind } from "@/tests/support/databases";
import { keyringOf, LEGACY_KID, loadAttemptKeyring, type AttemptKeyring } from "./attempt-keys";
import { appendAttempt, attemptHash, canonicalJson, verifyAttemptChain, type NewAttempt } from "./attempts";

const LAB = "design-the-prediction-api";
const OTHER_LAB = "batch-scoring-script";
const k1 = randomBytes(32);
const k2 = randomBytes(32);
const ring1 = keyringOf({ k1 });

function attemptOf(userId: string, labId = LAB, score = 10): NewAttempt {
  return { userId, labId, filesSha256: "0".repeat(64), results: [], score, maxScore: 100, completed: false, durationMs: 5, createdAt: new Date() };
}

/** Runs SQL that the append-only trigger would refuse, as someone with full database rights. */
async function asDatabaseOwner(db: Database, statements: ReturnType<typeof sql>[]) {
  await db.execute(sql`alter table lab_attempts disable trigger lab_attempts_append_only`);
  try {
    for (const statement of statements) await db.execute(statement);
  } finally {
    await db.execute(sql`alter table lab_attempts enable trigger lab_attempts_append_only`);
  }
}

describe.each(DATABASE_KINDS)("signed attempts on %s", (kind) => {
  let handle: DatabaseHandle;
  let db: Database;
  const newUser = async () => {
    const id = randomUUID();
    await db.insert(users).values({ id, email: `${id}@example.com`, name: "U" });
    return id;
  };
  const chainOf = async (n: number, keys: AttemptKeyring = ring1, labId = LAB) => {
    const userId = await newUser();
    for (let i = 0; i < n; i++) await appendAttempt(db, attemptOf(userId, labId, i), keys);
    return userId;
  };
  const reasons = async (filter: { userId?: string; labId?: string }, keys: AttemptKeyring = ring1) =>
    (await verifyAttemptChain(db, filter, keys)).problems.map((p) => `${p.seq}: ${p.reason}`);

  beforeAll(async () => {
    handle = await openTestDatabase(kind);
    db = handle.db;
  });
  afterAll(async () => {
    await handle?.close();
  });

  test("an untouched chain verifies, with its head and the checkpoint; new rows carry the active kid", async () => {
    // Appends of different chains at the same moment (the first ones also race to create the
    // checkpoint) leave heads and counts that agree with the rows.
    const learners = await Promise.all(Array.from({ length: 6 }, () => newUser()));
    for (let round = 0; round < 3; round++) await Promise.all(learners.map((id) => appendAttempt(db, attemptOf(id), ring1)));
    expect(await verifyAttemptChain(db, {}, ring1)).toMatchObject({ ok: true, chains: 6, attempts: 18, heads: 6 });
    const userId = await chainOf(3);
    const report = await verifyAttemptChain(db, { userId }, ring1);
    expect(report).toMatchObject({ ok: true, chains: 1, attempts: 3, heads: 1, problems: [] });
    const rows = await db.select().from(labAttempts).where(sql`${labAttempts.userId} = ${userId}`);
    expect(rows.map((r) => r.kid)).toEqual(["k1", "k1", "k1"]);
    expect(await verifyAttemptChain(db, {}, ring1)).toMatchObject({ ok: true });
  });

  test("a changed row is detected", async () => {
    const userId = await chainOf(3);
    await asDatabaseOwner(db, [sql`update lab_attempts set score = 100, completed = true where user_id = ${userId} and seq = 2`]);
    expect(await reasons({ userId })).toEqual([expect.stringMatching(/^2: its content does not match its hash/)]);
  });

  test("a step record (the step graded, the steps completed) is signed: editing, adding or removing one is detected", async () => {
    const stepped = async () => {
      const userId = await newUser();
      await appendAttempt(db, { ...attemptOf(userId), step: "create", completedSteps: [] }, ring1);
      await appendAttempt(db, { ...attemptOf(userId), step: "create", completedSteps: ["create"] }, ring1);
      await appendAttempt(db, { ...attemptOf(userId), step: "scale", completedSteps: ["create"] }, ring1);
      return userId;
    };
    const untouched = await stepped();
    expect(await reasons({ userId: untouched })).toEqual([]);
    const rows = await db.select().from(labAttempts).where(sql`${labAttempts.userId} = ${untouched}`).orderBy(labAttempts.seq);
    expect(rows.map((r) => [r.step, r.completedSteps])).toEqual([["create", []], ["create", ["create"]], ["scale", ["create"]]]);

    const completedMore = await stepped();
    await asDatabaseOwner(db, [sql`update lab_attempts set completed_steps = '["create","scale"]'::jsonb where user_id = ${completedMore} and seq = 3`]);
    expect(await reasons({ userId: completedMore })).toEqual([expect.stringMatching(/^3: its content does not match its hash/)]);

    const otherStep = await stepped();
    await asDatabaseOwner(db, [sql`update lab_attempts set step = 'clean-up' where user_id = ${otherStep} and seq = 3`]);
    expect(await reasons({ userId: otherStep })).toEqual([expect.stringMatching(/^3: its content does not match its hash/)]);

    const erased = await stepped();
    await asDatabaseOwner(db, [sql`update lab_attempts set step = null, completed_steps = '[]'::jsonb where user_id = ${erased} and seq = 2`]);
    expect(await reasons({ userId: erased })).toEqual([expect.stringMatching(/^2: its content does not match its hash/)]);

    // A lab without steps: a step record added afterwards is detected too.
    const plain = await chainOf(2);
    await asDatabaseOwner(db, [sql`update lab_attempts set completed_steps = '["create"]'::jsonb where user_id = ${plain} and seq = 1`]);
    expect(await reasons({ userId: plain })).toEqual([expect.stringMatching(/^1: its content does not match its hash/)]);
  });

  test("rows without a step hash as they did before steps existed (stored chains keep verifying)", () => {
    const row = { ...attemptOf("u"), seq: 1, prevHash: null, kid: "k1" };
    // The content signed before migration 0011, field by field.
    const before = canonicalJson({
      v: 2, kid: "k1", userId: "u", labId: LAB, seq: 1, filesSha256: row.filesSha256, results: [], score: row.score, maxScore: 100,
      completed: false, durationMs: 5, createdAt: row.createdAt.toISOString(), prevHash: null,
    });
    expect(attemptHash(k1, { ...row, step: null, completedSteps: [] })).toBe(createHmac("sha256", k1).update(before).digest("hex"));
    expect(attemptHash(k1, { ...row, step: "create", completedSteps: [] })).not.toBe(attemptHash(k1, row));
  });

  test("reordered attempts are detected", async () => {
    const userId = await chainOf(3);
    await asDatabaseOwner(db, [
      sql`update lab_attempts set seq = -1 where user_id = ${userId} and seq = 2`,
      sql`update lab_attempts set seq = 2 where user_id = ${userId} and seq = 3`,
      sql`update lab_attempts set seq = 3 where user_id = ${userId} and seq = -1`,
    ]);
    const found = await reasons({ userId });
    expect(found).toEqual(expect.arrayContaining([expect.stringMatching(/^2: does not link/), expect.stringMatching(/^2: its content does not match/)]));
  });

  test("an attempt deleted from the middle is detected", async () => {
    const userId = await chainOf(4);
    await db.execute(sql`delete from lab_attempts where user_id = ${userId} and seq = 2`);
    expect(await reasons({ userId })).toEqual([expect.stringMatching(/^3: expected attempt 2 here/), expect.stringMatching(/^3: does not link/)]);
  });

  test("deleting the newest attempts is detected by the signed head", async () => {
    const userId = await chainOf(5);
    await db.execute(sql`delete from lab_attempts where user_id = ${userId} and seq >= 4`);
    expect(await reasons({ userId })).toEqual(["3: the signed head is attempt 5: attempts 4–5 were deleted"]);
    // The verifier of a lab and of everything says so too, with the counts that no longer match.
    expect(await reasons({ labId: LAB })).toEqual(expect.arrayContaining(["3: the signed head is attempt 5: attempts 4–5 were deleted", expect.stringMatching(/^0: the checkpoint counts \d+ attempts?, \d+ stored/)]));
  });

  test("deleting the newest attempts and the head, or a whole chain, is detected", async () => {
    const truncated = await chainOf(3);
    await db.execute(sql`delete from lab_attempts where user_id = ${truncated} and seq = 3`);
    await db.delete(labAttemptHeads).where(sql`${labAttemptHeads.userId} = ${truncated}`);
    expect(await reasons({ userId: truncated })).toEqual([expect.stringMatching(/^2: the chain has no signed head/)]);

    const gone = await chainOf(2, ring1, OTHER_LAB);
    await db.execute(sql`delete from lab_attempts where user_id = ${gone}`);
    expect(await reasons({ userId: gone })).toEqual(["2: the signed head names attempt 2, and every attempt of this chain was deleted"]);
    await db.delete(labAttemptHeads).where(sql`${labAttemptHeads.userId} = ${gone}`);
    // Nothing of that learner's chain is left; the signed checkpoint still counts it.
    expect(await reasons({ userId: gone })).toEqual([]);
    expect(await reasons({ labId: OTHER_LAB })).toEqual([
      "0: the checkpoint counts 1 chain, 0 left: whole chains were deleted",
      "0: the checkpoint counts 2 attempts, 0 stored",
    ]);
  });

  test("a head or checkpoint rewritten without the key, or a deleted checkpoint, is detected and not re-blessed", async () => {
    const userId = await chainOf(3);
    await db.execute(sql`delete from lab_attempts where user_id = ${userId} and seq = 3`);
    const [row2] = await db.select().from(labAttempts).where(sql`${labAttempts.userId} = ${userId} and ${labAttempts.seq} = 2`);
    await db.update(labAttemptHeads).set({ seq: 2, hash: row2!.hash }).where(sql`${labAttemptHeads.userId} = ${userId}`);
    expect(await reasons({ userId })).toEqual(["2: the head's signature is wrong (the head was changed)"]);

    await db.delete(labAttemptCheckpoint);
    expect(await reasons({})).toEqual(expect.arrayContaining([expect.stringMatching(/^0: the signed checkpoint is missing/)]));
    // The next attempt recreates the checkpoint from nothing instead of counting what is left.
    await chainOf(1);
    expect(await reasons({})).toEqual(expect.arrayContaining([expect.stringMatching(/^0: the checkpoint counts 1 attempt, \d+ stored/)]));
  });

  test("rotating keys: old chains still verify, new attempts use the new kid, a chain may switch kid", async () => {
    const userId = await chainOf(2, ring1);
    const rotated = keyringOf({ k1, k2 });
    expect(rotated.activeKid).toBe("k2");
    await appendAttempt(db, attemptOf(userId), rotated);
    const fresh = await chainOf(1, rotated);
    const rows = await db.select({ kid: labAttempts.kid }).from(labAttempts).where(sql`${labAttempts.userId} = ${userId}`).orderBy(labAttempts.seq);
    expect(rows.map((r) => r.kid)).toEqual(["k1", "k1", "k2"]);
    expect(await verifyAttemptChain(db, { userId }, rotated)).toMatchObject({ ok: true, attempts: 3 });
    expect(await verifyAttemptChain(db, { userId: fresh }, rotated)).toMatchObject({ ok: true, attempts: 1 });
    // Dropping the old key from the ring makes its rows unverifiable, and says which key is missing.
    expect(await reasons({ userId }, keyringOf({ k2 }))).toEqual([
      expect.stringMatching(/^1: signed with key "k1", which this server does not know/),
      expect.stringMatching(/^2: signed with key "k1", which this server does not know/),
    ]);
  });

  test("a row relabelled with an unknown kid, or forged with a key the server does not have, is detected", async () => {
    const userId = await chainOf(2);
    await asDatabaseOwner(db, [sql`update lab_attempts set kid = 'k9' where user_id = ${userId} and seq = 1`]);
    expect(await reasons({ userId })).toEqual([expect.stringMatching(/^1: signed with key "k9", which this server does not know/)]);

    const forged = await chainOf(2);
    expect(await reasons({ userId: forged }, keyringOf({ k1: randomBytes(32) }))).toEqual([
      expect.stringMatching(/^1: its content does not match its hash/),
      expect.stringMatching(/^2: its content does not match its hash/),
      "2: the head's signature is wrong (the head was changed)",
    ]);
  });

  test("an attempt forged with the legacy key (derivable from the session secret) after signed ones is detected", async () => {
    const legacy = randomBytes(32);
    const ring = { ...ring1, legacyKey: () => legacy };
    const userId = await chainOf(2, ring);
    const [last] = await db.select().from(labAttempts).where(sql`${labAttempts.userId} = ${userId} and ${labAttempts.seq} = 2`);
    const forged = { ...attemptOf(userId, LAB, 100), completed: true, seq: 3, prevHash: last!.hash, kid: LEGACY_KID };
    await db.insert(labAttempts).values({ ...forged, hash: attemptHash(legacy, forged) });
    expect(await reasons({ userId }, ring)).toEqual([
      `3: a "${LEGACY_KID}" attempt after attempts signed with attempt keys`,
      "3: the signed head is attempt 2: attempts after it were added without the key",
    ]);
  });

  test("rotating the session secret does not affect attempts signed with attempt keys", async () => {
    const setting = `k1:${k1.toString("base64")}`;
    const before = loadAttemptKeyring({ setting, dataDir: "/nonexistent", sessionSecret: () => "secret-A".repeat(5) });
    const after = loadAttemptKeyring({ setting, dataDir: "/nonexistent", sessionSecret: () => "secret-B".repeat(5) });
    if (!before.ok || !after.ok) throw new Error("key ring");
    const userId = await chainOf(3, before.keyring);
    expect(await verifyAttemptChain(db, { userId }, after.keyring)).toMatchObject({ ok: true, attempts: 3 });
  });
});

/** Applies the migrations up to (not including) `tag`, as a database from before it would be. */
function migrationsBefore(tag: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "academy-migrations-"));
  const source = path.join(process.cwd(), "drizzle");
  const journal = JSON.parse(fs.readFileSync(path.join(source, "meta/_journal.json"), "utf8")) as { entries: Array<{ tag: string }> };
  const entries = journal.entries.slice(0, journal.entries.findIndex((e) => e.tag === tag));
  fs.mkdirSync(path.join(dir, "meta"));
  fs.writeFileSync(path.join(dir, "meta/_journal.json"), JSON.stringify({ ...journal, entries }));
  for (const entry of entries) fs.copyFileSync(path.join(source, `${entry.tag}.sql`), path.join(dir, `${entry.tag}.sql`));
  return dir;
}

async function openTwice(kind: DatabaseKind): Promise<{ open: (migrationsFolder?: string) => Promise<DatabaseHandle>; cleanup: () => Promise<void> }> {
  if (kind === "pglite") {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "academy-upgrade-"));
    return { open: (migrationsFolder) => openDatabase({ dataDir, migrationsFolder }), cleanup: async () => fs.rmSync(dataDir, { recursive: true, force: true }) };
  }
  const adminUrl = process.env.ACADEMY_TEST_DATABASE_URL;
  if (!adminUrl) throw new Error("ACADEMY_TEST_DATABASE_URL is not set (see tests/support/databases.ts)");
  const name = `academy_upgrade_${randomBytes(6).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    open: (migrationsFolder) => openDatabase({ url: url.toString(), migrationsFolder }),
    cleanup: async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

describe.each(DATABASE_KINDS)("upgrading a database with attempts from before attempt keys on %s", (kind) => {
  test("old rows get kid session-v1, stay verifiable, are sealed by the next attempt, and survive a session-secret rotation once pinned", { timeout: 60_000 }, async () => {
    const db = await openTwice(kind);
    const secretA = "session-secret-A".repeat(3);
    const legacyA = Buffer.from(hkdfSync("sha256", secretA, "academy", "lab-attempts-chain-v1", 32));
    const userId = randomUUID();
    try {
      const old = await db.open(migrationsBefore("0003_attempt_signing_keys"));
      await old.db.insert(users).values({ id: userId, email: `${userId}@example.com`, name: "U" });
      let prevHash: string | null = null;
      for (const seq of [1, 2]) {
        // Exactly what the server wrote before: v1 content, key from the session secret, no kid.
        const row = { ...attemptOf(userId), seq, prevHash, kid: LEGACY_KID };
        const hash = attemptHash(legacyA, row);
        await old.db.execute(sql`insert into lab_attempts (user_id, lab_id, seq, files_sha256, results, score, max_score, completed, duration_ms, created_at, prev_hash, hash)
          values (${userId}, ${LAB}, ${seq}, ${row.filesSha256}, ${"[]"}::jsonb, ${row.score}, ${row.maxScore}, ${row.completed}, ${row.durationMs}, ${row.createdAt.toISOString()}::timestamptz, ${prevHash}, ${hash})`);
        prevHash = hash;
      }
      await old.close();

      const upgraded = await db.open();
      try {
        const rows = await upgraded.db.select().from(labAttempts);
        expect(rows.map((r) => r.kid)).toEqual([LEGACY_KID, LEGACY_KID]);
        const ringA = { ...keyringOf({ k1 }), legacyKey: () => legacyA };
        // Before anything is graded: the rows verify, and the missing checkpoint is named.
        expect((await verifyAttemptChain(upgraded.db, { userId }, ringA)).problems.map((p) => p.reason)).toEqual([expect.stringMatching(/no signed head/)]);
        // The first attempt after the upgrade seals the old chains and continues them with k1.
        await appendAttempt(upgraded.db, attemptOf(userId), ringA);
        expect(await verifyAttemptChain(upgraded.db, {}, ringA)).toMatchObject({ ok: true, chains: 1, attempts: 3, heads: 1 });

        // A new session secret changes the derived legacy key: the old rows no longer verify...
        const legacyB = Buffer.from(hkdfSync("sha256", "session-secret-B".repeat(3), "academy", "lab-attempts-chain-v1", 32));
        const ringB = { ...keyringOf({ k1 }), legacyKey: () => legacyB };
        expect((await verifyAttemptChain(upgraded.db, {}, ringB)).problems.map((p) => p.seq)).toEqual([1, 2]);
        // ...unless the legacy key was pinned in ACADEMY_ATTEMPT_KEYS before the rotation.
        const pinned = loadAttemptKeyring({ setting: `session-v1:${legacyA.toString("base64")},k1:${k1.toString("base64")}`, dataDir: "/nonexistent", sessionSecret: () => "session-secret-B".repeat(3) });
        if (!pinned.ok) throw new Error(pinned.error);
        expect(await verifyAttemptChain(upgraded.db, {}, pinned.keyring)).toMatchObject({ ok: true, attempts: 3 });
      } finally {
        await upgraded.close();
      }
    } finally {
      await db.cleanup();
    }
  });
});
