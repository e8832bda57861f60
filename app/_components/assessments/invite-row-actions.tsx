"use client";

// Revoke, extend and reset of one invite, in its row of the invites table.
import { useActionState } from "react";
import { extendInviteAction, resetInviteAction, revokeInviteAction, type InviteRowState } from "@/app/(review)/review/assessments/[assessmentId]/actions";
import type { InviteStatus } from "@/lib/assessments/invites";
import { CreatedLinks } from "./created-links";

const INITIAL: InviteRowState = { message: "", error: false, links: [] };

export function InviteRowActions({
  assessmentId,
  inviteId,
  email,
  status,
  emailEnabled,
  validityDays,
}: {
  assessmentId: string;
  inviteId: string;
  email: string;
  status: InviteStatus;
  emailEnabled: boolean;
  validityDays: number;
}) {
  const [revoked, revoke, revoking] = useActionState<InviteRowState, FormData>(revokeInviteAction, INITIAL);
  const [extended, extend, extending] = useActionState<InviteRowState, FormData>(extendInviteAction, INITIAL);
  const [reset, doReset, resetting] = useActionState<InviteRowState, FormData>(resetInviteAction, INITIAL);
  if (status === "submitted") return <span className="muted small">Submitted; kept with the report.</span>;
  if (status === "grading") return <span className="muted small">Being submitted: the final grading is running, the report follows.</span>;
  const hidden = (
    <>
      <input type="hidden" name="assessmentId" value={assessmentId} />
      <input type="hidden" name="inviteId" value={inviteId} />
    </>
  );
  const last = [reset, extended, revoked].filter((s) => s.message).sort((a, b) => (b.at ?? 0) - (a.at ?? 0))[0];
  return (
    <div className="stack-tight">
      <div className="inline-form">
        {status !== "revoked" ? (
          <form action={revoke}>
            {hidden}
            <button type="submit" className="button button-quiet" disabled={revoking} aria-label={`Revoke the invite of ${email}`}>
              Revoke
            </button>
          </form>
        ) : null}
        {status !== "revoked" ? (
          <form action={extend} className="inline-form">
            {hidden}
            <label className="visually-hidden" htmlFor={`days-${inviteId}`}>
              Days from now for {email}
            </label>
            <input id={`days-${inviteId}`} name="days" type="number" min={1} max={90} defaultValue={validityDays} className="field-select" style={{ width: "4.5rem" }} />
            <button type="submit" className="button button-quiet" disabled={extending} aria-label={`Set the expiry of ${email}`}>
              days
            </button>
          </form>
        ) : null}
        <form action={doReset} className="inline-form">
          {hidden}
          {emailEnabled ? (
            <label className="small">
              <input name="sendEmail" type="checkbox" /> email it
            </label>
          ) : null}
          <button type="submit" className="button button-quiet" disabled={resetting} aria-label={`Reset the invite of ${email}: a new link`}>
            Reset
          </button>
        </form>
      </div>
      <div role="status">{last ? <p className={last.error ? "field-error" : "muted small"}>{last.message}</p> : null}</div>
      <CreatedLinks links={reset.links} />
    </div>
  );
}
