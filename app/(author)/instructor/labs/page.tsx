import type { Metadata } from "next";
import Link from "next/link";
import { requireRole } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { labInsights, labVerification, resultsVerification, type LabVerification } from "@/lib/grading/insights";
import { listLabs } from "@/lib/labs/registry";

export const metadata: Metadata = { title: "Where learners get stuck" };

export default async function InstructorLabsPage() {
  const instructor = await requireRole("/instructor/labs", "instructor");
  const db = await getDb();
  const [insights, verification] = await Promise.all([labInsights(db, instructor), resultsVerification(db, instructor)]);
  const byLab = new Map(insights.map((i) => [i.labId, i]));
  return (
    <section className="stack">
      <h1>Where learners get stuck</h1>
      <p className="muted">From every stored attempt: how many learners try each lab, how many finish, and which checks fail most.</p>
      <p data-testid="verification-summary" className={verification.ok ? "small" : "form-error"}>
        {verification.ok
          ? `Attempt records verified: ${verification.attempts} attempts in ${verification.chains} chains, each checked against its signature.`
          : (
            <>
              Some attempt records failed verification: the numbers below may not be what was graded. Run <code>npm run attempts:verify</code> on the
              server to see the learners concerned.
            </>
          )}
      </p>
      {listLabs().map((lab) => {
        const insight = byLab.get(lab.id);
        const verified = labVerification(verification, lab.id);
        return (
          <section key={lab.id} className="card stack-tight" aria-labelledby={`insight-${lab.id}`}>
            <h2 id={`insight-${lab.id}`} className="h-small">
              <Link href={`/labs/${lab.id}`}>{lab.title}</Link>
            </h2>
            {insight || !verified.ok ? <VerificationStatus labId={lab.id} verification={verified} /> : null}
            {!insight ? (
              <p className="muted small">{verified.ok ? "No attempts yet." : "No attempts are stored for this lab now."}</p>
            ) : (
              <>
                <p data-testid={`insight-summary-${lab.id}`}>
                  {insight.attempts} attempts by {insight.learners} learners; {insight.completedLearners} completed (
                  {Math.round(insight.completionRate * 100)}%).
                </p>
                <table className="table small">
                  <thead>
                    <tr>
                      <th scope="col">Check</th>
                      <th scope="col">Failed</th>
                      <th scope="col">Check errors</th>
                      <th scope="col">Failure rate</th>
                    </tr>
                  </thead>
                  <tbody>
                    {insight.failingChecks.map((c) => (
                      <tr key={c.id}>
                        <td>{c.title}</td>
                        <td>{c.failures}</td>
                        <td>{c.errors}</td>
                        <td>{Math.round(c.failureRate * 100)}%</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                {insight.recentErrors.length > 0 ? (
                  <details>
                    <summary>Recent check errors ({insight.recentErrors.length})</summary>
                    <ul className="small">
                      {insight.recentErrors.map((e, i) => (
                        <li key={i}>
                          {e.at.toISOString()} · {e.checkId}: {e.message}
                          {e.internal ? <pre className="small">{e.internal}</pre> : null}
                        </li>
                      ))}
                    </ul>
                  </details>
                ) : null}
              </>
            )}
          </section>
        );
      })}
    </section>
  );
}

function VerificationStatus({ labId, verification }: { labId: string; verification: LabVerification }) {
  if (verification.ok) {
    return (
      <p data-testid={`verification-${labId}`}>
        <span className="badge badge-ok">Attempt chain verified</span>
      </p>
    );
  }
  const shown = verification.problems.slice(0, 3);
  return (
    <div data-testid={`verification-${labId}`} className="form-error" role="status">
      <p className="small">
        <strong>Verification failed:</strong> {verification.problems.length} problem{verification.problems.length === 1 ? "" : "s"} in the stored attempts of this lab.
      </p>
      <ul className="small">
        {shown.map((p, i) => (
          <li key={i}>
            {p.seq > 0 ? `Attempt ${p.seq}: ` : ""}
            {p.reason}
          </li>
        ))}
      </ul>
      {verification.problems.length > shown.length ? <p className="small">and {verification.problems.length - shown.length} more.</p> : null}
    </div>
  );
}
