"use client";

// Adding candidates: one at a time or a pasted list (all or nothing; bad lines by number). The
// links the action returns are shown once below the form that made them.
import { useActionState } from "react";
import { inviteListAction, inviteOneAction, type InviteFormState } from "@/app/(review)/review/assessments/[assessmentId]/actions";
import { CreatedLinks } from "./created-links";

const INITIAL: InviteFormState = { message: "", error: false, fieldErrors: {}, problems: [], links: [], emailFailures: [] };

function EmailChoice({ id, emailEnabled }: { id: string; emailEnabled: boolean }) {
  if (!emailEnabled) return <p className="field-hint">Email is off on this Academy (SMTP_URL is not set): copy the links or download them as CSV.</p>;
  return (
    <div className="field-check">
      <input id={id} name="sendEmail" type="checkbox" defaultChecked />
      <label htmlFor={id}>Email each candidate their link</label>
    </div>
  );
}

function Outcome({ state }: { state: InviteFormState }) {
  return (
    <>
      <div role="status">{state.message ? <p className={state.error ? "form-error" : "muted"}>{state.message}</p> : null}</div>
      {state.problems.length ? (
        <ul className="field-error" aria-label="Lines to fix">
          {state.problems.slice(0, 100).map((p) => (
            <li key={p.line}>
              Line {p.line}: {p.error}
            </li>
          ))}
          {state.problems.length > 100 ? <li>…and {state.problems.length - 100} more.</li> : null}
        </ul>
      ) : null}
      {state.emailFailures.length ? (
        <ul className="field-error" aria-label="Emails not sent">
          {state.emailFailures.map((f) => (
            <li key={f.email}>
              {f.email}: {f.error}
            </li>
          ))}
        </ul>
      ) : null}
      <CreatedLinks links={state.links} />
    </>
  );
}

export function InviteForms({ assessmentId, emailEnabled }: { assessmentId: string; emailEnabled: boolean }) {
  const [one, oneAction, onePending] = useActionState<InviteFormState, FormData>(inviteOneAction, INITIAL);
  const [list, listAction, listPending] = useActionState<InviteFormState, FormData>(inviteListAction, INITIAL);
  return (
    <div className="grid" style={{ gridTemplateColumns: "repeat(auto-fit, minmax(22rem, 1fr))", alignItems: "start" }}>
      <section className="stack card" aria-labelledby="invite-one">
        <h3 id="invite-one" className="h-small">
          Invite one candidate
        </h3>
        <form action={oneAction} className="form">
          <input type="hidden" name="assessmentId" value={assessmentId} />
          <div className="field">
            <label htmlFor="candidate-name">Name</label>
            <input id="candidate-name" name="name" autoComplete="off" aria-invalid={!!one.fieldErrors.name} />
            {one.fieldErrors.name ? <p className="field-error">{one.fieldErrors.name}</p> : null}
          </div>
          <div className="field">
            <label htmlFor="candidate-email">Email</label>
            <input id="candidate-email" name="email" type="email" autoComplete="off" aria-invalid={!!one.fieldErrors.email} />
            {one.fieldErrors.email ? <p className="field-error">{one.fieldErrors.email}</p> : null}
          </div>
          <EmailChoice id="email-one" emailEnabled={emailEnabled} />
          <p>
            <button type="submit" className="button" disabled={onePending}>
              {onePending ? "Inviting…" : "Invite"}
            </button>
          </p>
        </form>
        <Outcome state={{ ...one, message: one.fieldErrors.name || one.fieldErrors.email ? "" : one.message }} />
      </section>
      <section className="stack card" aria-labelledby="invite-list">
        <h3 id="invite-list" className="h-small">
          Paste a list
        </h3>
        <form action={listAction} className="stack">
          <input type="hidden" name="assessmentId" value={assessmentId} />
          <div className="field">
            <label htmlFor="candidates">One candidate a line</label>
            <textarea id="candidates" name="candidates" rows={8} placeholder={"Ada Lovelace, ada@example.com\nGrace Hopper <grace@example.com>"} aria-describedby="candidates-hint" />
            <p id="candidates-hint" className="field-hint">
              “Name, email” or “Name &lt;email&gt;”. Nobody is invited until every line is right.
            </p>
          </div>
          <EmailChoice id="email-list" emailEnabled={emailEnabled} />
          <p>
            <button type="submit" className="button" disabled={listPending}>
              {listPending ? "Inviting…" : "Invite everyone"}
            </button>
          </p>
        </form>
        <Outcome state={list} />
      </section>
    </div>
  );
}
