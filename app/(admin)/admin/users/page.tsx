import type { Metadata } from "next";
import { requireRole } from "@/lib/auth/session";
import { listUsers } from "@/lib/auth/users";
import { getDb } from "@/lib/db";
import { RevokeSessionsForm } from "./revoke-sessions-form";
import { RoleForm } from "./role-form";

export const metadata: Metadata = { title: "Users and roles" };

export default async function AdminUsersPage() {
  const admin = await requireRole("/admin/users", "admin");
  const users = await listUsers(await getDb(), admin);
  return (
    <section className="stack">
      <h1>Users and roles</h1>
      <p className="muted">
        Learners take courses and labs; instructors author content and see where learners get stuck; reviewers send
        and review assessments; administrators manage users. Signing a user out everywhere ends their sessions on every
        device at once.
      </p>
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Email</th>
            <th scope="col">Joined</th>
            <th scope="col">Role</th>
            <th scope="col">Sessions</th>
          </tr>
        </thead>
        <tbody>
          {users.map((u) => (
            <tr key={u.id}>
              <td>{u.name}</td>
              <td>{u.email}</td>
              <td>{u.createdAt.toISOString().slice(0, 10)}</td>
              <td>
                <RoleForm userId={u.id} email={u.email} role={u.role} />
              </td>
              <td>
                <RevokeSessionsForm userId={u.id} email={u.email} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
