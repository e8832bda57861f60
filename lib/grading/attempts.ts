// Stored attempts: append-only rows chained by an HMAC per learner and lab. Each attempt's hash
// covers its canonical content and the previous attempt's hash, so changing, reordering or
// removing an attempt in the middle breaks verification (`verifyAttemptChain`). The key is derived
// from the session secret, which the database does not hold.
import "server-only";
import { createHmac, hkdfSync } from "node:crypto";
import { and, asc, desc, eq, type SQL } from "drizzle-orm";
import { sessionSecret } from "@/lib/auth/secret";
import type { Database } from "@/lib/db/client";
import { labAttempts, type LabAttemptRow, type StoredCheckResult } from "@/lib/db/schema";

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

let derivedKey: Buffer | undefined;

/** HMAC key for attempts, derived from the session secret (never the secret itself). */
export function attemptKey(): Buffer {
  derivedKey ??= Buffer.from(hkdfSync("sha256", sessionSecret(), "academy", "lab-attempts-chain-v1", 32));
  return derivedKey;
}

type Hashable = Pick<LabAttemptRow, "userId" | "labId" | "seq" | "filesSha256" | "results" | "score" | "maxScore" | "completed" | "durationMs" | "createdAt" | "prevHash">;

export function attemptHash(key: Buffer, row: Hashable): string {
  const content = canonicalJson({
    v: 1,
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
  });
  return createHmac("sha256", key).update(content).digest("hex");
}

/** Appends an attempt to its learner+lab chain. The caller holds the grading lock. */
export async function appendAttempt(db: Database, attempt: NewAttempt, key: Buffer = attemptKey()): Promise<LabAttemptRow> {
  for (let tries = 0; ; tries++) {
    try {
      return await db.transaction(async (tx) => {
        const [last] = await tx
          .select({ seq: labAttempts.seq, hash: labAttempts.hash })
          .from(labAttempts)
          .where(and(eq(labAttempts.userId, attempt.userId), eq(labAttempts.labId, attempt.labId)))
          .orderBy(desc(labAttempts.seq))
          .limit(1);
        const row = { ...attempt, seq: (last?.seq ?? 0) + 1, prevHash: last?.hash ?? null };
        const [inserted] = await tx
          .insert(labAttempts)
          .values({ ...row, hash: attemptHash(key, row) })
          .returning();
        return inserted!;
      });
    } catch (error) {
      // Two writers raced for the same seq (the lock makes this rare); the unique index refused one.
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
  };
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
export type ChainReport = { ok: boolean; chains: number; attempts: number; problems: ChainProblem[] };

/**
 * Recomputes every hash of the selected chains (all when no filter): a changed row, a removed or
 * reordered attempt, or a row inserted without the key shows up as a problem.
 */
export async function verifyAttemptChain(
  db: Database,
  filter: { userId?: string; labId?: string } = {},
  key: Buffer = attemptKey(),
): Promise<ChainReport> {
  const conditions: SQL[] = [];
  if (filter.userId) conditions.push(eq(labAttempts.userId, filter.userId));
  if (filter.labId) conditions.push(eq(labAttempts.labId, filter.labId));
  const rows = await db
    .select()
    .from(labAttempts)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(asc(labAttempts.userId), asc(labAttempts.labId), asc(labAttempts.seq));
  const problems: ChainProblem[] = [];
  let chains = 0;
  let previous: LabAttemptRow | null = null;
  for (const row of rows) {
    const sameChain = previous && previous.userId === row.userId && previous.labId === row.labId;
    if (!sameChain) chains++;
    const expectedSeq = sameChain ? previous!.seq + 1 : 1;
    const expectedPrev = sameChain ? previous!.hash : null;
    const at = { userId: row.userId, labId: row.labId, seq: row.seq };
    if (row.seq !== expectedSeq) problems.push({ ...at, reason: `expected attempt ${expectedSeq} here: attempts are missing or reordered` });
    if ((row.prevHash ?? null) !== expectedPrev) problems.push({ ...at, reason: "does not link to the previous attempt's hash" });
    if (attemptHash(key, row) !== row.hash) problems.push({ ...at, reason: "its content does not match its hash (the row was changed)" });
    previous = row;
  }
  return { ok: problems.length === 0, chains, attempts: rows.length, problems };
}
