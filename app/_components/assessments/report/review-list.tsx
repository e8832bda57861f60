// Every reviewer's notes and rating of the candidate, with names and times (the acting one's first).
import type { CandidateReviewDTO } from "@/lib/assessments/reviews";

function when(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export function ReviewList({ reviews }: { reviews: CandidateReviewDTO[] }) {
  if (reviews.length === 0) return <p className="muted">No reviewer has written notes or a rating yet.</p>;
  return (
    <ul className="stack-tight review-list">
      {reviews.map((review) => (
        <li key={review.reviewerId} className="card">
          <p>
            <strong>{review.mine ? `${review.name} (you)` : review.name}</strong> <span className="muted small">{review.email}</span> ·{" "}
            {review.rating === null ? <span className="muted">no rating</span> : <span>{review.rating} of 5</span>} ·{" "}
            <span className="muted small">{when(review.updatedAt)}</span>
          </p>
          {review.notes ? <p className="pre-wrap">{review.notes}</p> : null}
        </li>
      ))}
    </ul>
  );
}
