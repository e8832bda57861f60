"use client";

import { useActionState } from "react";
import { addMemberAction, createOrganisationAction, removeMemberAction, type OrganisationFormState } from "./actions";

const INITIAL: OrganisationFormState = { message: "", error: false };

function Status({ state }: { state: OrganisationFormState }) {
  return (
    <span role="status" className={state.error ? "field-error" : "muted small"}>
      {state.message}
    </span>
  );
}

export function CreateOrganisationForm() {
  const [state, action, pending] = useActionState(createOrganisationAction, INITIAL);
  return (
    <form action={action} className="form">
      <div className="field">
        <label htmlFor="organisation-name">Name</label>
        <input id="organisation-name" name="name" required maxLength={120} />
      </div>
      <p>
        <button type="submit" className="button" disabled={pending}>
          {pending ? "Creating…" : "Create organisation"}
        </button>
      </p>
      <Status state={state} />
    </form>
  );
}

export function AddMemberForm({ organisationId }: { organisationId: string }) {
  const [state, action, pending] = useActionState(addMemberAction, INITIAL);
  return (
    <form action={action} className="form">
      <input type="hidden" name="organisationId" value={organisationId} />
      <div className="field">
        <label htmlFor="member-email">Email</label>
        <input id="member-email" name="email" type="email" required autoComplete="off" />
      </div>
      <p>
        <button type="submit" className="button" disabled={pending}>
          {pending ? "Adding…" : "Add reviewer"}
        </button>
      </p>
      <Status state={state} />
    </form>
  );
}

export function RemoveMemberForm({ organisationId, userId, email }: { organisationId: string; userId: string; email: string }) {
  const [state, action, pending] = useActionState(removeMemberAction, INITIAL);
  return (
    <form action={action} className="inline-form">
      <input type="hidden" name="organisationId" value={organisationId} />
      <input type="hidden" name="userId" value={userId} />
      <button type="submit" className="button button-quiet" disabled={pending} aria-label={`Remove ${email} from this organisation`}>
        {pending ? "Removing…" : "Remove"}
      </button>
      <Status state={state} />
    </form>
  );
}
