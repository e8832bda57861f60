import type { Metadata } from "next";
import Link from "next/link";
import { listOrganisations } from "@/lib/assessments/organisations";
import { requireRole } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { CreateOrganisationForm } from "./organisation-forms";

export const metadata: Metadata = { title: "Organisations" };

export default async function OrganisationsPage() {
  const admin = await requireRole("/admin/organisations", "admin");
  const organisations = await listOrganisations(await getDb(), admin);
  return (
    <section className="stack">
      <h1>Organisations</h1>
      <p className="muted">
        Reviewers work for one organisation and see only its assessments and candidates. Create an organisation, then add its first reviewer; reviewers can
        add their colleagues themselves.
      </p>
      {organisations.length ? (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Reviewers</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            {organisations.map((o) => (
              <tr key={o.id}>
                <td>
                  <Link href={`/admin/organisations/${o.id}`}>{o.name}</Link>
                </td>
                <td>{o.members}</td>
                <td>{o.createdAt.toISOString().slice(0, 10)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">No organisations yet.</p>
      )}
      <h2>New organisation</h2>
      <CreateOrganisationForm />
    </section>
  );
}
