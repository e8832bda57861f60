// Lesson quizzes: the questions a page may show, and grading of a learner's answers on the
// server, where the answers live.
import "server-only";
import { getQuizWithAnswers, toPublicQuiz, type ContentOptions, type LessonMeta } from "./catalogue";
import { QuizAnswersSchema, type PublicQuestion, type QuizResult } from "./schema";

export type { PublicQuestion, QuizResult, QuestionResult } from "./schema";

/** The lesson's questions without answers or explanations; null for an unknown lesson. */
export function publicQuiz(
  lesson: Pick<LessonMeta, "moduleSlug" | "slug">,
  options?: ContentOptions,
): PublicQuestion[] | null {
  const quiz = getQuizWithAnswers(lesson.moduleSlug, lesson.slug, options);
  return quiz ? toPublicQuiz(quiz) : null;
}

/**
 * Grades answers (question id → zero-based choice). Unanswered questions count as wrong.
 * Input that could not come from the quiz form (unknown lesson or question, a choice out of range)
 * gives `{ error }` rather than throwing, since a server action passes it straight from the browser.
 */
export function gradeQuiz(
  moduleSlug: string,
  lessonSlug: string,
  answers: unknown,
  options?: ContentOptions,
): QuizResult | { error: string } {
  const quiz = getQuizWithAnswers(moduleSlug, lessonSlug, options);
  if (!quiz) return { error: `There is no lesson ${moduleSlug}/${lessonSlug}.` };
  const parsed = QuizAnswersSchema.safeParse(answers);
  if (!parsed.success) return { error: "The answers were not in the expected form; reload the page and try again." };

  const byId = new Map(quiz.map((question) => [question.id, question]));
  for (const [id, choice] of Object.entries(parsed.data)) {
    const question = byId.get(id);
    if (!question) return { error: `This quiz has no question "${id}"; reload the page and try again.` };
    if (choice >= question.choices.length) {
      return { error: `Question "${id}" has no choice ${choice}; reload the page and try again.` };
    }
  }

  // The answer and explanation go only with a question the learner answered: otherwise an empty
  // submission (anyone may submit, signed in or not) would hand out the whole answer key.
  const results = quiz.map((question) => {
    const chosen = Object.hasOwn(parsed.data, question.id) ? parsed.data[question.id]! : null;
    const answered = chosen !== null;
    return {
      id: question.id,
      correct: chosen === question.answer,
      chosen,
      correctChoice: answered ? question.answer : null,
      explanation: answered ? question.explanation : null,
    };
  });
  return { score: results.filter((result) => result.correct).length, total: results.length, results };
}

/**
 * Grades a new submission from the quiz form, which sends an answer to every question: a
 * submission that leaves any out is refused (regrading a saved attempt uses `gradeQuiz`, since a
 * quiz edited later may have questions the attempt never saw).
 */
export function gradeQuizSubmission(
  moduleSlug: string,
  lessonSlug: string,
  answers: unknown,
  options?: ContentOptions,
): QuizResult | { error: string } {
  const result = gradeQuiz(moduleSlug, lessonSlug, answers, options);
  if ("error" in result) return result;
  const unanswered = result.results.filter((r) => r.chosen === null).length;
  if (unanswered > 0) {
    return { error: `Answer every question first: ${unanswered} still ${unanswered === 1 ? "has" : "have"} no answer.` };
  }
  return result;
}
