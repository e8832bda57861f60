"use server";

// Progress and quiz actions for the (static) lesson pages. Server actions are public POST
// endpoints, so each one validates its input and reads the user from the session itself.
import { getCurrentUser } from "@/lib/auth/session";
import { getCatalogue } from "@/lib/content/catalogue";
import { gradeQuiz, gradeQuizSubmission, type QuizResult } from "@/lib/content/quiz";
import { getDb } from "@/lib/db";
import { completedLabIds } from "@/lib/grading/attempts";
import { labItemId } from "@/lib/progress/items";
import { takeUserLimit, type RateLimited } from "@/lib/rate-limit/limits";
import {
  completedLessonIds,
  getLessonState,
  latestQuizAttempt,
  recordLessonView,
  saveQuizAttempt,
  setLessonComplete,
} from "@/lib/progress/progress";

/** The signed-in user, except an assessment candidate: the course is not part of an assessment, so it counts as signed out. */
async function currentLearner() {
  const user = await getCurrentUser();
  return user && user.role !== "candidate" ? user : null;
}

export type LessonClientState =
  | { signedIn: false }
  | { signedIn: true; completed: boolean; quiz: QuizResult | null };

function knownLesson(lessonId: unknown): { moduleSlug: string; lessonSlug: string; id: string } | null {
  if (typeof lessonId !== "string") return null;
  const [moduleSlug, lessonSlug] = lessonId.split("/");
  const mod = getCatalogue().modules.find((m) => m.slug === moduleSlug);
  if (!mod || !lessonSlug || !mod.lessons.some((l) => l.slug === lessonSlug)) return null;
  return { moduleSlug: mod.slug, lessonSlug, id: lessonId };
}

/** Records the visit and returns what the lesson page shows for the signed-in learner. */
export async function loadLessonState(lessonId: string): Promise<LessonClientState> {
  const lesson = knownLesson(lessonId);
  const user = await currentLearner();
  if (!user || !lesson) return { signedIn: false };
  const db = await getDb();
  await recordLessonView(db, user.id, lesson.id);
  const [state, attempt] = await Promise.all([
    getLessonState(db, user.id, lesson.id),
    latestQuizAttempt(db, user.id, lesson.id),
  ]);
  let quiz: QuizResult | null = null;
  if (attempt) {
    const answers = Object.fromEntries(attempt.answers.map((a) => [a.id, a.chosen]));
    const regraded = gradeQuiz(lesson.moduleSlug, lesson.lessonSlug, answers);
    // A quiz edited since the attempt may no longer accept the old answers; then show none.
    quiz = "error" in regraded ? null : regraded;
  }
  return { signedIn: true, completed: Boolean(state?.completedAt), quiz };
}

export async function setLessonCompleteAction(
  lessonId: string,
  complete: boolean,
): Promise<{ completed: boolean } | { error: string }> {
  const lesson = knownLesson(lessonId);
  if (!lesson) return { error: "This lesson no longer exists; reload the page." };
  const user = await currentLearner();
  if (!user) return { error: "Sign in to save your progress." };
  const state = await setLessonComplete(await getDb(), user.id, lesson.id, complete === true);
  return { completed: Boolean(state.completedAt) };
}

/**
 * Grades on the server (the browser never had the answers); saves the attempt for signed-in
 * learners, counted against their quiz limit. A visitor's submission is graded and not stored.
 */
export async function submitQuizAction(lessonId: string, answers: Record<string, number>): Promise<QuizResult | { error: string } | RateLimited> {
  const lesson = knownLesson(lessonId);
  if (!lesson) return { error: "This lesson no longer exists; reload the page." };
  const result = gradeQuizSubmission(lesson.moduleSlug, lesson.lessonSlug, answers);
  if ("error" in result) return result;
  const user = await currentLearner();
  if (user) {
    const db = await getDb();
    const allowed = await takeUserLimit(db, "quiz", user.id);
    if (!allowed.ok) return allowed;
    await saveQuizAttempt(db, user.id, {
      lessonId: lesson.id,
      answers: result.results.flatMap((r) => (r.chosen === null ? [] : [{ id: r.id, chosen: r.chosen, correct: r.correct }])),
      score: result.score,
      total: result.total,
    });
  }
  return result;
}

/**
 * What the signed-in learner has completed, for progress bars: lesson ids and lab item ids
 * (labItemId; a lab counts toward its module's progress). Empty when signed out.
 */
export async function loadCompletedItems(): Promise<{ signedIn: boolean; completed: string[] }> {
  const user = await currentLearner();
  if (!user) return { signedIn: false, completed: [] };
  const db = await getDb();
  const [lessons, labs] = await Promise.all([completedLessonIds(db, user.id), completedLabIds(db, user)]);
  return { signedIn: true, completed: [...lessons, ...labs.map((id) => labItemId(id))] };
}
