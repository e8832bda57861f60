// Limits on sign-in and sign-up attempts, kept in the database (table auth_throttles) so they hold
// across every server process that shares it. Each attempt is counted *before* the password hash
// runs (64 MiB and ~0.4 s of scrypt), so a flood of parallel guesses is cut off as soon as the
// count passes the free allowance instead of after every hash has run. Past the allowance each
// attempt opens a wait that doubles up to a cap; a key that has been quiet for `forgetAfterSeconds`
// starts afresh, and a successful sign-in clears its account key.
import "server-only";
import { asc, eq, inArray, lt } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { authThrottles } from "@/lib/db/schema";

export type ThrottlePolicy = {
  /** Attempts in a row without a wait; the last of them opens the first wait. */
  freeAttempts: number;
  /** Wait after the first attempt past the allowance; doubles with each further one. */
  baseDelaySeconds: number;
  maxDelaySeconds: number;
  /** A key with no attempt for this long is forgotten. */
  forgetAfterSeconds: number;
};

/**
 * Per account (the email, whether or not it has an account, so the limit reveals nothing): slows
 * guessing one password to about a hundred tries a day. Per address: generous enough for a
 * classroom behind one NAT, tight enough to stop one machine spraying many accounts.
 */
export const SIGN_IN_ACCOUNT: ThrottlePolicy = { freeAttempts: 5, baseDelaySeconds: 15, maxDelaySeconds: 15 * 60, forgetAfterSeconds: 60 * 60 };
export const SIGN_IN_ADDRESS: ThrottlePolicy = { freeAttempts: 30, baseDelaySeconds: 5, maxDelaySeconds: 15 * 60, forgetAfterSeconds: 60 * 60 };
export const SIGN_UP_ADDRESS: ThrottlePolicy = { freeAttempts: 10, baseDelaySeconds: 30, maxDelaySeconds: 60 * 60, forgetAfterSeconds: 60 * 60 };

export type ThrottleKey = { key: string; policy: ThrottlePolicy };

export const throttleKeys = {
  signInAccount: (email: string): ThrottleKey => ({ key: `sign-in:account:${email.trim().toLowerCase()}`, policy: SIGN_IN_ACCOUNT }),
  signInAddress: (address: string): ThrottleKey => ({ key: `sign-in:address:${address}`, policy: SIGN_IN_ADDRESS }),
  signUpAddress: (address: string): ThrottleKey => ({ key: `sign-up:address:${address}`, policy: SIGN_UP_ADDRESS }),
};

export type ThrottleResult = { ok: true } | { ok: false; code: "throttled"; retryAfterSeconds: number };

/**
 * The wait that follows the n-th attempt (1-based), in seconds: none before the last free attempt,
 * then `baseDelaySeconds`, doubling with each further attempt up to the cap.
 */
export function delayAfter(policy: ThrottlePolicy, attempts: number): number {
  const over = attempts - policy.freeAttempts;
  if (over < 0) return 0;
  return Math.min(policy.baseDelaySeconds * 2 ** Math.min(over, 30), policy.maxDelaySeconds);
}

/**
 * Takes one attempt on every key, or none when any of them is still waiting (a refused attempt
 * costs nothing and does not lengthen the wait). Row locks make concurrent attempts on one key,
 * from any process, count one after another.
 */
export async function takeAttempt(db: Database, keys: ThrottleKey[], now = new Date()): Promise<ThrottleResult> {
  const unique = [...new Map(keys.map((k) => [k.key, k])).values()].sort((a, b) => a.key.localeCompare(b.key));
  if (unique.length === 0) return { ok: true };
  const oldest = Math.max(...unique.map((k) => k.policy.forgetAfterSeconds));
  // Forget quiet keys of every caller, so the table stays as small as the recent traffic.
  await db.delete(authThrottles).where(lt(authThrottles.lastAttemptAt, new Date(now.getTime() - oldest * 1000)));
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
      return { ok: false as const, code: "throttled" as const, retryAfterSeconds };
    }
    for (const k of unique) {
      const row = byKey.get(k.key);
      const quiet = !row || now.getTime() - row.lastAttemptAt.getTime() > k.policy.forgetAfterSeconds * 1000;
      const attempts = (quiet ? 0 : row.attempts) + 1;
      const delay = delayAfter(k.policy, attempts);
      await tx
        .update(authThrottles)
        .set({ attempts, lastAttemptAt: now, blockedUntil: delay > 0 ? new Date(now.getTime() + delay * 1000) : null })
        .where(eq(authThrottles.key, k.key));
    }
    return { ok: true as const };
  });
}

/** After a successful sign-in: the account's earlier failures no longer count. */
export async function clearAttempts(db: Database, key: ThrottleKey): Promise<void> {
  await db.delete(authThrottles).where(eq(authThrottles.key, key.key));
}

/** "45 seconds", "1 minute 5 seconds": what the form shows. */
export function formatWait(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return `${s} second${s === 1 ? "" : "s"}`;
  const minutes = Math.floor(s / 60);
  const rest = s % 60;
  const m = `${minutes} minute${minutes === 1 ? "" : "s"}`;
  return rest ? `${m} ${rest} second${rest === 1 ? "" : "s"}` : m;
}
