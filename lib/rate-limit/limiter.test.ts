import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openDatabase, type DatabaseHandle } from "@/lib/db/client";
import { DATABASE_KINDS, openTestDatabase } from "@/tests/support/databases";
import { clearAttempts, delayAfter, formatWait, keyFor, takeAttempt, type BackoffPolicy, type RateLimitKey, type WindowPolicy } from "./limiter";
import { SIGN_IN_ACCOUNT, takeUserLimit, USER_LIMITS } from "./limits";

const policy: BackoffPolicy = { kind: "backoff", name: "test", freeAttempts: 3, baseDelaySeconds: 10, maxDelaySeconds: 60, forgetAfterSeconds: 600 };
const perMinute: WindowPolicy = { kind: "window", name: "test-window", limit: 3, windowSeconds: 60 };
const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));

test("the wait doubles past the free attempts, up to the cap", () => {
  expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => delayAfter(policy, n))).toEqual([0, 0, 10, 20, 40, 60, 60, 60]);
  expect(delayAfter(SIGN_IN_ACCOUNT, 1000)).toBe(SIGN_IN_ACCOUNT.maxDelaySeconds);
  expect(formatWait(1)).toBe("1 second");
  expect(formatWait(45)).toBe("45 seconds");
  expect(formatWait(125)).toBe("2 minutes 5 seconds");
});

test("a policy name must be plain words, since forgetting matches it as a LIKE prefix", () => {
  expect(keyFor(perMinute, "u1")).toEqual({ key: "test-window:u1", policy: perMinute });
  expect(() => keyFor({ ...perMinute, name: "bad_%name" }, "u1")).toThrow(/lower-case words/);
});

describe.each(DATABASE_KINDS)("rate limits on %s", (kind) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await openTestDatabase(kind);
  }, 60_000);
  afterAll(async () => {
    await handle?.close();
  });

  test("attempts past the allowance wait, refused attempts do not lengthen the wait, quiet keys are forgotten", async () => {
    const key: RateLimitKey = keyFor(policy, "one");
    expect(await takeAttempt(handle.db, [key], at(0))).toEqual({ ok: true });
    expect(await takeAttempt(handle.db, [key], at(1))).toEqual({ ok: true });
    // The third attempt is taken and opens a 10 s wait.
    expect(await takeAttempt(handle.db, [key], at(2))).toEqual({ ok: true });
    expect(await takeAttempt(handle.db, [key], at(3))).toEqual({ ok: false, code: "rate-limited", retryAfterSeconds: 9 });
    expect(await takeAttempt(handle.db, [key], at(11))).toEqual({ ok: false, code: "rate-limited", retryAfterSeconds: 1 });
    // After the wait: one more attempt, then 20 s.
    expect(await takeAttempt(handle.db, [key], at(12))).toEqual({ ok: true });
    expect(await takeAttempt(handle.db, [key], at(13))).toEqual({ ok: false, code: "rate-limited", retryAfterSeconds: 19 });
    // Ten quiet minutes later the key starts afresh.
    expect(await takeAttempt(handle.db, [key], at(12 + 601))).toEqual({ ok: true });
    expect(await takeAttempt(handle.db, [key], at(12 + 602))).toEqual({ ok: true });
  });

  test("one waiting key refuses the attempt for every key, and clearing forgets a key", async () => {
    const account = keyFor(policy, "account");
    const address = keyFor({ ...policy, name: "test-address", freeAttempts: 100 }, "address");
    for (let i = 0; i < 4; i++) await takeAttempt(handle.db, [account, address], at(i));
    expect(await takeAttempt(handle.db, [account, address], at(4))).toMatchObject({ ok: false, retryAfterSeconds: 8 });
    // Refused attempts were not counted on the address key either: 3 taken, 97 left.
    const other = keyFor(policy, "other-account");
    expect(await takeAttempt(handle.db, [other, address], at(4))).toEqual({ ok: true });
    await clearAttempts(handle.db, account);
    expect(await takeAttempt(handle.db, [account], at(5))).toEqual({ ok: true });
  });

  test("parallel attempts on one key are counted one after another", async () => {
    const key = keyFor(policy, "parallel");
    const results = await Promise.all(Array.from({ length: 12 }, () => takeAttempt(handle.db, [key], at(0))));
    // Three attempts (the third opens the wait); the other nine are refused.
    expect(results.filter((r) => r.ok)).toHaveLength(3);
  });

  test("a window policy allows its limit per window, refuses until the window ends, then starts afresh", async () => {
    const key = keyFor(perMinute, "window");
    const minute = (n: number, s: number) => at(n * 60 + s);
    expect(await takeAttempt(handle.db, [key], minute(1, 10))).toEqual({ ok: true });
    expect(await takeAttempt(handle.db, [key], minute(1, 20))).toEqual({ ok: true });
    expect(await takeAttempt(handle.db, [key], minute(1, 30))).toEqual({ ok: true });
    expect(await takeAttempt(handle.db, [key], minute(1, 31))).toEqual({ ok: false, code: "rate-limited", retryAfterSeconds: 29 });
    expect(await takeAttempt(handle.db, [key], minute(1, 59))).toEqual({ ok: false, code: "rate-limited", retryAfterSeconds: 1 });
    // The next minute is a new window with the whole allowance; steady use under the limit never waits.
    for (const s of [0, 20, 40]) expect(await takeAttempt(handle.db, [key], minute(2, s))).toEqual({ ok: true });
    for (const s of [0, 20]) expect(await takeAttempt(handle.db, [key], minute(3, s))).toEqual({ ok: true });
    for (const s of [0, 20]) expect(await takeAttempt(handle.db, [key], minute(4, s))).toEqual({ ok: true });
  });

  test("forgetting a short window's quiet keys leaves another policy's longer memory alone", async () => {
    const account = keyFor(policy, "remembered");
    for (let i = 0; i < 3; i++) await takeAttempt(handle.db, [account], at(i));
    // Two minutes later a window key is taken: its forgetting must not erase the account's count.
    expect(await takeAttempt(handle.db, [keyFor(perMinute, "someone")], at(120))).toEqual({ ok: true });
    expect(await takeAttempt(handle.db, [account], at(121))).toEqual({ ok: true });
    // The fourth attempt in a row opened a 20 s wait: the earlier three were still counted.
    expect(await takeAttempt(handle.db, [account], at(122))).toMatchObject({ ok: false, retryAfterSeconds: 19 });
  });

  test("a user limit refuses with words, the wait and the code, and another user is unaffected", async () => {
    const { limit } = USER_LIMITS.sandbox.policy;
    const now = at(60 * 10 + 15);
    for (let i = 0; i < limit; i++) expect(await takeUserLimit(handle.db, "sandbox", "user-a", now)).toEqual({ ok: true });
    expect(await takeUserLimit(handle.db, "sandbox", "user-a", now)).toEqual({
      ok: false,
      code: "rate-limited",
      retryAfterSeconds: 45,
      error: `Too many lab environment starts, resets and stops (at most ${limit} a minute). Try again in 45 seconds.`,
    });
    expect(await takeUserLimit(handle.db, "sandbox", "user-b", now)).toEqual({ ok: true });
    // Other limits of the same user are counted apart.
    expect(await takeUserLimit(handle.db, "kubeconfig", "user-a", now)).toEqual({ ok: true });
  });
});

/** Two connection pools on one PostgreSQL database: what two server processes sharing it see. */
async function twoProcesses(): Promise<{ first: DatabaseHandle; second: DatabaseHandle; close: () => Promise<void> }> {
  const adminUrl = process.env.ACADEMY_TEST_DATABASE_URL;
  if (!adminUrl) throw new Error("ACADEMY_TEST_DATABASE_URL is not set: this test needs a PostgreSQL server (`npm test` starts one).");
  const name = `academy_test_${randomBytes(6).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const first = await openDatabase({ url: url.toString() });
  const second = await openDatabase({ url: url.toString() });
  return {
    first,
    second,
    close: async () => {
      await Promise.all([first.close(), second.close()]);
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}

describe("rate limits across two server processes on one PostgreSQL database", () => {
  let processes: Awaited<ReturnType<typeof twoProcesses>>;
  beforeAll(async () => {
    processes = await twoProcesses();
  }, 60_000);
  afterAll(async () => {
    await processes?.close();
  });

  test("the limit holds for the sum of both processes' attempts, even in parallel, and only for that user", async () => {
    const { limit } = USER_LIMITS.apply.policy;
    const now = at(60 * 20 + 5);
    const { first, second } = processes;
    const results = await Promise.all(
      Array.from({ length: limit + 10 }, (_, i) => takeUserLimit((i % 2 ? first : second).db, "apply", "shared-user", now)),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(limit);
    expect(results.filter((r) => !r.ok)).toHaveLength(10);
    expect(await takeUserLimit(first.db, "apply", "shared-user", now)).toMatchObject({ ok: false, code: "rate-limited", retryAfterSeconds: 55 });
    expect(await takeUserLimit(second.db, "apply", "shared-user", now)).toMatchObject({ ok: false, code: "rate-limited", retryAfterSeconds: 55 });
    expect(await takeUserLimit(second.db, "apply", "another-user", now)).toEqual({ ok: true });
  });
});
