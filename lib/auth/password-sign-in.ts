// What anonymous visitors can do with a password: sign in and sign up. Both are throttled per
// account and per address (lib/rate-limit) before any password hash runs, and neither says
// whether an email has an account. Without an email channel the honest limit is this: a visitor
// can still learn that an address was free by signing up with it and then being signed in, but
// each such probe creates a real account (visible on /admin/users) and counts against the
// per-address sign-up limit; docs/security.md has the details.
import "server-only";
import type { Database } from "@/lib/db/client";
import { clearAttempts, formatWait, takeAttempt } from "@/lib/rate-limit/limiter";
import { throttleKeys } from "@/lib/rate-limit/limits";
import { insertPasswordUser, verifyCredentials, type FieldErrors, type UserDTO } from "./users";
import type { SignUpInput } from "./schema";

export type PasswordSignInResult =
  | { ok: true; user: UserDTO }
  | { ok: false; code: "invalid"; error: string }
  | { ok: false; code: "throttled"; retryAfterSeconds: number; error: string };

export const INVALID_CREDENTIALS = "That email and password don't match an account. Check them and try again.";

/** Checks an email and password, counting the attempt against the account and the address. */
export async function signInWithPassword(
  db: Database,
  input: { email: string; password: string; address: string },
  now = new Date(),
): Promise<PasswordSignInResult> {
  const account = throttleKeys.signInAccount(input.email);
  const allowed = await takeAttempt(db, [account, throttleKeys.signInAddress(input.address)], now);
  if (!allowed.ok) {
    const { retryAfterSeconds } = allowed;
    return { ok: false, code: "throttled", retryAfterSeconds, error: `Too many sign-in attempts. Try again in ${formatWait(retryAfterSeconds)}.` };
  }
  const user = await verifyCredentials(db, input.email, input.password);
  if (!user) return { ok: false, code: "invalid", error: INVALID_CREDENTIALS };
  await clearAttempts(db, account);
  return { ok: true, user };
}

export type RegisterResult = { ok: true } | { ok: false; errors: FieldErrors; retryAfterSeconds?: number };

/**
 * The sign-up form: creates a learner, or, when the email already has an account, does nothing and
 * answers exactly as if it had (same response, same hash cost). The form then signs in with the
 * submitted password, which only works for the real owner.
 */
export async function registerLearner(
  db: Database,
  input: SignUpInput & { address: string },
  now = new Date(),
): Promise<RegisterResult> {
  const allowed = await takeAttempt(db, [throttleKeys.signUpAddress(input.address)], now);
  if (!allowed.ok) {
    return {
      ok: false,
      retryAfterSeconds: allowed.retryAfterSeconds,
      errors: { form: `Too many sign-ups from your network. Try again in ${formatWait(allowed.retryAfterSeconds)}.` },
    };
  }
  const result = await insertPasswordUser(db, { name: input.name, email: input.email, password: input.password });
  // A taken email must look like success; field problems are about the visitor's own input.
  if (result.ok || "taken" in result) return { ok: true };
  return { ok: false, errors: result.errors };
}
