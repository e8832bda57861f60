// The one table of Academy's rate limits (docs/security.md, "Rate limits", repeats it): who is
// counted, how often, and what a refusal says. lib/auth uses the sign-in and sign-up rows, the lab
// workspace (lib/workspace) and the lab and lesson actions the per-user rows. Grading has its own
// limit, counted from the stored attempts (lib/grading/grader.ts), because it also spaces checks out.
import "server-only";
import type { Database } from "@/lib/db/client";
import type { Failure } from "@/lib/result";
import { formatWait, keyFor, takeAttempt, type BackoffPolicy, type RateLimitKey, type WindowPolicy } from "./limiter";

/**
 * Per account (the email, whether or not it has an account, so the limit reveals nothing): slows
 * guessing one password to about a hundred tries a day. Per address: generous enough for a
 * classroom behind one NAT, tight enough to stop one machine spraying many accounts.
 */
export const SIGN_IN_ACCOUNT: BackoffPolicy = { kind: "backoff", name: "sign-in:account", freeAttempts: 5, baseDelaySeconds: 15, maxDelaySeconds: 15 * 60, forgetAfterSeconds: 60 * 60 };
export const SIGN_IN_ADDRESS: BackoffPolicy = { kind: "backoff", name: "sign-in:address", freeAttempts: 30, baseDelaySeconds: 5, maxDelaySeconds: 15 * 60, forgetAfterSeconds: 60 * 60 };
export const SIGN_UP_ADDRESS: BackoffPolicy = { kind: "backoff", name: "sign-up:address", freeAttempts: 10, baseDelaySeconds: 30, maxDelaySeconds: 60 * 60, forgetAfterSeconds: 60 * 60 };

export const throttleKeys = {
  signInAccount: (email: string): RateLimitKey => keyFor(SIGN_IN_ACCOUNT, email.trim().toLowerCase()),
  signInAddress: (address: string): RateLimitKey => keyFor(SIGN_IN_ADDRESS, address),
  signUpAddress: (address: string): RateLimitKey => keyFor(SIGN_UP_ADDRESS, address),
};

type UserLimitRow = { policy: WindowPolicy; what: string };

function perMinute(name: string, limit: number, what: string): UserLimitRow {
  return { policy: { kind: "window", name, limit, windowSeconds: 60 }, what };
}

/**
 * Per signed-in user, each a ceiling far above what the lab page and lesson pages do in normal use
 * (the e2e suite runs under them), low enough that a script cannot turn one account, or many free
 * ones, into a load on the cluster or the database:
 * - sandbox: start, resume, reset and stop share one count; each re-applies about a dozen
 *   platform objects as cluster admin, or deletes a namespace.
 * - kubeconfig: each download mints a new one-hour token for the learner's service account.
 * - apply: each applies every file of the lab, object by object, as the learner.
 * - file-save: autosave saves after each pause in typing, and reset-to-starter writes a revision
 *   too; a learner typing fast in two files stays well under two a second.
 * - quiz: each submission is stored as an attempt.
 * - workloads: each read lists the learner's pods, events and controllers and reads their logs
 *   (about ten API requests); the lab page reads every few seconds while visible (about 15 a minute).
 * - build: each image build is minutes of a builder pod on the real node (they also queue).
 * - terminal: each connection to the lab terminal (a new one execs into the workspace pod; a
 *   reconnect re-attaches). The page reconnects with a growing delay, so a flaky network stays
 *   far below this.
 * - workspace: each opening of the terminal makes sure its pod runs (creating it when absent).
 * - workspace-sync: each sync lists the terminal's files by exec; the lab page syncs every few
 *   seconds while the terminal is open and visible (about 20 a minute), and on focus.
 * - assessment-save: each save of the assessment builder may write a new version.
 * - invites: each batch of new invites (one candidate or a pasted list of thousands) and each
 *   reset mints tokens and may send email through SMTP_URL; a reviewer inviting by hand stays far
 *   below it, a script cannot turn the server into a mail cannon.
 * - colleague: adding a colleague answers whether an email has an Academy account, so it is
 *   counted like a lookup.
 * - assessment-events: the candidate's recorder sends a heartbeat every 15 s and a focus change
 *   at most every 2 s (debounced, sent at once so its time is the server's), pastes at once too:
 *   about 5 a minute in normal use, 30 for someone switching windows constantly.
 * - review: each save of a reviewer's notes and rating on a candidate's report.
 */
export const USER_LIMITS = {
  sandbox: perMinute("sandbox:user", 10, "lab environment starts, resets and stops"),
  kubeconfig: perMinute("kubeconfig:user", 10, "kubeconfig downloads"),
  apply: perMinute("apply:user", 20, "applies to your lab environment"),
  "file-save": perMinute("file-save:user", 120, "saves"),
  quiz: perMinute("quiz:user", 20, "quiz submissions"),
  workloads: perMinute("workloads:user", 60, "reads of your workloads"),
  build: perMinute("build:user", 6, "image builds"),
  terminal: perMinute("terminal:user", 30, "terminal connections"),
  workspace: perMinute("workspace:user", 30, "terminal openings"),
  "workspace-sync": perMinute("workspace-sync:user", 60, "file syncs with your terminal"),
  "assessment-save": perMinute("assessment-save:user", 30, "assessment saves"),
  invites: perMinute("invites:user", 20, "invite batches and resets"),
  colleague: perMinute("colleague:user", 10, "colleague additions"),
  "assessment-events": perMinute("assessment-events:user", 60, "recorded events"),
  review: perMinute("review:user", 30, "saves of your notes"),
} satisfies Record<string, UserLimitRow>;

export type UserLimit = keyof typeof USER_LIMITS;

/** The refusal of a rate limit: the words say how long to wait, `retryAfterSeconds` is for programs (`Retry-After`). */
export type RateLimited = Failure<"rate-limited"> & { retryAfterSeconds: number };

export function rateLimited(what: string, limit: number, retryAfterSeconds: number): RateLimited {
  return {
    ok: false,
    code: "rate-limited",
    error: `Too many ${what} (at most ${limit} a minute). Try again in ${formatWait(retryAfterSeconds)}.`,
    retryAfterSeconds,
  };
}

/** Counts one `limit` attempt for the user, or refuses it with words and the wait. */
export async function takeUserLimit(db: Database, limit: UserLimit, userId: string, now = new Date()): Promise<{ ok: true } | RateLimited> {
  const { policy, what } = USER_LIMITS[limit];
  const taken = await takeAttempt(db, [keyFor(policy, userId)], now);
  return taken.ok ? taken : rateLimited(what, policy.limit, taken.retryAfterSeconds);
}

/** The `Retry-After` header of a route's 429 answer. */
export function retryAfterHeaders(refusal: RateLimited): Record<string, string> {
  return { "retry-after": String(refusal.retryAfterSeconds) };
}
