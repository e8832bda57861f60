// The quiz action counts a signed-in learner's submissions: past the limit it answers with the
// rate-limited refusal (and grades nothing it stores), while other learners and visitors are unaffected.
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import { getCatalogue } from "@/lib/content/catalogue";
import { publicQuiz } from "@/lib/content/quiz";
import type { DatabaseHandle } from "@/lib/db/client";
import { latestQuizAttempt } from "@/lib/progress/progress";
import { USER_LIMITS } from "@/lib/rate-limit/limits";
import { createLearners } from "@/tests/support/cluster";
import { DATABASE_KINDS, openTestDatabase } from "@/tests/support/databases";

const current = vi.hoisted(() => ({ db: null as unknown, user: null as { id: string } | null }));
vi.mock("@/lib/db", () => ({ getDb: async () => current.db }));
vi.mock("@/lib/auth/session", () => ({ getCurrentUser: async () => current.user }));

const { submitQuizAction } = await import("./actions");

const lesson = getCatalogue()
  .modules.flatMap((m) => m.lessons.map((l) => ({ moduleSlug: m.slug, slug: l.slug })))
  .find((l) => (publicQuiz(l)?.length ?? 0) > 0)!;
const lessonId = `${lesson.moduleSlug}/${lesson.slug}`;
const answers = Object.fromEntries(publicQuiz(lesson)!.map((q) => [q.id, 0]));

describe.each(DATABASE_KINDS)("quiz submissions under the rate limit on %s", (kind) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await openTestDatabase(kind);
    current.db = handle.db;
  }, 60_000);
  afterAll(async () => {
    await handle?.close();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  test("past the limit a submission is refused with the wait, and another learner and a visitor still get graded", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-06-01T12:00:30Z") });
    const [learner, other] = await createLearners(handle.db, 2);
    current.user = learner!;
    const { limit } = USER_LIMITS.quiz.policy;
    for (let i = 0; i < limit; i++) expect(await submitQuizAction(lessonId, answers)).toMatchObject({ total: expect.any(Number) });
    expect(await submitQuizAction(lessonId, answers)).toEqual({
      ok: false,
      code: "rate-limited",
      retryAfterSeconds: 30,
      error: `Too many quiz submissions (at most ${limit} a minute). Try again in 30 seconds.`,
    });
    current.user = other!;
    expect(await submitQuizAction(lessonId, answers)).toMatchObject({ total: expect.any(Number) });
    expect(await latestQuizAttempt(handle.db, other!.id, lessonId)).not.toBeNull();
    current.user = null;
    expect(await submitQuizAction(lessonId, answers)).toMatchObject({ total: expect.any(Number) });
  });
});
