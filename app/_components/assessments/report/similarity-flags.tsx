// Similarity flags of one candidate: the other candidate (or the published solution), the score,
// and each matching passage side by side, this candidate's lines on the left.
import Link from "next/link";
import type { SimilarityFlagDTO } from "@/lib/assessments/similarity-run";

export function SimilarityFlags({ flags, threshold, assessmentId, submitted }: { flags: SimilarityFlagDTO[]; threshold: number; assessmentId: string; submitted: boolean }) {
  if (!submitted) return <p className="muted">Similarity is compared once the candidate has submitted.</p>;
  if (!flags.length) {
    return <p>No flags: nothing in this candidate&apos;s final files matches another submitted candidate or the published solution at {Math.round(threshold * 100)}% or more.</p>;
  }
  return (
    <>
      <p className="field-hint">
        Compared with every submitted candidate of this assessment after names, order, comments and spacing are normalised; the lab&apos;s starter
        files never count. A flag is a reason to read the passages, not a verdict.
      </p>
      {flags.map((flag, i) => (
        <section key={i} className="similarity-flag card stack-tight">
          <h3 className="h-small">
            {flag.labTitle}:{" "}
            {flag.kind === "candidate" ? (
              <>
                matches <Link href={`/review/assessments/${assessmentId}/candidates/${flag.otherInviteId}`}>{flag.otherName}</Link>
              </>
            ) : (
              "matches the lab's published solution"
            )}{" "}
            <span className="badge badge-bad">{Math.round(flag.score * 100)}% similar</span>
          </h3>
          {flag.kind === "candidate" && flag.alsoInSolution > 0 ? (
            <p className="muted small">
              {flag.alsoInSolution} of the {flag.sharedFingerprints} shared fingerprints are also in the published solution: both may have copied it.
            </p>
          ) : null}
          {flag.passages.map((p, j) => (
            <div key={j} className="passage-pair">
              <figure>
                <figcaption className="small">
                  This candidate: {p.minePath}, lines {p.mineLines[0]}–{p.mineLines[1]}
                </figcaption>
                <pre>{p.mineText}</pre>
              </figure>
              <figure>
                <figcaption className="small">
                  {flag.kind === "candidate" ? flag.otherName : "Published solution"}: {p.otherPath}, lines {p.otherLines[0]}–{p.otherLines[1]}
                </figcaption>
                <pre>{p.otherText}</pre>
              </figure>
            </div>
          ))}
        </section>
      ))}
    </>
  );
}
