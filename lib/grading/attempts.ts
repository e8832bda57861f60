// Stored attempts: append-only rows chained by an HMAC per learner and lab. Each attempt's hash
// covers its canonical content and the previous attempt's hash, so changing, reordering or
// removing an attempt in the middle breaks verification. Each row names its key (`kid`,
// lib/grading/attempt-keys.ts), so keys rotate without breaking chains. Two signed records make
// removal at the end detectable: a head per chain (its newest seq and hash) and one checkpoint
// (attempts and chains per lab). Both are written in the attempt's own transaction.
// What this does and does not guarantee: docs/security.md, "Results".
import "server-only";
import { createHmac, timingSafeEqual } from "node:crypto";
import { and, asc, count, desc, eq, ne, type SQL } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import {
  labAttemptCheckpoint,
  labAttemptHeads,
  labAttempts,
  type AttemptCounts,
  type LabAttemptHeadRow,
  type LabAttemptRow,
  type StoredCheckResult,
} from "@/lib/db/schema";
import { attemptKeyring, keyFor, LEGACY_KID, type AttemptKeyring } from "./attempt-keys";

export type CheckResultDTO = Omit<StoredCheckResult, "internal">;

export type AttemptDTO = {
  id: number;
  seq: number;
  labId: string;
  createdAt: Date;
  score: number;
  maxScore: number;
  completed: boolean;
  durationMs: number;
  filesSha256: string;
  results: CheckResultDTO[];
  /** The step graded (labs with `steps:`), or null. */
  step: string | null;
  /** The lab's steps completed after this attempt, in step order. */
  completedSteps: string[];
};

export type NewAttempt = {
  userId: string;
  labId: string;
  filesSha256: string;
  results: StoredCheckResult[];
  score: number;
  maxScore: number;
  completed: boolean;
  durationMs: number;
  createdAt: Date;
  /** The step graded; null (or absent) for a lab without steps. */
  step?: string | null;
  /** The steps completed after this attempt; empty (or absent) for a lab without steps. */
  completedSteps?: string[];
};

/** JSON with sorted keys and no undefined values: the same bytes for the same content. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value ?? null);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

type Hashable = Pick<LabAttemptRow, "userId" | "labId" | "seq" | "filesSha256" | "results" | "score" | "maxScore" | "completed" | "durationMs" | "createdAt" | "prevHash" | "kid"> &
  Partial<Pick<LabAttemptRow, "step" | "completedSteps">>;

/**
 * The row's HMAC. Legacy rows (kid "session-v1") keep their original content, without the kid.
 * The step graded and the steps completed are part of the content when there are any, so rows of
 * labs without steps hash as they always did, and adding, removing or changing a step record
 * changes the content.
 */
export function attemptHash(key: Buffer, row: Hashable): string {
  const legacy = row.kid === LEGACY_KID;
  const content = canonicalJson({
    v: legacy ? 1 : 2,
    ...(legacy ? {} : { kid: row.kid }),
    userId: row.userId,
    labId: row.labId,
    seq: row.seq,
    filesSha256: row.filesSha256,
    results: row.results,
    score: row.score,
    maxScore: row.maxScore,
    completed: row.completed,
    durationMs: row.durationMs,
    createdAt: row.createdAt.toISOString(),
    prevHash: row.prevHash ?? null,
    ...(row.step != null ? { step: row.step } : {}),
    ...(row.completedSteps?.length ? { completedSteps: row.completedSteps } : {}),
  });
  return createHmac("sha256", key).update(content).digest("hex");
}

type HeadContent = Pick<LabAttemptHeadRow, "userId" | "labId" | "seq" | "hash" | "kid">;

function headSignature(key: Buffer, head: HeadContent): string {
  const content = canonicalJson({ v: 1, type: "lab-attempt-head", userId: head.userId, labId: head.labId, seq: head.seq, hash: head.hash, kid: head.kid });
  return createHmac("sha256", key).update(content).digest("hex");
}

function checkpointSignature(key: Buffer, checkpoint: { counts: AttemptCounts; kid: string }): string {
  const content = canonicalJson({ v: 1, type: "lab-attempt-checkpoint", counts: checkpoint.counts, kid: checkpoint.kid });
  return createHmac("sha256", key).update(content).digest("hex");
}

function sameSignature(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

function activeKey(keys: AttemptKeyring): Buffer {
  const key = keyFor(keys, keys.activeKid);
  if (!key) throw new Error(`attempt key ring (${keys.source}) has no key for its active id "${keys.activeKid}"`);
  return key;
}

type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];

const CHECKPOINT_ID = 1;

/**
 * Locks the checkpoint row for this transaction, creating it on first use. A database upgraded
 * from before signed heads (only "session-v1" rows, no heads) is sealed as it is: a head for each
 * chain and its counts. One that has newer rows but no checkpoint was tampered with; it gets an
 * empty checkpoint, so verification keeps failing instead of blessing what is left.
 */
async function lockCheckpoint(tx: Tx, keys: AttemptKeyring, now: Date): Promise<{ counts: AttemptCounts }> {
  const key = activeKey(keys);
  const created = await tx
    .insert(labAttemptCheckpoint)
    .values({ id: CHECKPOINT_ID, counts: {}, kid: keys.activeKid, signature: checkpointSignature(key, { counts: {}, kid: keys.activeKid }), updatedAt: now })
    .onConflictDoNothing()
    .returning({ id: labAttemptCheckpoint.id });
  if (created.length > 0) {
    const [current] = await tx.select({ n: count() }).from(labAttempts).where(ne(labAttempts.kid, LEGACY_KID));
    const [heads] = await tx.select({ n: count() }).from(labAttemptHeads);
    if ((current?.n ?? 0) === 0 && (heads?.n ?? 0) === 0) await sealLegacyChains(tx, keys, now);
  }
  const [row] = await tx.select().from(labAttemptCheckpoint).where(eq(labAttemptCheckpoint.id, CHECKPOINT_ID)).for("update");
  return { counts: row!.counts };
}

async function sealLegacyChains(tx: Tx, keys: AttemptKeyring, now: Date): Promise<void> {
  const key = activeKey(keys);
  const rows = await tx
    .select({ userId: labAttempts.userId, labId: labAttempts.labId, seq: labAttempts.seq, hash: labAttempts.hash })
    .from(labAttempts)
    .orderBy(asc(labAttempts.userId), asc(labAttempts.labId), asc(labAttempts.seq));
  if (rows.length === 0) return;
  const lastOfChain = new Map<string, (typeof rows)[number]>();
  const counts: AttemptCounts = {};
  for (const row of rows) {
    const name = `${row.userId}\0${row.labId}`;
    const lab = (counts[row.labId] ??= { attempts: 0, chains: 0 });
    lab.attempts++;
    if (!lastOfChain.has(name)) lab.chains++;
    lastOfChain.set(name, row);
  }
  for (const head of lastOfChain.values()) {
    const content = { ...head, kid: keys.activeKid };
    await tx.insert(labAttemptHeads).values({ ...content, signature: headSignature(key, content), updatedAt: now });
  }
  await tx
    .update(labAttemptCheckpoint)
    .set({ counts, kid: keys.activeKid, signature: checkpointSignature(key, { counts, kid: keys.activeKid }), updatedAt: now })
    .where(eq(labAttemptCheckpoint.id, CHECKPOINT_ID));
}

/**
 * Appends an attempt to its learner+lab chain, signed with the ring's active key, and moves the
 * chain's head and the checkpoint in the same transaction. The grader holds the grading lock for
 * this learner and lab; the checkpoint's row lock orders concurrent appends of other chains.
 */
export async function appendAttempt(db: Database, attempt: NewAttempt, keys: AttemptKeyring = attemptKeyring()): Promise<LabAttemptRow> {
  const key = activeKey(keys);
  for (let tries = 0; ; tries++) {
    try {
      return await db.transaction(async (tx) => {
        const now = new Date();
        const { counts } = await lockCheckpoint(tx, keys, now);
        const [last] = await tx
          .select({ seq: labAttempts.seq, hash: labAttempts.hash })
          .from(labAttempts)
          .where(and(eq(labAttempts.userId, attempt.userId), eq(labAttempts.labId, attempt.labId)))
          .orderBy(desc(labAttempts.seq))
          .limit(1);
        const row = { ...attempt, step: attempt.step ?? null, completedSteps: attempt.completedSteps ?? [], seq: (last?.seq ?? 0) + 1, prevHash: last?.hash ?? null, kid: keys.activeKid };
        const [inserted] = await tx
          .insert(labAttempts)
          .values({ ...row, hash: attemptHash(key, row) })
          .returning();
        const head = { userId: row.userId, labId: row.labId, seq: inserted!.seq, hash: inserted!.hash, kid: keys.activeKid };
        const signedHead = { ...head, signature: headSignature(key, head), updatedAt: now };
        await tx
          .insert(labAttemptHeads)
          .values(signedHead)
          .onConflictDoUpdate({ target: [labAttemptHeads.userId, labAttemptHeads.labId], set: signedHead });
        const lab = counts[row.labId] ?? { attempts: 0, chains: 0 };
        const next: AttemptCounts = { ...counts, [row.labId]: { attempts: lab.attempts + 1, chains: lab.chains + (row.seq === 1 ? 1 : 0) } };
        await tx
          .update(labAttemptCheckpoint)
          .set({ counts: next, kid: keys.activeKid, signature: checkpointSignature(key, { counts: next, kid: keys.activeKid }), updatedAt: now })
          .where(eq(labAttemptCheckpoint.id, CHECKPOINT_ID));
        return inserted!;
      });
    } catch (error) {
      // Two writers raced for the same seq (the locks make this rare); the unique index refused one.
      if (tries < 3 && /lab_attempts_seq_unique|duplicate key/i.test(String((error as { cause?: unknown }).cause ?? error))) continue;
      throw error;
    }
  }
}

export function toAttemptDTO(row: LabAttemptRow): AttemptDTO {
  return {
    id: row.id,
    seq: row.seq,
    labId: row.labId,
    createdAt: row.createdAt,
    score: row.score,
    maxScore: row.maxScore,
    completed: row.completed,
    durationMs: row.durationMs,
    filesSha256: row.filesSha256,
    results: row.results.map(({ internal: _internal, ...rest }) => rest),
    step: row.step,
    completedSteps: row.completedSteps,
  };
}

/**
 * The steps of the lab the learner has completed: what their newest attempt recorded (each
 * attempt carries the whole list, signed, so the newest one is the learner's progress). Empty
 * for a lab without steps or before any attempt.
 */
export async function completedStepsOf(db: Database, user: { id: string }, labId: string): Promise<string[]> {
  const [last] = await db
    .select({ completedSteps: labAttempts.completedSteps })
    .from(labAttempts)
    .where(and(eq(labAttempts.userId, user.id), eq(labAttempts.labId, labId)))
    .orderBy(desc(labAttempts.seq))
    .limit(1);
  return last?.completedSteps ?? [];
}

/** The learner's attempts at a lab, newest first (instructor-only details removed). */
export async function listAttempts(db: Database, user: { id: string }, labId: string): Promise<AttemptDTO[]> {
  const rows = await db
    .select()
    .from(labAttempts)
    .where(and(eq(labAttempts.userId, user.id), eq(labAttempts.labId, labId)))
    .orderBy(desc(labAttempts.seq));
  return rows.map(toAttemptDTO);
}

/** Labs the learner has completed (some attempt passed every check). */
export async function completedLabIds(db: Database, user: { id: string }): Promise<string[]> {
  const rows = await db
    .selectDistinct({ labId: labAttempts.labId })
    .from(labAttempts)
    .where(and(eq(labAttempts.userId, user.id), eq(labAttempts.completed, true)));
  return rows.map((r) => r.labId).sort();
}

export type LabProgress = { labId: string; attempts: number; bestScore: number; maxScore: number; completed: boolean; lastAttemptAt: Date };

/** Per lab the learner has tried: attempts, best score, completion. */
export async function labProgress(db: Database, user: { id: string }): Promise<LabProgress[]> {
  const rows = await db
    .select({ labId: labAttempts.labId, score: labAttempts.score, maxScore: labAttempts.maxScore, completed: labAttempts.completed, createdAt: labAttempts.createdAt })
    .from(labAttempts)
    .where(eq(labAttempts.userId, user.id));
  const byLab = new Map<string, LabProgress>();
  for (const r of rows) {
    const p = byLab.get(r.labId) ?? { labId: r.labId, attempts: 0, bestScore: 0, maxScore: r.maxScore, completed: false, lastAttemptAt: r.createdAt };
    p.attempts++;
    p.bestScore = Math.max(p.bestScore, r.score);
    p.completed ||= r.completed;
    if (r.createdAt > p.lastAttemptAt) {
      p.lastAttemptAt = r.createdAt;
      p.maxScore = r.maxScore;
    }
    byLab.set(r.labId, p);
  }
  return [...byLab.values()].sort((a, b) => a.labId.localeCompare(b.labId));
}

export type ChainProblem = { userId: string; labId: string; seq: number; reason: string };
export type ChainReport = { ok: boolean; chains: number; attempts: number; heads: number; problems: ChainProblem[] };

/** Marks problems that concern the whole installation rather than one learner's chain. */
export const EVERYONE = "*";

/**
 * Checks the selected chains (all when no filter): every row against its own kid's key, the
 * sequence and links, each chain's signed head, and (unless filtered by learner) the signed
 * counts of the checkpoint. A changed, reordered, removed or forged attempt, a removed head and a
 * removed chain each show up as a problem naming the learner, lab, seq and reason.
 */
export async function verifyAttemptChain(
  db: Database,
  filter: { userId?: string; labId?: string } = {},
  keys: AttemptKeyring = attemptKeyring(),
): Promise<ChainReport> {
  const onRows: SQL[] = [];
  const onHeads: SQL[] = [];
  if (filter.userId) {
    onRows.push(eq(labAttempts.userId, filter.userId));
    onHeads.push(eq(labAttemptHeads.userId, filter.userId));
  }
  if (filter.labId) {
    onRows.push(eq(labAttempts.labId, filter.labId));
    onHeads.push(eq(labAttemptHeads.labId, filter.labId));
  }
  const rows = await db
    .select()
    .from(labAttempts)
    .where(onRows.length ? and(...onRows) : undefined)
    .orderBy(asc(labAttempts.userId), asc(labAttempts.labId), asc(labAttempts.seq));
  const heads = await db.select().from(labAttemptHeads).where(onHeads.length ? and(...onHeads) : undefined);
  const headOf = new Map(heads.map((h) => [`${h.userId}\0${h.labId}`, h]));
  const problems: ChainProblem[] = [];
  const counted: AttemptCounts = {};
  let chains = 0;

  const checkHead = (last: LabAttemptRow) => {
    const name = `${last.userId}\0${last.labId}`;
    const head = headOf.get(name);
    headOf.delete(name);
    const at = { userId: last.userId, labId: last.labId, seq: last.seq };
    if (!head) {
      problems.push({ ...at, reason: "the chain has no signed head: its head was deleted, or these attempts were written without the key" });
      return;
    }
    const key = keyFor(keys, head.kid);
    if (!key) return problems.push({ ...at, reason: `the head is signed with key "${head.kid}", which this server does not know` });
    if (!sameSignature(headSignature(key, head), head.signature)) return problems.push({ ...at, reason: "the head's signature is wrong (the head was changed)" });
    if (head.seq > last.seq) {
      const missing = head.seq === last.seq + 1 ? `attempt ${head.seq} was` : `attempts ${last.seq + 1}–${head.seq} were`;
      problems.push({ ...at, reason: `the signed head is attempt ${head.seq}: ${missing} deleted` });
    }
    else if (head.seq < last.seq) problems.push({ ...at, reason: `the signed head is attempt ${head.seq}: attempts after it were added without the key` });
    else if (head.hash !== last.hash) problems.push({ ...at, reason: "the newest attempt is not the one the signed head names" });
  };

  let previous: LabAttemptRow | null = null;
  for (const row of rows) {
    const sameChain = previous !== null && previous.userId === row.userId && previous.labId === row.labId;
    if (!sameChain) {
      if (previous) checkHead(previous);
      chains++;
    }
    const lab = (counted[row.labId] ??= { attempts: 0, chains: 0 });
    lab.attempts++;
    if (!sameChain) lab.chains++;
    const expectedSeq = sameChain ? previous!.seq + 1 : 1;
    const expectedPrev = sameChain ? previous!.hash : null;
    const at = { userId: row.userId, labId: row.labId, seq: row.seq };
    if (row.seq !== expectedSeq) problems.push({ ...at, reason: `expected attempt ${expectedSeq} here: attempts are missing or reordered` });
    if ((row.prevHash ?? null) !== expectedPrev) problems.push({ ...at, reason: "does not link to the previous attempt's hash" });
    const key = keyFor(keys, row.kid);
    if (!key) problems.push({ ...at, reason: `signed with key "${row.kid}", which this server does not know (add it back to ACADEMY_ATTEMPT_KEYS)` });
    else if (!sameSignature(attemptHash(key, row), row.hash)) problems.push({ ...at, reason: "its content does not match its hash (the row was changed)" });
    // Legacy rows can only come before signed ones: the legacy key is derivable from the session secret.
    if (sameChain && row.kid === LEGACY_KID && previous!.kid !== LEGACY_KID) problems.push({ ...at, reason: `a "${LEGACY_KID}" attempt after attempts signed with attempt keys` });
    previous = row;
  }
  if (previous) checkHead(previous);
  for (const head of headOf.values()) {
    problems.push({ userId: head.userId, labId: head.labId, seq: head.seq, reason: `the signed head names attempt ${head.seq}, and every attempt of this chain was deleted` });
  }

  if (!filter.userId) {
    const [checkpoint] = await db.select().from(labAttemptCheckpoint).where(eq(labAttemptCheckpoint.id, CHECKPOINT_ID));
    const everyone = { userId: EVERYONE, labId: filter.labId ?? EVERYONE, seq: 0 };
    if (!checkpoint) {
      if (rows.length > 0) problems.push({ ...everyone, reason: "the signed checkpoint is missing: it was deleted, or no attempt was graded since the upgrade that added it" });
    } else {
      const key = keyFor(keys, checkpoint.kid);
      if (!key) problems.push({ ...everyone, reason: `the checkpoint is signed with key "${checkpoint.kid}", which this server does not know` });
      else if (!sameSignature(checkpointSignature(key, checkpoint), checkpoint.signature)) problems.push({ ...everyone, reason: "the checkpoint's signature is wrong (it was changed)" });
      else {
        const labs = filter.labId ? [filter.labId] : [...new Set([...Object.keys(checkpoint.counts), ...Object.keys(counted)])].sort();
        for (const labId of labs) {
          const expected = checkpoint.counts[labId] ?? { attempts: 0, chains: 0 };
          const found = counted[labId] ?? { attempts: 0, chains: 0 };
          if (expected.chains > found.chains) problems.push({ userId: EVERYONE, labId, seq: 0, reason: `the checkpoint counts ${plural(expected.chains, "chain")}, ${found.chains} left: whole chains were deleted` });
          if (expected.attempts !== found.attempts) problems.push({ userId: EVERYONE, labId, seq: 0, reason: `the checkpoint counts ${plural(expected.attempts, "attempt")}, ${found.attempts} stored` });
        }
      }
    }
  }
  return { ok: problems.length === 0, chains, attempts: rows.length, heads: heads.length, problems };
}
