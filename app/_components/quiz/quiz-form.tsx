"use client";

import { useEffect, useId, useRef, useState, useTransition, type FormEvent } from "react";
import type { PublicQuestion, QuizResult } from "@/lib/content/schema";
import { InlineText } from "@/app/_components/inline-text";

export type QuizFormProps = {
  questions: PublicQuestion[];
  /** Grades the answers on the server (a server action); expected failures come back as `{ error }`. */
  submit: (answers: Record<string, number>) => Promise<QuizResult | { error: string }>;
  /** The learner's last saved result, shown instead of an empty form. */
  initial?: QuizResult;
};


function chosenFrom(result: QuizResult | undefined): Record<string, number> {
  const chosen: Record<string, number> = {};
  for (const entry of result?.results ?? []) if (entry.chosen !== null) chosen[entry.id] = entry.chosen;
  return chosen;
}

/**
 * The lesson quiz: one radio group per question. After submission each question shows whether
 * it was right, the correct answer and the explanation, with a score and a way to try again.
 */
export function QuizForm({ questions, submit, initial }: QuizFormProps) {
  const idPrefix = useId();
  const [answers, setAnswers] = useState<Record<string, number>>(() => chosenFrom(initial));
  const [result, setResult] = useState<QuizResult | null>(initial ?? null);
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const [attempt, setAttempt] = useState(0);
  const formRef = useRef<HTMLFormElement>(null);
  const scoreRef = useRef<HTMLParagraphElement>(null);

  // After "Try again", put the keyboard on the first question.
  useEffect(() => {
    if (attempt > 0) formRef.current?.querySelector<HTMLInputElement>("input[type=radio]")?.focus();
  }, [attempt]);

  const unanswered = questions.filter((question) => answers[question.id] === undefined).length;

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (result) return;
    if (unanswered > 0) {
      setError(`Answer every question first: ${unanswered} still ${unanswered === 1 ? "has" : "have"} no answer.`);
      return;
    }
    setError(null);
    startTransition(async () => {
      try {
        const graded = await submit(answers);
        if ("error" in graded) {
          setError(graded.error);
        } else {
          setResult(graded);
          requestAnimationFrame(() => scoreRef.current?.focus());
        }
      } catch {
        setError("Your answers could not be checked. Check your connection and try again.");
      }
    });
  }

  function tryAgain() {
    setResult(null);
    setAnswers({});
    setError(null);
    setAttempt((n) => n + 1);
  }

  const titleId = `${idPrefix}-title`;
  return (
    <form ref={formRef} className="quiz" aria-labelledby={titleId} onSubmit={onSubmit} noValidate>
      <h2 className="quiz-title" id={titleId}>
        Quiz
      </h2>
      {questions.map((question, index) => {
        const graded = result?.results.find((entry) => entry.id === question.id);
        const name = `${idPrefix}-${question.id}`;
        const feedbackId = `${name}-feedback`;
        return (
          <fieldset
            key={`${attempt}-${question.id}`}
            className="quiz-question"
            aria-describedby={graded ? feedbackId : undefined}
          >
            <legend>
              {index + 1}. <InlineText text={question.prompt} />
            </legend>
            <ul className="quiz-choices">
              {question.choices.map((choice, choiceIndex) => {
                const isChosen = answers[question.id] === choiceIndex;
                const isCorrect = graded?.correctChoice === choiceIndex;
                const marks = graded
                  ? isCorrect
                    ? " quiz-choice-correct"
                    : isChosen
                      ? " quiz-choice-wrong"
                      : ""
                  : "";
                return (
                  <li key={choiceIndex}>
                    <label className={`quiz-choice${marks}`}>
                      <input
                        type="radio"
                        name={name}
                        value={choiceIndex}
                        checked={isChosen}
                        disabled={Boolean(result) || pending}
                        onChange={() => setAnswers((current) => ({ ...current, [question.id]: choiceIndex }))}
                      />
                      <span>
                        <InlineText text={choice} />
                      </span>
                      {graded && (isCorrect || isChosen) ? (
                        <span className="quiz-choice-note">
                          {isChosen && isCorrect ? "Your answer, correct" : isCorrect ? "Correct answer" : "Your answer"}
                        </span>
                      ) : null}
                    </label>
                  </li>
                );
              })}
            </ul>
            {graded ? (
              <p id={feedbackId} className={`quiz-feedback ${graded.correct ? "quiz-feedback-correct" : "quiz-feedback-wrong"}`}>
                <strong>{graded.correct ? "Correct." : graded.chosen === null ? "Not answered." : "Not quite."}</strong>
                {graded.explanation ? (
                  <>
                    {" "}
                    <InlineText text={graded.explanation} />
                  </>
                ) : null}
              </p>
            ) : null}
          </fieldset>
        );
      })}
      <div className="quiz-actions">
        {result ? (
          <>
            <p className="quiz-score" ref={scoreRef} tabIndex={-1}>
              You got {result.score} of {result.total} right
              {result.score === result.total ? ". Well done." : "."}
            </p>
            <button type="button" className="button button-quiet" onClick={tryAgain}>
              Try again
            </button>
          </>
        ) : (
          <button type="submit" className="button" disabled={pending} aria-disabled={pending}>
            {pending ? "Checking…" : "Check answers"}
          </button>
        )}
        <p className="visually-hidden" role="status" aria-live="polite">
          {pending ? "Checking…" : result ? `You got ${result.score} of ${result.total} right.` : ""}
        </p>
        {error ? (
          <p className="quiz-error" role="alert">
            {error}
          </p>
        ) : null}
      </div>
    </form>
  );
}
