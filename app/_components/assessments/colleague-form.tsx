"use client";

import { useActionState } from "react";
import { addColleagueAction, type ColleagueState } from "@/app/(review)/review/actions";

export function ColleagueForm() {
  const [state, action, pending] = useActionState<ColleagueState, FormData>(addColleagueAction, { message: "", error: false });
  return (
    <form action={action} className="form">
      <div className="field">
        <label htmlFor="colleague-email">Their email</label>
        <input id="colleague-email" name="email" type="email" autoComplete="off" required />
      </div>
      <p>
        <button type="submit" className="button" disabled={pending}>
          {pending ? "Adding…" : "Add to my organisation"}
        </button>
      </p>
      {/* Always in the page, so screen readers announce the message when it appears. */}
      <p role="status" className={state.error ? "field-error" : "muted"}>
        {state.message}
      </p>
    </form>
  );
}
