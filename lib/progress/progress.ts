// Learner progress: lessons viewed and completed, quiz attempts. Every function is scoped to the
// user passed in; there is no way to read another learner's progress through this module.
import "server-only";
import { and, desc, eq, isNotNull } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { lessonProgress, quizAttempts, type QuizAnswerRecord } from "@/lib/db/schema";

export type LessonState = {
  lessonId: string;
  completedAt: Date | null;
  lastViewedAt: Date;
};

export type QuizAttemptDTO = {
  lessonId: string;
  answers: QuizAnswerRecord[];
  score: number;
  total: number;
  createdAt: Date;
};

const LESSON_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*\/[a-z0-9]+(?:-[a-z0-9]+)*$/;

function assertLessonId(lessonId: string): void {
  if (!LESSON_ID.test(lessonId)) throw new Error(`Not a lesson id: ${JSON.stringify(lessonId)}`);
}

export async function recordLessonView(db: Database, userId: string, lessonId: string): Promise<void> {
  assertLessonId(lessonId);
  const now = new Date();
  await db
    .insert(lessonProgress)
    .values({ userId, lessonId, firstViewedAt: now, lastViewedAt: now })
    .onConflictDoUpdate({ target: [lessonProgress.userId, lessonProgress.lessonId], set: { lastViewedAt: now } });
}

export async function setLessonComplete(
  db: Database,
  userId: string,
  lessonId: string,
  complete: boolean,
): Promise<LessonState> {
  assertLessonId(lessonId);
  const now = new Date();
  const completedAt = complete ? now : null;
  const [row] = await db
    .insert(lessonProgress)
    .values({ userId, lessonId, firstViewedAt: now, lastViewedAt: now, completedAt })
    .onConflictDoUpdate({
      target: [lessonProgress.userId, lessonProgress.lessonId],
      set: { completedAt, lastViewedAt: now },
    })
    .returning();
  if (!row) throw new Error("Saving lesson progress returned no row");
  return { lessonId: row.lessonId, completedAt: row.completedAt, lastViewedAt: row.lastViewedAt };
}

export async function getLessonState(db: Database, userId: string, lessonId: string): Promise<LessonState | null> {
  const rows = await db
    .select()
    .from(lessonProgress)
    .where(and(eq(lessonProgress.userId, userId), eq(lessonProgress.lessonId, lessonId)))
    .limit(1);
  const row = rows[0];
  return row ? { lessonId: row.lessonId, completedAt: row.completedAt, lastViewedAt: row.lastViewedAt } : null;
}

/** All lesson states of one user, most recently viewed first. */
export async function listLessonStates(db: Database, userId: string): Promise<LessonState[]> {
  const rows = await db
    .select()
    .from(lessonProgress)
    .where(eq(lessonProgress.userId, userId))
    .orderBy(desc(lessonProgress.lastViewedAt));
  return rows.map((row) => ({ lessonId: row.lessonId, completedAt: row.completedAt, lastViewedAt: row.lastViewedAt }));
}

export async function completedLessonIds(db: Database, userId: string): Promise<Set<string>> {
  const rows = await db
    .select({ lessonId: lessonProgress.lessonId })
    .from(lessonProgress)
    .where(and(eq(lessonProgress.userId, userId), isNotNull(lessonProgress.completedAt)));
  return new Set(rows.map((r) => r.lessonId));
}

export async function saveQuizAttempt(
  db: Database,
  userId: string,
  attempt: { lessonId: string; answers: QuizAnswerRecord[]; score: number; total: number },
): Promise<QuizAttemptDTO> {
  assertLessonId(attempt.lessonId);
  const [row] = await db.insert(quizAttempts).values({ userId, ...attempt }).returning();
  if (!row) throw new Error("Saving the quiz attempt returned no row");
  return { lessonId: row.lessonId, answers: row.answers, score: row.score, total: row.total, createdAt: row.createdAt };
}

export async function latestQuizAttempt(
  db: Database,
  userId: string,
  lessonId: string,
): Promise<QuizAttemptDTO | null> {
  const rows = await db
    .select()
    .from(quizAttempts)
    .where(and(eq(quizAttempts.userId, userId), eq(quizAttempts.lessonId, lessonId)))
    .orderBy(desc(quizAttempts.createdAt), desc(quizAttempts.id))
    .limit(1);
  const row = rows[0];
  return row
    ? { lessonId: row.lessonId, answers: row.answers, score: row.score, total: row.total, createdAt: row.createdAt }
    : null;
}

/**
 * "Continue where you left off": the most recently viewed lesson that is not complete; when every
 * viewed lesson is complete, the first lesson (in course order) not yet completed.
 */
export function nextLessonFor(states: LessonState[], courseOrder: string[]): string | null {
  const inCourse = new Set(courseOrder);
  const open = states.find((s) => !s.completedAt && inCourse.has(s.lessonId));
  if (open) return open.lessonId;
  const done = new Set(states.filter((s) => s.completedAt).map((s) => s.lessonId));
  return courseOrder.find((id) => !done.has(id)) ?? null;
}

/** The learner's most recent quiz attempts, newest first. */
export async function recentQuizAttempts(db: Database, userId: string, limit = 5): Promise<QuizAttemptDTO[]> {
  const rows = await db
    .select()
    .from(quizAttempts)
    .where(eq(quizAttempts.userId, userId))
    .orderBy(desc(quizAttempts.createdAt), desc(quizAttempts.id))
    .limit(limit);
  return rows.map((row) => ({
    lessonId: row.lessonId,
    answers: row.answers,
    score: row.score,
    total: row.total,
    createdAt: row.createdAt,
  }));
}
