"use client";

// "Your files": one tab per lab file, the editor, the save status, and each file's history and
// reset to starter. Saving itself is the autosave hook's job. The history comes a page at a time
// (dates and sizes only); a revision's text is fetched when the learner restores it.
import { useState } from "react";
import { historyAction, resetFileAction, revisionAction, type RevisionView } from "@/app/(learn)/labs/[labId]/actions";
import { CodeEditor } from "./code-editor";
import { hasPendingEdits, saveStatusText, type Autosave } from "./hooks/use-autosave";
import type { LabFileView } from "./types";

export function FileEditor({
  labId,
  files,
  autosave,
  onPaste,
}: {
  labId: string;
  files: LabFileView[];
  autosave: Autosave;
  /** An assessment's recorder: the size of each paste and the file it went into. */
  onPaste?: (path: string, chars: number) => void;
}) {
  const { contents, saveStates, edit, flush } = autosave;
  const [active, setActive] = useState(files.find((f) => !f.readonly)?.path ?? files[0]?.path ?? "");
  const [history, setHistory] = useState<{ path: string; revisions: RevisionView[]; nextCursor: number | null } | null>(null);
  const [historyError, setHistoryError] = useState("");
  const file = files.find((f) => f.path === active);
  const saveState = file ? saveStates[file.path] : undefined;

  async function showHistory() {
    if (!file) return;
    await flush();
    setHistoryError("");
    const result = await historyAction(labId, file.path);
    if (result.ok) setHistory({ path: file.path, revisions: result.revisions, nextCursor: result.nextCursor });
    else setHistoryError(result.error);
  }

  async function showOlder() {
    if (!history || history.nextCursor === null) return;
    setHistoryError("");
    const result = await historyAction(labId, history.path, history.nextCursor);
    if (result.ok) setHistory({ path: history.path, revisions: [...history.revisions, ...result.revisions], nextCursor: result.nextCursor });
    else setHistoryError(result.error);
  }

  async function resetFile() {
    if (!file || file.readonly) return;
    if (!window.confirm(`Replace ${file.path} with the starter version? Your current version stays in the history.`)) return;
    await flush();
    const result = await resetFileAction(labId, file.path);
    if (result.ok) {
      autosave.markSaved(file.path, file.starter);
      setHistory(null);
    } else {
      autosave.markFailed(file.path, result.error);
    }
  }

  async function restore(path: string, revision: RevisionView) {
    setHistoryError("");
    const result = await revisionAction(labId, path, revision.revision);
    if (!result.ok) {
      setHistoryError(result.error);
      return;
    }
    autosave.replace(path, result.content);
    setActive(path);
    setHistory(null);
  }

  return (
    <section className="card lab-editor" aria-labelledby="files-heading">
      <div className="lab-editor-bar">
        <h2 id="files-heading" className="h-small">
          Your files
        </h2>
        <div role="tablist" aria-label="Files" className="file-tabs">
          {files.map((f) => (
            <button
              key={f.path}
              role="tab"
              type="button"
              aria-selected={f.path === active}
              className={f.path === active ? "file-tab file-tab-active" : "file-tab"}
              onClick={() => setActive(f.path)}
            >
              {f.path}
              {f.readonly ? " (read-only)" : hasPendingEdits(saveStates[f.path]) ? " •" : ""}
            </button>
          ))}
        </div>
      </div>
      {file ? (
        <div role="tabpanel" aria-label={file.path} className="lab-editor-panel">
          <CodeEditor
            path={`${labId}/${file.path}`}
            language={file.language}
            value={contents[file.path] ?? ""}
            replacement={autosave.replacements[file.path] ?? 0}
            readOnly={file.readonly}
            label={`${file.path}${file.readonly ? " (read-only)" : ""}`}
            onChange={(value) => edit(file.path, value)}
            onPaste={onPaste && !file.readonly ? (chars) => onPaste(file.path, chars) : undefined}
          />
        </div>
      ) : null}
      <div className="lab-editor-actions">
        <span role="status" className={saveState?.status === "error" ? "field-error" : "muted small"} data-testid="save-status">
          {saveStatusText(saveState, file?.readonly ?? false)}
        </span>
        <span className="spacer" />
        {file && !file.readonly ? (
          <>
            <button type="button" className="button button-quiet" onClick={() => void showHistory()}>
              History
            </button>
            <button type="button" className="button button-quiet" onClick={() => void resetFile()}>
              Reset to starter
            </button>
          </>
        ) : null}
      </div>
      {file && autosave.terminalNotes[file.path] ? (
        <p className="muted small" role="status" data-testid="terminal-note">
          {autosave.terminalNotes[file.path]}
        </p>
      ) : null}
      {historyError ? <p className="field-error">{historyError}</p> : null}
      {history ? (
        <FileHistory
          path={history.path}
          revisions={history.revisions}
          hasOlder={history.nextCursor !== null}
          onShowOlder={() => void showOlder()}
          onRestore={(r) => void restore(history.path, r)}
          onClose={() => setHistory(null)}
        />
      ) : null}
    </section>
  );
}

export function FileHistory({
  path,
  revisions,
  hasOlder,
  onShowOlder,
  onRestore,
  onClose,
}: {
  path: string;
  revisions: RevisionView[];
  hasOlder: boolean;
  onShowOlder: () => void;
  onRestore: (revision: RevisionView) => void;
  onClose: () => void;
}) {
  return (
    <div className="history" aria-label={`History of ${path}`}>
      <h3 className="h-small">History of {path}</h3>
      {revisions.length === 0 ? (
        <p className="muted small">Nothing saved yet: this is the starter file.</p>
      ) : (
        <ol className="history-list">
          {revisions.map((r) => (
            <li key={r.revision}>
              Revision {r.revision} · {new Date(r.createdAt).toLocaleString()} · {r.bytes} bytes{r.source === "reset" ? " · reset to starter" : r.source === "terminal" ? " · changed in the terminal" : ""}{" "}
              <button type="button" className="button button-quiet" onClick={() => onRestore(r)}>
                Restore
              </button>
            </li>
          ))}
        </ol>
      )}
      <p className="muted small">The newest revisions of each file are kept, and every version you checked.</p>
      {hasOlder ? (
        <button type="button" className="button button-quiet" onClick={onShowOlder}>
          Show older revisions
        </button>
      ) : null}
      <button type="button" className="button button-quiet" onClick={onClose}>
        Close history
      </button>
    </div>
  );
}
