"use client";

// Freshly made invite links: shown once (the server keeps only their hashes), with a copy button
// each, "copy all" and a CSV download built here from the action's answer.
import { useState } from "react";
import { inviteLinksCsv, type InviteLinkRow } from "@/lib/assessments/invite-csv";

async function copy(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

function download(rows: readonly InviteLinkRow[]) {
  const url = URL.createObjectURL(new Blob([inviteLinksCsv(rows)], { type: "text/csv;charset=utf-8" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = `invite-links-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-")}.csv`;
  document.body.append(a);
  a.click();
  a.remove();
  URL.revokeObjectURL(url);
}

/** How many rows are listed on the page; a longer batch is there in full in the CSV and "copy all". */
const SHOWN = 50;

export function CreatedLinks({ links }: { links: readonly InviteLinkRow[] }) {
  const [copied, setCopied] = useState("");
  if (!links.length) return null;
  const note = (what: string) => (ok: boolean) => setCopied(ok ? `Copied ${what}.` : "The browser refused the clipboard: select the link and copy it by hand.");
  return (
    <div className="stack card">
      <p>
        <strong>New links</strong> — shown this once. Copy them or download the CSV now; later a lost link can only be replaced with Reset.
      </p>
      <p className="inline-form">
        <button type="button" className="button" onClick={() => download(links)}>
          Download CSV ({links.length})
        </button>
        <button type="button" className="button button-quiet" onClick={() => void copy(links.map((l) => `${l.name} <${l.email}>: ${l.link}`).join("\n")).then(note("every link"))}>
          Copy all
        </button>
        <span role="status" className="muted small">
          {copied}
        </span>
      </p>
      <table className="table">
        <thead>
          <tr>
            <th scope="col">Candidate</th>
            <th scope="col">Link</th>
            <th scope="col">Expires</th>
            <th scope="col">
              <span className="visually-hidden">Copy</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {links.slice(0, SHOWN).map((l) => (
            <tr key={l.link}>
              <td>
                {l.name}
                <br />
                <span className="muted small">{l.email}</span>
              </td>
              <td className="link-cell">{l.link}</td>
              <td>{new Date(l.expiresAt).toUTCString()}</td>
              <td>
                <button type="button" className="button button-quiet" onClick={() => void copy(l.link).then(note(`the link of ${l.email}`))} aria-label={`Copy the link of ${l.email}`}>
                  Copy
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {links.length > SHOWN ? <p className="muted small">{links.length - SHOWN} more are in the CSV and in “Copy all”.</p> : null}
    </div>
  );
}
