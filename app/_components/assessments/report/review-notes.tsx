"use client";

// The acting reviewer's own notes and 1–5 rating of the candidate, saved with saveReviewAction;
// everyone's, with names and times, are listed beside it by the page (ReviewList).
import { useActionState } from "react";
import { saveReviewAction, type ReviewState } from "@/app/(review)/review/assessments/[assessmentId]/candidates/[inviteId]/actions";
import { REVIEW_LIMITS } from "@/lib/assessments/limits";

export function ReviewNotesForm({
  assessmentId,
  inviteId,
  mine,
}: {
  assessmentId: string;
  inviteId: string;
  mine: { rating: number | null; notes: string } | null;
}) {
  const [state, action, pending] = useActionState<ReviewState, FormData>(saveReviewAction, { message: "", error: false });
  return (
    <form action={action} className="form">
      <input type="hidden" name="assessmentId" value={assessmentId} />
      <input type="hidden" name="inviteId" value={inviteId} />
      <div className="field">
        <label htmlFor="review-rating">Your rating</label>
        <select id="review-rating" name="rating" defaultValue={mine?.rating ? String(mine.rating) : ""}>
          <option value="">No rating</option>
          {[1, 2, 3, 4, 5].map((n) => (
            <option key={n} value={n}>
              {n} of 5
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="review-notes">Your notes</label>
        <textarea id="review-notes" name="notes" rows={6} maxLength={REVIEW_LIMITS.maxNotesChars} defaultValue={mine?.notes ?? ""} />
        <p className="field-hint">Your colleagues in the organisation see them with your name. At most {REVIEW_LIMITS.maxNotesChars.toLocaleString("en")} characters.</p>
      </div>
      <p>
        <button type="submit" className="button" disabled={pending}>
          {pending ? "Saving…" : "Save my notes"}
        </button>
      </p>
      <p role="status" className={state.error ? "field-error" : "muted"}>
        {state.message}
      </p>
    </form>
  );
}
