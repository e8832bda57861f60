import { randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ForbiddenError } from "@/lib/auth/users";
import type { DatabaseHandle } from "@/lib/db/client";
import { labAttempts, labGradingLocks, users } from "@/lib/db/schema";
import { defineChecks } from "@/lib/labs/define";
import { saveLabFile } from "@/lib/labs/files";
import { DATABASE_KINDS, openTestDatabase } from "@/tests/support/databases";
import { keyringOf } from "./attempt-keys";
import { completedLabIds, labProgress, listAttempts, verifyAttemptChain } from "./attempts";
import { gradeAttempt, type GradingEvent } from "./grader";
import { labInsights, labVerification, resultsVerification } from "./insights";

const LAB = "design-the-prediction-api";
const key = randomBytes(32);
/** The ring `{ key }` in the grading deps stands for: one key with id "test". */
const keys = keyringOf({ test: key });
const solution = fs.readFileSync(path.join(process.cwd(), "labs", LAB, "solution/openapi.yaml"), "utf8");
const noLimit = { key, rateLimit: null };

describe.each(DATABASE_KINDS)("grading on %s", (kind) => {
  let handle: DatabaseHandle;
  const newUser = async (role: "learner" | "instructor" = "learner") => {
    const id = randomUUID();
    await handle.db.insert(users).values({ id, email: `${id}@example.com`, name: "U", role });
    return { id, role };
  };

  beforeAll(async () => {
    handle = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await handle?.close();
  });

  test("grades the stored files: starter fails, saved solution completes; progress streams check by check", async () => {
    const user = await newUser();
    const first = await gradeAttempt(handle.db, user, LAB, undefined, noLimit);
    expect(first).toMatchObject({ ok: true, attempt: { seq: 1, completed: false } });
    expect(await saveLabFile(handle.db, user, { labId: LAB, path: "openapi.yaml", content: solution })).toMatchObject({ ok: true });
    const events: GradingEvent[] = [];
    const second = await gradeAttempt(handle.db, user, LAB, (e) => events.push(e), noLimit);
    expect(second).toMatchObject({ ok: true, attempt: { seq: 2, completed: true, score: 100, maxScore: 100 } });
    expect(events.map((e) => (e.type === "check" ? `check:${e.index}` : e.type))).toEqual(["started", "check:0", "check:1", "check:2", "check:3", "check:4", "check:5", "done"]);
    expect(events[0]).toMatchObject({ type: "started", checks: expect.arrayContaining([{ id: "valid-openapi", title: "A valid OpenAPI document", points: 15 }]) });
    expect(await completedLabIds(handle.db, user)).toEqual([LAB]);
    expect(await labProgress(handle.db, user)).toEqual([expect.objectContaining({ labId: LAB, attempts: 2, bestScore: 100, completed: true })]);
    const attempts = await listAttempts(handle.db, user, LAB);
    expect(attempts.map((a) => a.seq)).toEqual([2, 1]);
    expect(attempts[1]!.results.find((r) => r.id === "predict-operation")).toMatchObject({ status: "fail", hints: expect.any(Array) });
    expect(await verifyAttemptChain(handle.db, { userId: user.id }, keys)).toMatchObject({ ok: true, chains: 1, attempts: 2 });
  });

  test("a progress callback that throws does not stop grading", async () => {
    const user = await newUser();
    const result = await gradeAttempt(handle.db, user, LAB, () => { throw new Error("stream closed"); }, noLimit);
    expect(result).toMatchObject({ ok: true });
  });

  test("attempts are rate limited per learner with when to retry", async () => {
    const user = await newUser();
    const t0 = new Date("2030-01-01T10:00:00Z");
    const limit = { minIntervalMs: 5_000, maxPerWindow: 2, windowMs: 60_000 };
    expect(await gradeAttempt(handle.db, user, LAB, undefined, { key, rateLimit: limit, now: () => t0 })).toMatchObject({ ok: true });
    const soon = await gradeAttempt(handle.db, user, LAB, undefined, { key, rateLimit: limit, now: () => new Date(t0.getTime() + 1000) });
    expect(soon).toMatchObject({ ok: false, code: "rate-limited", retryAt: new Date(t0.getTime() + 5000), error: expect.stringContaining("check again in 4 s (at 10:00:05 UTC)") });
    expect(await gradeAttempt(handle.db, user, LAB, undefined, { key, rateLimit: limit, now: () => new Date(t0.getTime() + 6000) })).toMatchObject({ ok: true });
    const third = await gradeAttempt(handle.db, user, LAB, undefined, { key, rateLimit: limit, now: () => new Date(t0.getTime() + 20_000) });
    expect(third).toMatchObject({ ok: false, code: "rate-limited", retryAt: new Date(t0.getTime() + 60_000), error: expect.stringContaining("2 times in the last 1 minutes") });
    // Two real gradings, each starting the static-check worker thread: seconds on a busy 2-core machine.
  }, 20_000);

  test("a second submission while one is grading is refused clearly; results never interleave", async () => {
    const user = await newUser();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = defineChecks([
      { id: "slow", title: "Slow", points: 1, hints: ["h"], kind: "custom", run: async () => { await gate; return { status: "pass", message: "done" }; } },
    ]);
    const deps = { ...noLimit, registry: { [LAB]: slow } };
    const running = gradeAttempt(handle.db, user, LAB, undefined, deps);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const second = await gradeAttempt(handle.db, user, LAB, undefined, deps);
    expect(second).toMatchObject({ ok: false, code: "already-running", error: expect.stringContaining("A check is already running for this lab") });
    release();
    expect(await running).toMatchObject({ ok: true, attempt: { seq: 1 } });
    // The lock is released: the next submission runs.
    expect(await gradeAttempt(handle.db, user, LAB, undefined, deps)).toMatchObject({ ok: true, attempt: { seq: 2 } });
  });

  test("an abandoned lock (the grading process died) is taken over after it goes stale", async () => {
    const user = await newUser();
    await handle.db.insert(labGradingLocks).values({ userId: user.id, labId: LAB, token: "dead", startedAt: new Date(Date.now() - 10 * 60_000) });
    expect(await gradeAttempt(handle.db, user, LAB, undefined, noLimit)).toMatchObject({ ok: true });
  });

  test("a lab graded on the cluster needs a running sandbox", async () => {
    const user = await newUser();
    expect(await gradeAttempt(handle.db, user, "deploy-the-model", undefined, noLimit)).toMatchObject({ ok: false, code: "no-sandbox", error: expect.stringContaining("Start the sandbox") });
    expect(await gradeAttempt(handle.db, user, "no-such-lab", undefined, noLimit)).toMatchObject({ ok: false, code: "not-found" });
  });

  test("attempts cannot be changed, and rewriting history is detected", async () => {
    const user = await newUser();
    for (let i = 0; i < 3; i++) await gradeAttempt(handle.db, user, LAB, undefined, noLimit);
    await expect(handle.db.update(labAttempts).set({ score: 100 }).where(sql`${labAttempts.userId} = ${user.id}`)).rejects.toThrow();

    // Someone with full database rights bypasses the trigger and edits a score.
    await handle.db.execute(sql`alter table lab_attempts disable trigger lab_attempts_append_only`);
    try {
      await handle.db.execute(sql`update lab_attempts set score = 100, completed = true where user_id = ${user.id} and seq = 2`);
    } finally {
      await handle.db.execute(sql`alter table lab_attempts enable trigger lab_attempts_append_only`);
    }
    const edited = await verifyAttemptChain(handle.db, { userId: user.id }, keys);
    expect(edited.ok).toBe(false);
    expect(edited.problems).toEqual([{ userId: user.id, labId: LAB, seq: 2, reason: expect.stringContaining("content does not match its hash") }]);

    // Deleting an attempt in the middle breaks the chain too.
    const other = await newUser();
    for (let i = 0; i < 3; i++) await gradeAttempt(handle.db, other, LAB, undefined, noLimit);
    await handle.db.execute(sql`delete from lab_attempts where user_id = ${other.id} and seq = 2`);
    const gap = await verifyAttemptChain(handle.db, { userId: other.id }, keys);
    expect(gap.problems.map((p) => p.reason)).toEqual([expect.stringContaining("missing or reordered"), expect.stringContaining("does not link")]);

    // A verifier without the key cannot be fooled by recomputed hashes.
    expect((await verifyAttemptChain(handle.db, { userId: user.id }, keyringOf({ test: randomBytes(32) }))).ok).toBe(false);
  }, 20_000); // several gradings, each with its check worker: seconds on a loaded 2-core machine

  test("a crashing check is stored as a check error; learners see the plain message, instructors the details", async () => {
    const learner = await newUser();
    const broken = defineChecks([
      { id: "ok", title: "OK", points: 1, hints: ["h"], kind: "custom", run: async () => ({ status: "pass", message: "fine" }) },
      { id: "broken", title: "Broken", points: 1, hints: ["h"], kind: "custom", run: async () => { throw new RangeError("index 7 out of range"); } },
    ]);
    const labId = "batch-scoring-script";
    const graded = await gradeAttempt(handle.db, learner, labId, undefined, { ...noLimit, registry: { [labId]: broken } });
    expect(graded).toMatchObject({ ok: true, attempt: { completed: false, score: 1 } });
    const [shown] = await listAttempts(handle.db, learner, labId);
    expect(shown!.results[1]).toMatchObject({ status: "error" });
    expect(JSON.stringify(shown)).not.toContain("index 7 out of range");

    await expect(labInsights(handle.db, learner, labId)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(labInsights(handle.db, null)).rejects.toBeInstanceOf(ForbiddenError);
    const instructor = await newUser("instructor");
    const [insight] = await labInsights(handle.db, instructor, labId);
    expect(insight).toMatchObject({ labId, attempts: 1, learners: 1, completedLearners: 0, completionRate: 0 });
    expect(insight!.failingChecks).toEqual([{ id: "broken", title: "Broken", failures: 0, errors: 1, attempts: 1, failureRate: 1 }]);
    expect(insight!.recentErrors[0]).toMatchObject({ checkId: "broken", internal: expect.stringContaining("RangeError: index 7 out of range") });
  });

  test("insights: completion rate and the checks that fail most", async () => {
    const instructor = await newUser("instructor");
    const [before] = await labInsights(handle.db, instructor, LAB);
    const a = await newUser();
    const b = await newUser();
    await gradeAttempt(handle.db, a, LAB, undefined, noLimit);
    await saveLabFile(handle.db, a, { labId: LAB, path: "openapi.yaml", content: solution });
    await gradeAttempt(handle.db, a, LAB, undefined, noLimit);
    await gradeAttempt(handle.db, b, LAB, undefined, noLimit);
    const [after] = await labInsights(handle.db, instructor, LAB);
    expect(after!.attempts - before!.attempts).toBe(3);
    expect(after!.learners - before!.learners).toBe(2);
    expect(after!.completedLearners - before!.completedLearners).toBe(1);
    const ids = after!.failingChecks.map((c) => c.id);
    expect(ids).toContain("predict-operation");
    expect(after!.failingChecks[0]!.failures + after!.failingChecks[0]!.errors).toBeGreaterThanOrEqual(after!.failingChecks.at(-1)!.failures);
  }, 20_000); // several gradings, each with its check worker: seconds on a loaded 2-core machine

  test("instructors see per lab whether the stored attempts verify; learners cannot ask", async () => {
    const instructor = await newUser("instructor");
    const learner = await newUser();
    await expect(resultsVerification(handle.db, learner, keys)).rejects.toBeInstanceOf(ForbiddenError);
    // A second lab graded without a sandbox (batch-scoring-script now runs the script in one).
    const labId = "ci-pipeline-for-a-model";
    await gradeAttempt(handle.db, learner, labId, undefined, noLimit);
    await gradeAttempt(handle.db, learner, labId, undefined, noLimit);
    expect(labVerification(await resultsVerification(handle.db, instructor, keys), labId)).toEqual({ ok: true, problems: [] });
    // The earlier test edited a score of LAB behind the trigger's back: that lab is reported.
    const verification = await resultsVerification(handle.db, instructor, keys);
    expect(verification.ok).toBe(false);
    expect(labVerification(verification, LAB).problems).toEqual(expect.arrayContaining([{ seq: 2, reason: expect.stringContaining("content does not match its hash") }]));
    // Deleting the newest attempt turns this lab's status to failed too.
    await handle.db.execute(sql`delete from lab_attempts where user_id = ${learner.id} and lab_id = ${labId} and seq = 2`);
    expect(labVerification(await resultsVerification(handle.db, instructor, keys), labId).problems).toEqual(
      expect.arrayContaining([{ seq: 1, reason: "the signed head is attempt 2: attempt 2 was deleted" }]),
    );
  }, 20_000); // several gradings, each with its check worker: seconds on a loaded 2-core machine
});
