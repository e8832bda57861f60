"use client";

import Link from "next/link";
import { useState, useTransition } from "react";
import { setLessonCompleteAction } from "@/app/(learn)/learn/actions";
import { useLessonState } from "./lesson-state";

export function LessonCompletion() {
  const { lessonId, state, update } = useLessonState();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState("");

  if (!state) return <p className="muted small" aria-live="polite">Loading your progress…</p>;
  if (!state.signedIn) {
    return (
      <p className="small">
        <Link href={`/signin?callbackUrl=${encodeURIComponent(`/learn/${lessonId}`)}`}>Sign in</Link> to save your
        progress and quiz results.
      </p>
    );
  }
  const completed = state.completed;
  function toggle() {
    setError("");
    startTransition(async () => {
      const result = await setLessonCompleteAction(lessonId, !completed);
      if ("error" in result) setError(result.error);
      else if (state?.signedIn) update({ ...state, completed: result.completed });
    });
  }
  return (
    <div className="lesson-completion">
      <button type="button" className={completed ? "button button-quiet" : "button"} onClick={toggle} disabled={pending} aria-pressed={completed}>
        {pending ? "Saving…" : completed ? "✓ Completed — undo" : "Mark lesson complete"}
      </button>
      <span role="status" className={error ? "field-error" : "visually-hidden"}>
        {error || (completed ? "Lesson marked complete." : "")}
      </span>
    </div>
  );
}
