// 2–4 candidates side by side: one column each, a row per lab and per check, the total, time used
// and flags. The candidates come from the list's ticked boxes (?id=…&id=…).
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getAssessment } from "@/lib/assessments/assessments";
import { compareCandidates, type CandidateRowDTO } from "@/lib/assessments/candidates";
import { formatDuration } from "@/lib/assessments/report-model";
import { requireRole } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { NoOrganisation } from "../../../../no-organisation";

export const metadata: Metadata = { title: "Compare candidates" };

const percent = (p: number | null) => (p === null ? "—" : `${p.toFixed(1)}%`);

export default async function ComparePage({ params, searchParams }: { params: Promise<{ assessmentId: string }>; searchParams: Promise<{ id?: string | string[] }> }) {
  const { assessmentId } = await params;
  const base = `/review/assessments/${assessmentId}`;
  const reviewer = await requireRole(`${base}/candidates`, "reviewer");
  const db = await getDb();
  const assessment = await getAssessment(db, reviewer, assessmentId);
  if (!assessment.ok) {
    if (assessment.code === "not-found") notFound();
    return <NoOrganisation message={assessment.error} />;
  }
  const result = await compareCandidates(db, reviewer, assessmentId, (await searchParams).id ?? []);
  const crumbs = (
    <p className="breadcrumbs">
      <Link href="/review">Assessments</Link> / <Link href={base}>{assessment.assessment.title}</Link> / <Link href={`${base}/candidates`}>Candidates</Link> / Compare
    </p>
  );
  if (!result.ok) {
    return (
      <section className="stack">
        {crumbs}
        <h1>Compare candidates</h1>
        <p className="form-error" role="alert">
          {result.error}
        </p>
      </section>
    );
  }
  const { candidates, labs } = result;
  const labOf = (c: CandidateRowDTO, labId: string) => c.labs.find((l) => l.labId === labId);
  return (
    <section className="stack">
      {crumbs}
      <h1>Compare candidates</h1>
      <table className="table">
        <thead>
          <tr>
            <th scope="col">
              <span className="visually-hidden">Figure</span>
            </th>
            {candidates.map((c) => (
              <th scope="col" key={c.inviteId}>
                <Link href={`${base}/candidates/${c.inviteId}`}>{c.name}</Link>
                <br />
                <span className="muted small">version {c.versionNumber}</span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">Total</th>
            {candidates.map((c) => (
              <td key={c.inviteId}>
                <strong>{percent(c.percent)}</strong>{" "}
                {c.passed === null ? <span className="muted">({c.status})</span> : <span className={c.passed ? "badge badge-ok" : "badge badge-bad"}>{c.passed ? "Pass" : "Fail"}</span>}
              </td>
            ))}
          </tr>
          <tr>
            <th scope="row">Time used</th>
            {candidates.map((c) => (
              <td key={c.inviteId}>{c.timeUsedMs === null ? "—" : formatDuration(c.timeUsedMs)}</td>
            ))}
          </tr>
          <tr>
            <th scope="row">Flags</th>
            {candidates.map((c) => (
              <td key={c.inviteId}>
                {c.flags.similarity} similar to another candidate · {c.flags.solution} like the solution
              </td>
            ))}
          </tr>
          {labs.map((lab) => [
            <tr key={lab.labId}>
              <th scope="row">{lab.title}</th>
              {candidates.map((c) => {
                const l = labOf(c, lab.labId);
                return (
                  <td key={c.inviteId}>
                    {!l ? <span className="muted">not in this version</span> : l.earned === null ? <span className="muted">not checked</span> : `${l.earned}/${l.max} (${percent(l.percent)}) · ${l.attempts} attempts`}
                  </td>
                );
              })}
            </tr>,
            ...lab.checks.map((check) => (
              <tr key={`${lab.labId}/${check.id}`}>
                <th scope="row" className="small">
                  <span className="muted">{lab.title}:</span> {check.title}
                </th>
                {candidates.map((c) => {
                  const result = labOf(c, lab.labId)?.checks.find((x) => x.id === check.id);
                  return (
                    <td key={c.inviteId} className="small">
                      {result ? (
                        <span className={result.status === "pass" ? "badge badge-ok" : "badge badge-bad"}>
                          {result.status} {result.earned}/{result.points}
                        </span>
                      ) : (
                        "—"
                      )}
                    </td>
                  );
                })}
              </tr>
            )),
          ])}
        </tbody>
      </table>
    </section>
  );
}
