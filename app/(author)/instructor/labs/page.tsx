import type { Metadata } from "next";
import Link from "next/link";
import { requireRole } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { labInsights } from "@/lib/grading/insights";
import { listLabs } from "@/lib/labs/registry";

export const metadata: Metadata = { title: "Where learners get stuck" };

export default async function InstructorLabsPage() {
  const instructor = await requireRole("/instructor/labs", "instructor");
  const insights = await labInsights(await getDb(), instructor);
  const byLab = new Map(insights.map((i) => [i.labId, i]));
  return (
    <section className="stack">
      <h1>Where learners get stuck</h1>
      <p className="muted">From every stored attempt: how many learners try each lab, how many finish, and which checks fail most.</p>
      {listLabs().map((lab) => {
        const insight = byLab.get(lab.id);
        return (
          <section key={lab.id} className="card stack-tight" aria-labelledby={`insight-${lab.id}`}>
            <h2 id={`insight-${lab.id}`} className="h-small">
              <Link href={`/labs/${lab.id}`}>{lab.title}</Link>
            </h2>
            {!insight ? (
              <p className="muted small">No attempts yet.</p>
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
