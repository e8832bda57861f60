import type { Metadata } from "next";
import Link from "next/link";
import { ColleagueForm } from "@/app/_components/assessments/colleague-form";
import { listColleagues } from "@/lib/assessments/organisations";
import { requireRole } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { NoOrganisation } from "../no-organisation";

export const metadata: Metadata = { title: "Colleagues" };

export default async function ColleaguesPage() {
  const reviewer = await requireRole("/review/colleagues", "reviewer");
  const result = await listColleagues(await getDb(), reviewer);
  if (!result.ok) return <NoOrganisation message={result.error} />;
  return (
    <section className="stack">
      <p className="breadcrumbs">
        <Link href="/review">Assessments</Link> / Colleagues
      </p>
      <h1>{result.organisation.name}: reviewers</h1>
      <p className="muted">Every reviewer here sees and manages every assessment and candidate of {result.organisation.name}.</p>
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Email</th>
            <th scope="col">Since</th>
          </tr>
        </thead>
        <tbody>
          {result.members.map((m) => (
            <tr key={m.userId}>
              <td>{m.name}</td>
              <td>{m.email}</td>
              <td>{m.addedAt.toISOString().slice(0, 10)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Add a colleague</h2>
      <p className="muted">
        They need an Academy account first (they sign up, or an administrator creates one). A learner account becomes a reviewer account; an instructor is
        added by an administrator.
      </p>
      <ColleagueForm />
    </section>
  );
}
