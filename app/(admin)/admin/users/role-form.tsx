"use client";

import { useActionState } from "react";
import { changeRoleAction, type RoleFormState } from "./actions";

const ROLES = ["learner", "instructor", "reviewer", "admin"] as const;

export function RoleForm({ userId, email, role }: { userId: string; email: string; role: string }) {
  const [state, action, pending] = useActionState<RoleFormState, FormData>(changeRoleAction, { message: "", error: false });
  return (
    <form action={action} className="role-form" style={{ display: "flex", gap: "0.5rem", alignItems: "center", flexWrap: "wrap" }}>
      <input type="hidden" name="userId" value={userId} />
      <label className="visually-hidden" htmlFor={`role-${userId}`}>
        Role for {email}
      </label>
      <select id={`role-${userId}`} name="role" defaultValue={role} className="field-select">
        {ROLES.map((r) => (
          <option key={r} value={r}>
            {r}
          </option>
        ))}
      </select>
      <button type="submit" className="button button-quiet" disabled={pending}>
        {pending ? "Saving…" : "Save"}
      </button>
      <span role="status" className={state.error ? "field-error" : "muted small"}>
        {state.message}
      </span>
    </form>
  );
}
