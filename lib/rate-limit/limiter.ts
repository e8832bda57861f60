// lib/rate-limit owns every limit on how often someone may do something: the mechanism (this file)
// and the one table of limits (limits.ts). Counts are kept in the database (table auth_throttles,
// named for its first user, sign-in), so they hold across every server process that shares it.
// Each attempt is counted *before* the work it guards runs, under a row lock, so a flood of
// parallel requests is cut off at the allowance instead of after every one of them has run.
//
// Two kinds of policy share one row per key (`<policy name>:<subject>`):
//   - backoff (sign-in, sign-up): past the free attempts each attempt opens a wait that doubles up
//     to a cap; a key quiet for `forgetAfterSeconds` starts afresh, and a successful sign-in clears
//     its account key. Right for guessing, where every try should cost more.
//   - window (sandbox starts, saves, quizzes…): at most `limit` attempts per fixed window of
//     `windowSeconds` (aligned to the clock, so no window start has to be stored); the attempt that
//     reaches the limit blocks the key until the window ends. Right for work that is fine in normal
//     use and only needs a ceiling. A burst across a window boundary can reach twice the limit.
import "server-only";
import { and, asc, eq, inArray, isNull, like, lt, or, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { authThrottles } from "@/lib/db/schema";

export type BackoffPolicy = {
  kind: "backoff";
  /** The key prefix: lower-case words, `-` and `:` (it is matched with LIKE when forgetting). */
  name: string;
  /** Attempts in a row without a wait; the last of them opens the first wait. */
  freeAttempts: number;
  /** Wait after the first attempt past the allowance; doubles with each further one. */
  baseDelaySeconds: number;
  maxDelaySeconds: number;
  /** A key with no attempt for this long is forgotten. */
  forgetAfterSeconds: number;
};

export type WindowPolicy = {
  kind: "window";
  name: string;
  /** Attempts allowed per window. */
  limit: number;
  windowSeconds: number;
};

export type RateLimitPolicy = BackoffPolicy | WindowPolicy;

export type RateLimitKey = { key: string; policy: RateLimitPolicy };

const POLICY_NAME = /^[a-z][a-z-]*(:[a-z][a-z-]*)*$/;

/** The key of `subject` (an email, an address, a user id) under `policy`. */
export function keyFor(policy: RateLimitPolicy, subject: string): RateLimitKey {
  if (!POLICY_NAME.test(policy.name)) throw new Error(`Rate limit policy name ${JSON.stringify(policy.name)} must be lower-case words joined by - or :`);
  return { key: `${policy.name}:${subject}`, policy };
}

export type TakeResult = { ok: true } | { ok: false; code: "rate-limited"; retryAfterSeconds: number };

/**
 * The wait that follows the n-th attempt (1-based) of a backoff policy, in seconds: none before the
 * last free attempt, then `baseDelaySeconds`, doubling with each further attempt up to the cap.
 */
export function delayAfter(policy: BackoffPolicy, attempts: number): number {
  const over = attempts - policy.freeAttempts;
  if (over < 0) return 0;
  return Math.min(policy.baseDelaySeconds * 2 ** Math.min(over, 30), policy.maxDelaySeconds);
}

/** How long after its last attempt a key can no longer change an answer. */
function forgetAfterSeconds(policy: RateLimitPolicy): number {
  return policy.kind === "backoff" ? policy.forgetAfterSeconds : policy.windowSeconds;
}

function windowIndex(policy: WindowPolicy, at: Date): number {
  return Math.floor(at.getTime() / 1000 / policy.windowSeconds);
}

type Row = typeof authThrottles.$inferSelect;

/** The row after one more attempt on `key` at `now` (the key is not blocked). */
function counted(k: RateLimitKey, row: Row | undefined, now: Date): { attempts: number; blockedUntil: Date | null } {
  const { policy } = k;
  if (policy.kind === "backoff") {
    const quiet = !row || now.getTime() - row.lastAttemptAt.getTime() > policy.forgetAfterSeconds * 1000;
    const attempts = (quiet ? 0 : row.attempts) + 1;
    const delay = delayAfter(policy, attempts);
    return { attempts, blockedUntil: delay > 0 ? new Date(now.getTime() + delay * 1000) : null };
  }
  const window = windowIndex(policy, now);
  const sameWindow = !!row && windowIndex(policy, row.lastAttemptAt) === window;
  const attempts = (sameWindow ? row.attempts : 0) + 1;
  const windowEnd = new Date((window + 1) * policy.windowSeconds * 1000);
  return { attempts, blockedUntil: attempts >= policy.limit ? windowEnd : null };
}

/**
 * Takes one attempt on every key, or none when any of them is blocked (a refused attempt costs
 * nothing and does not lengthen the wait). Row locks make concurrent attempts on one key, from
 * any process, count one after another.
 */
export async function takeAttempt(db: Database, keys: RateLimitKey[], now = new Date()): Promise<TakeResult> {
  const unique = [...new Map(keys.map((k) => [k.key, k])).values()].sort((a, b) => a.key.localeCompare(b.key));
  if (unique.length === 0) return { ok: true };
  // Forget the quiet keys of each policy taken here, so the table stays as small as the recent
  // traffic. Per policy: a short window must not forget another policy's longer memory.
  for (const policy of new Map(unique.map((k) => [k.policy.name, k.policy])).values()) {
    await db
      .delete(authThrottles)
      .where(
        and(
          like(authThrottles.key, `${policy.name}:%`),
          lt(authThrottles.lastAttemptAt, new Date(now.getTime() - forgetAfterSeconds(policy) * 1000)),
          or(isNull(authThrottles.blockedUntil), lt(authThrottles.blockedUntil, now)),
        ),
      );
  }
  return db.transaction(async (tx) => {
    await tx
      .insert(authThrottles)
      .values(unique.map((k) => ({ key: k.key, attempts: 0, lastAttemptAt: now })))
      .onConflictDoNothing({ target: authThrottles.key });
    // One ordered statement locks every row, so two requests with overlapping keys cannot deadlock.
    const rows = await tx
      .select()
      .from(authThrottles)
      .where(inArray(authThrottles.key, unique.map((k) => k.key)))
      .orderBy(asc(authThrottles.key))
      .for("update");
    const byKey = new Map(rows.map((row) => [row.key, row]));
    const waits = unique.map((k) => {
      const until = byKey.get(k.key)?.blockedUntil;
      return until ? Math.ceil((until.getTime() - now.getTime()) / 1000) : 0;
    });
    const retryAfterSeconds = Math.max(0, ...waits);
    if (retryAfterSeconds > 0) {
      return { ok: false as const, code: "rate-limited" as const, retryAfterSeconds };
    }
    for (const k of unique) {
      const next = counted(k, byKey.get(k.key), now);
      // An upsert, not an update: a concurrent forget may have removed a quiet row since the insert.
      await tx
        .insert(authThrottles)
        .values({ key: k.key, attempts: next.attempts, lastAttemptAt: now, blockedUntil: next.blockedUntil })
        .onConflictDoUpdate({
          target: authThrottles.key,
          set: { attempts: sql`excluded.attempts`, lastAttemptAt: sql`excluded.last_attempt_at`, blockedUntil: sql`excluded.blocked_until` },
        });
    }
    return { ok: true as const };
  });
}

/** After a successful sign-in: the account's earlier failures no longer count. */
export async function clearAttempts(db: Database, key: RateLimitKey): Promise<void> {
  await db.delete(authThrottles).where(eq(authThrottles.key, key.key));
}

/** "45 seconds", "1 minute 5 seconds": what forms and pages show. */
export function formatWait(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return `${s} second${s === 1 ? "" : "s"}`;
  const minutes = Math.floor(s / 60);
  const rest = s % 60;
  const m = `${minutes} minute${minutes === 1 ? "" : "s"}`;
  return rest ? `${m} ${rest} second${rest === 1 ? "" : "s"}` : m;
}
