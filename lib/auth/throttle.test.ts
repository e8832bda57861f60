import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { DatabaseHandle } from "@/lib/db/client";
import { DATABASE_KINDS, openTestDatabase } from "@/tests/support/databases";
import { clearAttempts, delayAfter, formatWait, SIGN_IN_ACCOUNT, takeAttempt, type ThrottleKey } from "./throttle";

const policy = { freeAttempts: 3, baseDelaySeconds: 10, maxDelaySeconds: 60, forgetAfterSeconds: 600 };
const at = (seconds: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, seconds));

test("the wait doubles past the free attempts, up to the cap", () => {
  expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => delayAfter(policy, n))).toEqual([0, 0, 10, 20, 40, 60, 60, 60]);
  expect(delayAfter(SIGN_IN_ACCOUNT, 1000)).toBe(SIGN_IN_ACCOUNT.maxDelaySeconds);
  expect(formatWait(1)).toBe("1 second");
  expect(formatWait(45)).toBe("45 seconds");
  expect(formatWait(125)).toBe("2 minutes 5 seconds");
});

describe.each(DATABASE_KINDS)("throttle on %s", (kind) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await openTestDatabase(kind);
  }, 60_000);
  afterAll(async () => {
    await handle?.close();
  });

  test("attempts past the allowance wait, refused attempts do not lengthen the wait, quiet keys are forgotten", async () => {
    const key: ThrottleKey = { key: "test:one", policy };
    expect(await takeAttempt(handle.db, [key], at(0))).toEqual({ ok: true });
    expect(await takeAttempt(handle.db, [key], at(1))).toEqual({ ok: true });
    // The third attempt is taken and opens a 10 s wait.
    expect(await takeAttempt(handle.db, [key], at(2))).toEqual({ ok: true });
    expect(await takeAttempt(handle.db, [key], at(3))).toEqual({ ok: false, code: "throttled", retryAfterSeconds: 9 });
    expect(await takeAttempt(handle.db, [key], at(11))).toEqual({ ok: false, code: "throttled", retryAfterSeconds: 1 });
    // After the wait: one more attempt, then 20 s.
    expect(await takeAttempt(handle.db, [key], at(12))).toEqual({ ok: true });
    expect(await takeAttempt(handle.db, [key], at(13))).toEqual({ ok: false, code: "throttled", retryAfterSeconds: 19 });
    // Ten quiet minutes later the key starts afresh.
    expect(await takeAttempt(handle.db, [key], at(12 + 601))).toEqual({ ok: true });
    expect(await takeAttempt(handle.db, [key], at(12 + 602))).toEqual({ ok: true });
  });

  test("one waiting key refuses the attempt for every key, and clearing forgets a key", async () => {
    const account: ThrottleKey = { key: "test:account", policy };
    const address: ThrottleKey = { key: "test:address", policy: { ...policy, freeAttempts: 100 } };
    for (let i = 0; i < 4; i++) await takeAttempt(handle.db, [account, address], at(i));
    expect(await takeAttempt(handle.db, [account, address], at(4))).toMatchObject({ ok: false, retryAfterSeconds: 8 });
    // Refused attempts were not counted on the address key either: 3 taken, 97 left.
    const other: ThrottleKey = { key: "test:other-account", policy };
    expect(await takeAttempt(handle.db, [other, address], at(4))).toEqual({ ok: true });
    await clearAttempts(handle.db, account);
    expect(await takeAttempt(handle.db, [account], at(5))).toEqual({ ok: true });
  });

  test("parallel attempts on one key are counted one after another", async () => {
    const key: ThrottleKey = { key: "test:parallel", policy };
    const results = await Promise.all(Array.from({ length: 12 }, () => takeAttempt(handle.db, [key], at(0))));
    // Three attempts (the third opens the wait); the other nine are refused.
    expect(results.filter((r) => r.ok)).toHaveLength(3);
  });
});
