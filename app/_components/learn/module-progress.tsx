"use client";

// Per-module progress on the (static) catalogue and module pages, filled in after load for
// signed-in learners.
import { createContext, use, useEffect, useState, type ReactNode } from "react";
import { loadCompletedLessons } from "@/app/(learn)/learn/actions";

const Completed = createContext<Set<string> | null>(null);

export function CompletedLessonsProvider({ children }: { children: ReactNode }) {
  const [completed, setCompleted] = useState<Set<string> | null>(null);
  useEffect(() => {
    let live = true;
    loadCompletedLessons().then(
      (r) => live && r.signedIn && setCompleted(new Set(r.completed)),
      () => {},
    );
    return () => {
      live = false;
    };
  }, []);
  return <Completed value={completed}>{children}</Completed>;
}

export function ModuleProgress({ lessonIds, label }: { lessonIds: string[]; label: string }) {
  const completed = use(Completed);
  if (!completed) return null;
  const done = lessonIds.filter((id) => completed.has(id)).length;
  const percent = lessonIds.length ? Math.round((done / lessonIds.length) * 100) : 0;
  return (
    <div className="stack-tight" data-testid="module-progress">
      <div className="progress" role="progressbar" aria-label={`${label} progress`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
        <span style={{ width: `${percent}%` }} />
      </div>
      <p className="small muted">
        {done} of {lessonIds.length} lessons complete
      </p>
    </div>
  );
}

export function LessonDoneMark({ lessonId }: { lessonId: string }) {
  const completed = use(Completed);
  if (!completed?.has(lessonId)) return null;
  return <span className="badge badge-ok">Completed</span>;
}
