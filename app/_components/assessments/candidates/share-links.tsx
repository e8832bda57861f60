"use client";

// The report page's share links: make one (valid for some days), see each link's uses, revoke.
import { useActionState } from "react";
import {
  createShareLinkAction,
  revokeShareLinkAction,
  type ShareLinkState,
} from "@/app/(review)/review/assessments/[assessmentId]/candidates/[inviteId]/share-actions";

const INITIAL: ShareLinkState = { message: "", error: false };

export type ShareLinkView = {
  id: string;
  createdAt: string;
  createdBy: string | null;
  expiresAt: string;
  state: "active" | "expired" | "revoked";
  uses: number;
  recentUses: Array<{ at: string; clientAddress: string | null; userAgent: string | null }>;
};

const when = (iso: string) => `${iso.slice(0, 16).replace("T", " ")} UTC`;

export function ShareLinks({ assessmentId, inviteId, links }: { assessmentId: string; inviteId: string; links: ShareLinkView[] }) {
  const [made, make, making] = useActionState(createShareLinkAction, INITIAL);
  const [revoked, revoke, revoking] = useActionState(revokeShareLinkAction, INITIAL);
  const last = [made, revoked].filter((s) => s.message).sort((a, b) => (b.at ?? 0) - (a.at ?? 0))[0];
  const hidden = (
    <>
      <input type="hidden" name="assessmentId" value={assessmentId} />
      <input type="hidden" name="inviteId" value={inviteId} />
    </>
  );
  return (
    <div className="stack-tight">
      <form action={make} className="inline-form">
        {hidden}
        <label htmlFor="share-days">Valid for</label>
        <input id="share-days" name="days" type="number" min={1} max={90} defaultValue={7} className="field-select" style={{ width: "4.5rem" }} />
        <span>days</span>
        <button type="submit" className="button" disabled={making}>
          Make a share link
        </button>
      </form>
      {last ? (
        <p className={last.error ? "form-error" : "muted"} role={last.error ? "alert" : "status"}>
          {last.message}
        </p>
      ) : null}
      {made.link && last === made ? (
        <p>
          <input readOnly value={made.link} aria-label="The new share link" style={{ width: "100%" }} onFocus={(e) => e.currentTarget.select()} />
        </p>
      ) : null}
      {links.length ? (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Made</th>
              <th scope="col">Expires</th>
              <th scope="col">State</th>
              <th scope="col">Uses</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {links.map((l) => (
              <tr key={l.id}>
                <td>
                  {when(l.createdAt)}
                  {l.createdBy ? <span className="muted small"> by {l.createdBy}</span> : null}
                </td>
                <td>{when(l.expiresAt)}</td>
                <td>{l.state}</td>
                <td>
                  {l.uses ? (
                    <details>
                      <summary>{l.uses} opened</summary>
                      <ul className="small">
                        {l.recentUses.map((u, i) => (
                          <li key={i}>
                            {when(u.at)} from {u.clientAddress ?? "unknown"} <span className="muted">{u.userAgent ?? "no user agent"}</span>
                          </li>
                        ))}
                      </ul>
                    </details>
                  ) : (
                    "never opened"
                  )}
                </td>
                <td>
                  {l.state === "active" ? (
                    <form action={revoke}>
                      {hidden}
                      <input type="hidden" name="linkId" value={l.id} />
                      <button type="submit" className="button button-quiet" disabled={revoking}>
                        Revoke
                      </button>
                    </form>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">No share links yet.</p>
      )}
    </div>
  );
}
