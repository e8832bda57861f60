"use client";

import { useActionState } from "react";
import { deleteSandboxAction, type DeleteState } from "./actions";

export function DeleteSandboxForm({ sandboxId, namespace }: { sandboxId: string; namespace: string }) {
  const [state, action, pending] = useActionState<DeleteState, FormData>(deleteSandboxAction, { message: "", error: false });
  return (
    <form
      action={action}
      onSubmit={(event) => {
        if (!window.confirm(`Delete ${namespace} and everything in it?`)) event.preventDefault();
      }}
    >
      <input type="hidden" name="sandboxId" value={sandboxId} />
      <button type="submit" className="button button-danger" disabled={pending} aria-label={`Delete ${namespace}`}>
        {pending ? "Deleting…" : "Delete"}
      </button>
      <span role="status" className={state.error ? "field-error" : "muted small"}>
        {state.message}
      </span>
    </form>
  );
}
