import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { signUp } from "@/lib/auth/users";
import type { DatabaseHandle } from "@/lib/db/client";
import { DATABASE_KINDS, openTestDatabase } from "@/tests/support/databases";
import {
  completedLessonIds,
  latestQuizAttempt,
  listLessonStates,
  nextLessonFor,
  recordLessonView,
  saveQuizAttempt,
  setLessonComplete,
} from "./progress";

describe.each(DATABASE_KINDS)("progress on %s", (kind) => {
  let handle: DatabaseHandle;
  let userId = "";
  let otherId = "";
  beforeAll(async () => {
    handle = await openTestDatabase(kind);
    const a = await signUp(handle.db, { name: "A", email: "a@example.com", password: "first password 1" });
    const b = await signUp(handle.db, { name: "B", email: "b@example.com", password: "second password 2" });
    if (!a.ok || !b.ok) throw new Error("users not created");
    userId = a.user.id;
    otherId = b.user.id;
  });
  afterAll(async () => {
    await handle?.close();
  });

  test("views and completions are recorded per user", async () => {
    await recordLessonView(handle.db, userId, "linux/processes-and-signals");
    await recordLessonView(handle.db, userId, "linux/processes-and-signals");
    await setLessonComplete(handle.db, userId, "linux/the-shell-and-filesystem", true);
    expect(await completedLessonIds(handle.db, userId)).toEqual(new Set(["linux/the-shell-and-filesystem"]));
    expect(await completedLessonIds(handle.db, otherId)).toEqual(new Set());

    await setLessonComplete(handle.db, userId, "linux/the-shell-and-filesystem", false);
    expect(await completedLessonIds(handle.db, userId)).toEqual(new Set());
    const states = await listLessonStates(handle.db, userId);
    expect(states.map((s) => s.lessonId).sort()).toEqual([
      "linux/processes-and-signals",
      "linux/the-shell-and-filesystem",
    ]);
  });

  test("a malformed lesson id is refused before it reaches the database", async () => {
    await expect(recordLessonView(handle.db, userId, "../etc/passwd")).rejects.toThrow("Not a lesson id");
  });

  test("the latest quiz attempt wins", async () => {
    await saveQuizAttempt(handle.db, userId, {
      lessonId: "linux/logs-and-streams",
      answers: [{ id: "q1", chosen: 0, correct: false }],
      score: 0,
      total: 1,
    });
    await saveQuizAttempt(handle.db, userId, {
      lessonId: "linux/logs-and-streams",
      answers: [{ id: "q1", chosen: 1, correct: true }],
      score: 1,
      total: 1,
    });
    expect(await latestQuizAttempt(handle.db, userId, "linux/logs-and-streams")).toMatchObject({ score: 1, total: 1 });
    expect(await latestQuizAttempt(handle.db, otherId, "linux/logs-and-streams")).toBeNull();
  });
});

test("continue where you left off prefers the open lesson viewed last", () => {
  const order = ["m/a", "m/b", "m/c"];
  const t = (s: number) => new Date(2026, 0, 1, 0, 0, s);
  expect(
    nextLessonFor(
      [
        { lessonId: "m/b", completedAt: null, lastViewedAt: t(3) },
        { lessonId: "m/a", completedAt: t(2), lastViewedAt: t(2) },
      ],
      order,
    ),
  ).toBe("m/b");
  expect(nextLessonFor([{ lessonId: "m/a", completedAt: t(1), lastViewedAt: t(1) }], order)).toBe("m/b");
  expect(nextLessonFor([], order)).toBe("m/a");
  expect(
    nextLessonFor(
      order.map((id) => ({ lessonId: id, completedAt: t(1), lastViewedAt: t(1) })),
      order,
    ),
  ).toBeNull();
});
