"use client";

// Per-module progress on the (static) catalogue and module pages, filled in after load for
// signed-in learners.
import { createContext, use, useEffect, useState, type ReactNode } from "react";
import { loadCompletedItems } from "@/app/(learn)/learn/actions";

const Completed = createContext<Set<string> | null>(null);

export function CompletedLessonsProvider({ children }: { children: ReactNode }) {
  const [completed, setCompleted] = useState<Set<string> | null>(null);
  useEffect(() => {
    let live = true;
    loadCompletedItems().then(
      (r) => live && r.signedIn && setCompleted(new Set(r.completed)),
      () => {},
    );
    return () => {
      live = false;
    };
  }, []);
  return <Completed value={completed}>{children}</Completed>;
}

/** Progress over a module's lessons and labs (lab ids as "lab:<id>"). */
export function ModuleProgress({ itemIds, label }: { itemIds: string[]; label: string }) {
  const completed = use(Completed);
  if (!completed) return null;
  const done = itemIds.filter((id) => completed.has(id)).length;
  const percent = itemIds.length ? Math.round((done / itemIds.length) * 100) : 0;
  return (
    <div className="stack-tight" data-testid="module-progress">
      <div className="progress" role="progressbar" aria-label={`${label} progress`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
        <span style={{ width: `${percent}%` }} />
      </div>
      <p className="small muted">
        {done} of {itemIds.length} lessons and labs complete
      </p>
    </div>
  );
}

/** "Completed" next to a lesson (its id) or a lab ("lab:<id>") the learner has finished. */
export function DoneMark({ itemId }: { itemId: string }) {
  const completed = use(Completed);
  if (!completed?.has(itemId)) return null;
  return <span className="badge badge-ok">Completed</span>;
}
