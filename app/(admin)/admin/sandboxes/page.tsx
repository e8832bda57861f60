import type { Metadata } from "next";
import { requireRole } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { listAllSandboxes } from "@/lib/sandbox/admin";
import { DeleteSandboxForm } from "./delete-form";

export const metadata: Metadata = { title: "Sandboxes" };

function age(minutes: number): string {
  return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export default async function AdminSandboxesPage() {
  const admin = await requireRole("/admin/sandboxes", "admin");
  const list = await listAllSandboxes(await getDb(), admin, { includeEnded: 20 });
  return (
    <section className="stack">
      <h1>Sandboxes</h1>
      <p className="muted">
        Every learner&apos;s lab environment. Expired and idle ones are deleted automatically; deleting one here removes its
        namespace and keeps the learner&apos;s files.
      </p>
      {list.length === 0 ? (
        <p>No sandboxes yet.</p>
      ) : (
        <div style={{ overflowX: "auto" }}>
          <table className="table small">
            <thead>
              <tr>
                <th scope="col">Learner</th>
                <th scope="col">Lab</th>
                <th scope="col">Namespace</th>
                <th scope="col">State</th>
                <th scope="col">Age</th>
                <th scope="col">Expires</th>
                <th scope="col">Quota used</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((s) => (
                <tr key={s.id}>
                  <td>
                    {s.learnerName}
                    <br />
                    <span className="muted">{s.learnerEmail}</span>
                  </td>
                  <td>{s.labId}</td>
                  <td>
                    <code>{s.namespace}</code>
                  </td>
                  <td>
                    {s.state}
                    {s.state === "deleting" ? (
                      <p className="muted">Counts toward the learner&apos;s sandbox limit until its namespace is gone.</p>
                    ) : null}
                    {s.error ? <p className="field-error">{s.error}</p> : null}
                  </td>
                  <td>{age(s.ageMinutes)}</td>
                  <td>{s.state === "gone" ? "—" : `in ${s.expiresInMinutes} min`}</td>
                  <td>
                    {s.quota === null ? (
                      <span className="muted">cluster not reachable</span>
                    ) : s.quota.length === 0 ? (
                      "—"
                    ) : (
                      <ul className="quota-list">
                        {s.quota
                          .filter((q) => ["pods", "requests.cpu", "requests.memory", "limits.cpu", "limits.memory"].includes(q.resource))
                          .map((q) => (
                            <li key={q.resource}>
                              {q.resource}: {q.used} / {q.hard}
                            </li>
                          ))}
                      </ul>
                    )}
                  </td>
                  <td>{s.state === "gone" ? null : <DeleteSandboxForm sandboxId={s.id} namespace={s.namespace} />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
