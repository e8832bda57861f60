import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { DatabaseHandle } from "@/lib/db/client";
import { DATABASE_KINDS, openTestDatabase } from "@/tests/support/databases";
import { registerLearner, signInWithPassword } from "./password-sign-in";
import { SIGN_IN_ACCOUNT, SIGN_UP_ADDRESS } from "@/lib/rate-limit/limits";
import { signUp } from "./users";

const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));

describe.each(DATABASE_KINDS)("password sign-in and sign-up on %s", (kind) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await openTestDatabase(kind);
    await signUp(handle.db, { name: "Vic", email: "victim@example.com", password: "the real passphrase" });
  }, 60_000);
  afterAll(async () => {
    await handle?.close();
  });

  test("guessing one account's password is cut off, with the wait in seconds, even with the right password", { timeout: 60_000 }, async () => {
    for (let i = 0; i < SIGN_IN_ACCOUNT.freeAttempts; i++) {
      const guess = await signInWithPassword(handle.db, { email: "victim@example.com", password: `guess ${i}`, address: `10.0.0.${i}` }, at(i));
      expect(guess).toMatchObject({ ok: false, code: "invalid" });
    }
    // Past the allowance: refused before any hash runs, from any address, right password or not.
    const refused = await signInWithPassword(handle.db, { email: "Victim@Example.com", password: "the real passphrase", address: "10.9.9.9" }, at(10));
    expect(refused).toEqual({
      ok: false,
      code: "throttled",
      retryAfterSeconds: SIGN_IN_ACCOUNT.baseDelaySeconds - 6,
      error: `Too many sign-in attempts. Try again in ${SIGN_IN_ACCOUNT.baseDelaySeconds - 6} seconds.`,
    });
    // After the wait the owner gets in, and their account starts afresh.
    const later = at(10 + SIGN_IN_ACCOUNT.baseDelaySeconds);
    expect(await signInWithPassword(handle.db, { email: "victim@example.com", password: "the real passphrase", address: "10.9.9.9" }, later)).toMatchObject({
      ok: true,
      user: { email: "victim@example.com" },
    });
    expect(await signInWithPassword(handle.db, { email: "victim@example.com", password: "wrong again", address: "10.9.9.9" }, later)).toMatchObject({
      code: "invalid",
    });
  });

  test("an unknown email is limited the same way as a known one", { timeout: 60_000 }, async () => {
    const results = [];
    for (let i = 0; i <= SIGN_IN_ACCOUNT.freeAttempts; i++) {
      results.push(await signInWithPassword(handle.db, { email: "nobody@example.com", password: "whatever it is", address: `10.1.0.${i}` }, at(i)));
    }
    expect(results.at(-2)).toMatchObject({ code: "invalid" });
    expect(results.at(-1)).toMatchObject({ code: "throttled" });
  });

  test("sign-up answers the same whether or not the email has an account", { timeout: 60_000 }, async () => {
    const fresh = await registerLearner(handle.db, { name: "New", email: "new-person@example.com", password: "brand new phrase", address: "10.2.0.1" }, at(0));
    const taken = await registerLearner(handle.db, { name: "Mallory", email: "VICTIM@example.com", password: "attacker phrase 9", address: "10.2.0.1" }, at(1));
    expect(fresh).toEqual({ ok: true });
    expect(taken).toEqual(fresh);
    // The taken account is untouched: its password still works, the attacker's does not.
    expect(await signInWithPassword(handle.db, { email: "victim@example.com", password: "attacker phrase 9", address: "10.2.0.2" }, at(2))).toMatchObject({ code: "invalid" });
    // Mistakes in the visitor's own input are still explained.
    expect(await registerLearner(handle.db, { name: "W", email: "weak@example.com", password: "short", address: "10.2.0.1" }, at(3))).toEqual({
      ok: false,
      errors: { password: expect.stringContaining("at least 10") },
    });
  });

  test("sign-ups from one address are limited", { timeout: 60_000 }, async () => {
    let last;
    for (let i = 0; i <= SIGN_UP_ADDRESS.freeAttempts; i++) {
      // Invalid input is enough: the limit counts attempts before any work is done.
      last = await registerLearner(handle.db, { name: "", email: `x${i}@example.com`, password: "", address: "10.3.0.1" }, at(i));
    }
    expect(last).toMatchObject({ ok: false });
    const refused = await registerLearner(handle.db, { name: "R", email: "r@example.com", password: "a fine passphrase", address: "10.3.0.1" }, at(20));
    expect(refused).toMatchObject({ ok: false, retryAfterSeconds: expect.any(Number), errors: { form: expect.stringMatching(/^Too many sign-ups from your network\. Try again in \d+ seconds\.$/) } });
    expect(await registerLearner(handle.db, { name: "R", email: "r@example.com", password: "a fine passphrase", address: "10.3.0.2" }, at(20))).toEqual({ ok: true });
  });
});
