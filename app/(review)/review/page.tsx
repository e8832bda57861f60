import type { Metadata } from "next";
import Link from "next/link";
import { listAssessments } from "@/lib/assessments/assessments";
import { requireRole } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { NoOrganisation } from "./no-organisation";

export const metadata: Metadata = { title: "Assessments" };

export default async function ReviewPage() {
  const reviewer = await requireRole("/review", "reviewer");
  const result = await listAssessments(await getDb(), reviewer);
  if (!result.ok) return <NoOrganisation message={result.error} />;
  return (
    <section className="stack">
      <p className="breadcrumbs">{result.organisationName}</p>
      <h1>Assessments</h1>
      <p className="muted">
        Timed, invite-only assessments made of Academy labs. Candidates need no account: each gets a single-use link. Everything here is shared with your
        organisation&apos;s reviewers (<Link href="/review/colleagues">colleagues</Link>).
      </p>
      <p>
        <Link href="/review/assessments/new" className="button">
          New assessment
        </Link>
      </p>
      {result.assessments.length ? (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Title</th>
              <th scope="col">Version</th>
              <th scope="col">Labs</th>
              <th scope="col">Candidates</th>
              <th scope="col">Changed</th>
            </tr>
          </thead>
          <tbody>
            {result.assessments.map((a) => (
              <tr key={a.id}>
                <td>
                  <Link href={`/review/assessments/${a.id}`}>{a.title}</Link>
                </td>
                <td>{a.version}</td>
                <td>{a.labs}</td>
                <td>{a.candidates}</td>
                <td>{a.updatedAt.toISOString().slice(0, 10)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">No assessments yet.</p>
      )}
    </section>
  );
}
