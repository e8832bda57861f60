"use client";

// The replay of one lab: every saved revision in the order it was saved, stepped with Previous /
// Next or scrubbed with the slider. Only the list comes with the page; each revision's text is
// loaded when the reviewer reaches it (and kept for stepping back), shown as a diff against the
// file just before it.
import { useEffect, useState, useTransition } from "react";
import { revisionTextAction, type RevisionTextState } from "@/app/(review)/review/assessments/[assessmentId]/candidates/[inviteId]/actions";
import { DiffView } from "./diff-view";

export type ReplayRevision = { path: string; revision: number; source: string; at: string; bytes: number };

const SOURCE_WORDS: Record<string, string> = { save: "saved in the editor", reset: "reset to the starter", terminal: "changed in the terminal" };

export function Replay({ assessmentId, inviteId, labId, labTitle, revisions }: { assessmentId: string; inviteId: string; labId: string; labTitle: string; revisions: ReplayRevision[] }) {
  const [index, setIndex] = useState(revisions.length - 1);
  const [loaded, setLoaded] = useState<Record<string, RevisionTextState>>({});
  const [pending, startTransition] = useTransition();
  const current = revisions[index];
  const key = current ? `${current.path}#${current.revision}` : "";
  const text = loaded[key];

  useEffect(() => {
    if (!current || loaded[key]) return;
    startTransition(async () => {
      let answer: RevisionTextState;
      try {
        answer = await revisionTextAction({ assessmentId, inviteId, labId, path: current.path, revision: current.revision });
      } catch {
        // The server could not be reached or failed: say so here; stepping on retries other revisions.
        answer = { ok: false, error: "This revision could not be loaded (the server did not answer). Check your connection and reload the page." };
      }
      setLoaded((all) => ({ ...all, [key]: answer }));
    });
  }, [assessmentId, inviteId, labId, current, key, loaded]);

  if (!current) return <p className="muted">The candidate saved nothing in {labTitle}.</p>;
  const sliderId = `replay-${labId}`;
  return (
    <div className="replay stack-tight">
      <div className="inline-form">
        <button type="button" className="button button-quiet" onClick={() => setIndex((i) => Math.max(0, i - 1))} disabled={index === 0}>
          ← Previous
        </button>
        <label htmlFor={sliderId} className="visually-hidden">
          Revision of {labTitle}
        </label>
        <input
          id={sliderId}
          type="range"
          min={0}
          max={revisions.length - 1}
          value={index}
          onChange={(e) => setIndex(Number(e.target.value))}
          aria-valuetext={`Save ${index + 1} of ${revisions.length}: ${current.path} revision ${current.revision}`}
        />
        <button type="button" className="button button-quiet" onClick={() => setIndex((i) => Math.min(revisions.length - 1, i + 1))} disabled={index === revisions.length - 1}>
          Next →
        </button>
      </div>
      <p aria-live="polite">
        Save {index + 1} of {revisions.length}: <strong>{current.path}</strong> revision {current.revision}, {SOURCE_WORDS[current.source] ?? current.source} at{" "}
        {current.at.slice(11, 19)} UTC ({current.bytes} bytes){pending && !text ? " · loading…" : ""}
      </p>
      {text ? text.ok ? <DiffView before={text.previous} after={text.content} caption={`${text.path}, revision ${text.revision} against the text before it`} /> : <p className="form-error">{text.error}</p> : null}
    </div>
  );
}
