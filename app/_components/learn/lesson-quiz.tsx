"use client";

import type { PublicQuestion, QuizResult } from "@/lib/content/schema";
import { submitQuizAction } from "@/app/(learn)/learn/actions";
import { QuizForm } from "@/app/_components/quiz/quiz-form";
import { useLessonState } from "./lesson-state";

export function LessonQuiz({ questions }: { questions: PublicQuestion[] }) {
  const { lessonId, state, update } = useLessonState();
  async function submit(answers: Record<string, number>): Promise<QuizResult | { error: string }> {
    const result = await submitQuizAction(lessonId, answers);
    if (!("error" in result) && state?.signedIn) update({ ...state, quiz: result });
    return result;
  }
  const initial = state?.signedIn ? (state.quiz ?? undefined) : undefined;
  // Keyed on the loaded result so the form shows the saved attempt once it arrives.
  return <QuizForm key={initial ? "saved" : "fresh"} questions={questions} submit={submit} initial={initial} />;
}
