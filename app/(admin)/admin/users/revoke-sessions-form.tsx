"use client";

import { useActionState } from "react";
import { revokeSessionsAction, type RoleFormState } from "./actions";

export function RevokeSessionsForm({ userId, email }: { userId: string; email: string }) {
  const [state, action, pending] = useActionState<RoleFormState, FormData>(revokeSessionsAction, { message: "", error: false });
  return (
    <form action={action} style={{ display: "flex", gap: "0.5rem", alignItems: "center", flexWrap: "wrap" }}>
      <input type="hidden" name="userId" value={userId} />
      <button type="submit" className="button button-quiet" disabled={pending} aria-label={`Sign ${email} out everywhere`}>
        {pending ? "Signing out…" : "Sign out everywhere"}
      </button>
      {/* aria-live without role="status": the row's one status is the role form's. */}
      <span aria-live="polite" className={state.error ? "field-error" : "muted small"}>
        {state.message}
      </span>
    </form>
  );
}
