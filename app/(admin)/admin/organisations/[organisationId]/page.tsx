import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getOrganisation } from "@/lib/assessments/organisations";
import { requireRole } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { AddMemberForm, RemoveMemberForm } from "../organisation-forms";

export const metadata: Metadata = { title: "Organisation" };

export default async function OrganisationPage({ params }: { params: Promise<{ organisationId: string }> }) {
  const { organisationId } = await params;
  const admin = await requireRole(`/admin/organisations/${organisationId}`, "admin");
  const found = await getOrganisation(await getDb(), admin, organisationId);
  if (!found) notFound();
  const { organisation, members } = found;
  return (
    <section className="stack">
      <p className="breadcrumbs">
        <Link href="/admin/organisations">Organisations</Link> / {organisation.name}
      </p>
      <h1>{organisation.name}</h1>
      <h2>Reviewers</h2>
      {members.length ? (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Role</th>
              <th scope="col">Since</th>
              <th scope="col">
                <span className="visually-hidden">Remove</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {members.map((m) => (
              <tr key={m.userId}>
                <td>{m.name}</td>
                <td>{m.email}</td>
                <td>{m.role}</td>
                <td>{m.addedAt.toISOString().slice(0, 10)}</td>
                <td>
                  <RemoveMemberForm organisationId={organisation.id} userId={m.userId} email={m.email} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">No reviewers yet.</p>
      )}
      <h2>Add a reviewer</h2>
      <p className="muted">
        By the email of an existing account. A learner becomes a reviewer; an instructor must first be given the reviewer role on{" "}
        <Link href="/admin/users">the users page</Link>. A user reviews for one organisation at a time.
      </p>
      <AddMemberForm organisationId={organisation.id} />
    </section>
  );
}
