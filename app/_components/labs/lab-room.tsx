"use client";

// The working half of a lab page: the learner's files in an editor (autosaved, with history and
// reset), the lab environment (start / extend / reset / stop, kubeconfig), "Apply to sandbox" and
// "Check my work" with results streamed check by check.
import { useCallback, useEffect, useRef, useState } from "react";
import {
  applyAction,
  extendAction,
  historyAction,
  resetFileAction,
  saveFileAction,
  type RevisionView,
} from "@/app/(learn)/labs/[labId]/actions";
import { readNdjson } from "@/lib/http/ndjson";
import type { ApplyLabResult } from "@/lib/labs/workspace";
import type { AttemptView, CheckEvent, SandboxEvent, SandboxView } from "@/lib/labs/views";
import { InlineText } from "@/app/_components/inline-text";
import { CodeEditor } from "./code-editor";

export type LabFileView = {
  path: string;
  language: string;
  readonly: boolean;
  apply: boolean;
  content: string;
  starter: string;
  revision: number;
};

export type AvailabilityView =
  | { state: "ready" }
  | { state: "starting"; detail: string }
  | { state: "unavailable"; reason: string; howToFix: string[] };

type SaveState = { status: "saved" | "unsaved" | "saving" } | { status: "error"; error: string };
type CheckResult = AttemptView["results"][number];

const AUTOSAVE_MS = 800;

export function LabRoom({
  labId,
  files,
  hasSandbox,
  availability,
  initialSandbox,
  checks,
  initialAttempts,
}: {
  labId: string;
  files: LabFileView[];
  hasSandbox: boolean;
  availability: AvailabilityView;
  initialSandbox: SandboxView | null;
  checks: Array<{ id: string; title: string; points: number }>;
  initialAttempts: AttemptView[];
}) {
  const [active, setActive] = useState(files.find((f) => !f.readonly)?.path ?? files[0]?.path ?? "");
  const [contents, setContents] = useState<Record<string, string>>(() => Object.fromEntries(files.map((f) => [f.path, f.content])));
  const [saveStates, setSaveStates] = useState<Record<string, SaveState>>({});
  const timers = useRef(new Map<string, ReturnType<typeof setTimeout>>());
  const inflight = useRef(new Map<string, Promise<void>>());
  const latest = useRef(contents);
  const failedSaves = useRef(new Set<string>());

  const file = files.find((f) => f.path === active);

  const save = useCallback(
    async (path: string) => {
      const timer = timers.current.get(path);
      if (timer) clearTimeout(timer);
      timers.current.delete(path);
      const previous = inflight.current.get(path);
      if (previous) await previous;
      const content = latest.current[path] ?? "";
      setSaveStates((s) => ({ ...s, [path]: { status: "saving" } }));
      const run = (async () => {
        try {
          const result = await saveFileAction(labId, path, content);
          if (result.ok) failedSaves.current.delete(path);
          else failedSaves.current.add(path);
          setSaveStates((s) => ({
            ...s,
            [path]: result.ok
              ? latest.current[path] === content
                ? { status: "saved" }
                : { status: "unsaved" }
              : { status: "error", error: result.error },
          }));
        } catch {
          failedSaves.current.add(path);
          setSaveStates((s) => ({ ...s, [path]: { status: "error", error: "Could not reach the server; your change is kept here and will be saved on the next edit." } }));
        }
      })();
      inflight.current.set(path, run);
      await run;
      inflight.current.delete(path);
    },
    [labId],
  );

  function edit(path: string, value: string) {
    latest.current = { ...latest.current, [path]: value };
    setContents(latest.current);
    setSaveStates((s) => ({ ...s, [path]: { status: "unsaved" } }));
    const timer = timers.current.get(path);
    if (timer) clearTimeout(timer);
    timers.current.set(path, setTimeout(() => void save(path), AUTOSAVE_MS));
  }

  /** Saves every file with pending edits; true when all of them are stored. */
  async function flush(): Promise<boolean> {
    const pending = [...timers.current.keys()];
    await Promise.all(pending.map((p) => save(p)));
    await Promise.all([...inflight.current.values()]);
    return failedSaves.current.size === 0;
  }

  // Leaving with unsaved edits: the browser asks first.
  useEffect(() => {
    function beforeUnload(event: BeforeUnloadEvent) {
      if (timers.current.size > 0 || inflight.current.size > 0) event.preventDefault();
    }
    window.addEventListener("beforeunload", beforeUnload);
    return () => window.removeEventListener("beforeunload", beforeUnload);
  }, []);

  // ---- history and reset
  const [history, setHistory] = useState<{ path: string; revisions: RevisionView[] } | null>(null);
  const [historyError, setHistoryError] = useState("");

  async function showHistory() {
    if (!file) return;
    await flush();
    setHistoryError("");
    const result = await historyAction(labId, file.path);
    if (result.ok) setHistory({ path: file.path, revisions: result.revisions });
    else setHistoryError(result.error);
  }

  async function resetFile() {
    if (!file || file.readonly) return;
    if (!window.confirm(`Replace ${file.path} with the starter version? Your current version stays in the history.`)) return;
    await flush();
    const result = await resetFileAction(labId, file.path);
    if (result.ok) {
      latest.current = { ...latest.current, [file.path]: file.starter };
      setContents(latest.current);
      setSaveStates((s) => ({ ...s, [file.path]: { status: "saved" } }));
      setHistory(null);
    } else {
      setSaveStates((s) => ({ ...s, [file.path]: { status: "error", error: result.error } }));
    }
  }

  function restore(revision: RevisionView) {
    if (!history) return;
    edit(history.path, revision.content);
    setActive(history.path);
    setHistory(null);
  }

  // ---- sandbox
  const [sandbox, setSandbox] = useState<SandboxView | null>(initialSandbox);
  const [sandboxSteps, setSandboxSteps] = useState<string[]>([]);
  const [sandboxBusy, setSandboxBusy] = useState(false);
  const [sandboxError, setSandboxError] = useState("");

  async function sandboxAction(action: "start" | "reset" | "stop") {
    if (action === "stop" && !window.confirm("Stop the lab environment? Everything in its namespace is deleted; your files are kept.")) return;
    if (action === "reset" && !window.confirm("Reset the lab environment? Everything you applied is deleted; your files are kept.")) return;
    setSandboxBusy(true);
    setSandboxSteps([]);
    setSandboxError("");
    try {
      const response = await fetch(`/api/labs/${labId}/sandbox`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ action }),
      });
      if (!response.ok) {
        const body = (await response.json().catch(() => ({}))) as { error?: string };
        setSandboxError(body.error ?? `The server answered ${response.status}.`);
        return;
      }
      await readNdjson<SandboxEvent>(response, (event) => {
        if (event.type === "progress") setSandboxSteps((steps) => [...steps, event.step]);
        else if (event.type === "done") setSandbox(event.sandbox);
        else setSandboxError(event.error);
      });
    } catch {
      setSandboxError("Lost the connection to the server. Reload the page to see the environment's state.");
    } finally {
      setSandboxBusy(false);
    }
  }

  async function extend() {
    setSandboxError("");
    const result = await extendAction(labId);
    if (result.ok) setSandbox(result.sandbox);
    else setSandboxError(result.error);
  }

  // ---- apply
  const [applying, setApplying] = useState(false);
  const [applyResult, setApplyResult] = useState<ApplyLabResult | null>(null);

  async function apply() {
    setApplying(true);
    setApplyResult(null);
    try {
      if (!(await flush())) {
        setApplyResult({ ok: false, error: "Some files could not be saved (see above); fix that first." });
        return;
      }
      setApplyResult(await applyAction(labId));
    } catch {
      setApplyResult({ ok: false, error: "Lost the connection to the server; try again." });
    } finally {
      setApplying(false);
    }
  }

  // ---- grading
  const [grading, setGrading] = useState(false);
  const [liveChecks, setLiveChecks] = useState<Array<{ id: string; title: string; points: number }>>([]);
  const [liveResults, setLiveResults] = useState<CheckResult[]>([]);
  const [gradeError, setGradeError] = useState("");
  const [attempts, setAttempts] = useState<AttemptView[]>(initialAttempts);
  const lastAttempt = attempts[0] ?? null;

  async function checkWork() {
    setGrading(true);
    setGradeError("");
    setLiveResults([]);
    setLiveChecks(checks);
    try {
      if (!(await flush())) {
        setGradeError("Some files could not be saved (see above); fix that first.");
        return;
      }
      const response = await fetch(`/api/labs/${labId}/check`, { method: "POST" });
      if (!response.ok) {
        const body = (await response.json().catch(() => ({}))) as { error?: string };
        setGradeError(body.error ?? `The server answered ${response.status}.`);
        return;
      }
      await readNdjson<CheckEvent>(response, (event) => {
        if (event.type === "started") setLiveChecks(event.checks);
        else if (event.type === "check") setLiveResults((r) => [...r, event.result]);
        else if (event.type === "done") setAttempts((a) => [event.attempt, ...a]);
        else setGradeError(event.error);
      });
    } catch {
      setGradeError("Lost the connection to the server; your files are saved. Try again.");
    } finally {
      setGrading(false);
    }
  }

  const shownResults = grading || liveResults.length > 0 ? liveResults : (lastAttempt?.results ?? []);
  const saveState = file ? saveStates[file.path] : undefined;
  const sandboxReady = sandbox?.state === "ready";

  return (
    <div className="lab-room stack">
      {hasSandbox ? (
        <section className="card stack-tight" aria-labelledby="env-heading">
          <h2 id="env-heading" className="h-small">
            Lab environment
          </h2>
          <SandboxStatus
            availability={availability}
            sandbox={sandbox}
            busy={sandboxBusy}
            labId={labId}
            onStart={() => void sandboxAction("start")}
            onReset={() => void sandboxAction("reset")}
            onStop={() => void sandboxAction("stop")}
            onExtend={() => void extend()}
          />
          {sandboxSteps.length > 0 ? (
            <ol className="progress-steps" aria-label="Progress" aria-live="polite">
              {sandboxSteps.map((step, i) => (
                <li key={`${i}-${step}`}>{step}</li>
              ))}
            </ol>
          ) : null}
          {sandboxError ? (
            <p className="form-error" role="alert">
              {sandboxError}
            </p>
          ) : null}
        </section>
      ) : null}

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
                {f.readonly ? " (read-only)" : saveStates[f.path]?.status === "unsaved" || saveStates[f.path]?.status === "saving" ? " •" : ""}
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
              readOnly={file.readonly}
              label={`${file.path}${file.readonly ? " (read-only)" : ""}`}
              onChange={(value) => edit(file.path, value)}
            />
          </div>
        ) : null}
        <div className="lab-editor-actions">
          <span role="status" className={saveState?.status === "error" ? "field-error" : "muted small"} data-testid="save-status">
            {file?.readonly
              ? "Read-only: provided for context."
              : saveState?.status === "error"
                ? `Not saved: ${saveState.error}`
                : saveState?.status === "saving"
                  ? "Saving…"
                  : saveState?.status === "unsaved"
                    ? "Unsaved changes"
                    : "All changes saved"}
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
        {historyError ? <p className="field-error">{historyError}</p> : null}
        {history ? (
          <div className="history" aria-label={`History of ${history.path}`}>
            <h3 className="h-small">History of {history.path}</h3>
            {history.revisions.length === 0 ? (
              <p className="muted small">Nothing saved yet: this is the starter file.</p>
            ) : (
              <ol className="history-list">
                {history.revisions.map((r) => (
                  <li key={r.revision}>
                    Revision {r.revision} · {new Date(r.createdAt).toLocaleString()} · {r.bytes} bytes{r.source === "reset" ? " · reset to starter" : ""}{" "}
                    <button type="button" className="button button-quiet" onClick={() => restore(r)}>
                      Restore
                    </button>
                  </li>
                ))}
              </ol>
            )}
            <button type="button" className="button button-quiet" onClick={() => setHistory(null)}>
              Close history
            </button>
          </div>
        ) : null}
      </section>

      <section className="lab-actions">
        {hasSandbox ? (
          <button type="button" className="button button-quiet" onClick={() => void apply()} disabled={applying || !sandboxReady} title={sandboxReady ? undefined : "Start your lab environment first"}>
            {applying ? "Applying…" : "Apply to sandbox"}
          </button>
        ) : null}
        <button type="button" className="button" onClick={() => void checkWork()} disabled={grading}>
          {grading ? "Checking…" : "Check my work"}
        </button>
      </section>

      {applyResult ? <ApplyResults result={applyResult} /> : null}

      <section className="stack-tight" aria-labelledby="results-heading" aria-busy={grading}>
        <h2 id="results-heading">Checks</h2>
        {gradeError ? (
          <p className="form-error" role="alert">
            {gradeError}
          </p>
        ) : null}
        {grading ? (
          <p role="status" className="muted">
            Checking your work: {liveResults.length} of {liveChecks.length} checks done…
          </p>
        ) : lastAttempt && liveResults.length === 0 ? (
          <p className="muted small">Your last attempt, {new Date(lastAttempt.createdAt).toLocaleString()}:</p>
        ) : null}
        <ol className="check-list">
          {(grading && liveChecks.length ? liveChecks : checks).map((check) => {
            const result = shownResults.find((r) => r.id === check.id);
            return <CheckRow key={check.id} check={check} result={result} pending={grading && !result} />;
          })}
        </ol>
        {!grading && (liveResults.length > 0 || lastAttempt) && attempts[0] ? (
          <p className={attempts[0].completed ? "score score-complete" : "score"} role="status" data-testid="score">
            Score: {attempts[0].score} of {attempts[0].maxScore} points
            {attempts[0].completed ? " — lab complete. Well done." : ` — ${attempts[0].results.filter((r) => r.status === "pass").length} of ${attempts[0].results.length} checks pass.`}
          </p>
        ) : null}
      </section>

      {attempts.length > 0 ? (
        <section aria-labelledby="attempts-heading">
          <h2 id="attempts-heading" className="h-small">
            Attempt history
          </h2>
          <table className="table small">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">When</th>
                <th scope="col">Score</th>
                <th scope="col">Files</th>
              </tr>
            </thead>
            <tbody>
              {attempts.map((a) => (
                <tr key={a.id}>
                  <td>{a.seq}</td>
                  <td>{new Date(a.createdAt).toLocaleString()}</td>
                  <td>
                    {a.score}/{a.maxScore}
                    {a.completed ? " ✓" : ""}
                  </td>
                  <td>
                    <code title="SHA-256 of the files graded">{a.filesSha256.slice(0, 12)}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
    </div>
  );
}

function SandboxStatus({
  availability,
  sandbox,
  busy,
  labId,
  onStart,
  onReset,
  onStop,
  onExtend,
}: {
  availability: AvailabilityView;
  sandbox: SandboxView | null;
  busy: boolean;
  labId: string;
  onStart: () => void;
  onReset: () => void;
  onStop: () => void;
  onExtend: () => void;
}) {
  const now = useNow(15_000);
  if (!sandbox) {
    if (availability.state === "unavailable") {
      return (
        <div className="stack-tight" role="status">
          <p>{availability.reason}</p>
          <ul>
            {availability.howToFix.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
          <p className="small muted">You can still edit your files; they are saved.</p>
        </div>
      );
    }
    return (
      <div className="stack-tight">
        {availability.state === "starting" ? (
          <p className="muted small" role="status">
            The local cluster is still starting: {availability.detail}
          </p>
        ) : (
          <p className="small">You get your own Kubernetes namespace for this lab. Nobody else can see or change it.</p>
        )}
        <p>
          <button type="button" className="button" onClick={onStart} disabled={busy}>
            {busy ? "Starting…" : "Start lab environment"}
          </button>
        </p>
      </div>
    );
  }
  const minutesLeft = Math.max(0, Math.round((new Date(sandbox.expiresAt).getTime() - now) / 60_000));
  return (
    <div className="stack-tight">
      <p data-testid="sandbox-state">
        <strong>{sandbox.state === "ready" ? "Ready" : sandbox.state === "provisioning" ? "Starting…" : sandbox.state}</strong> · namespace{" "}
        <code>{sandbox.namespace}</code> · {minutesLeft} minutes left
      </p>
      {sandbox.error ? <p className="field-error">{sandbox.error}</p> : null}
      <p className="lab-env-actions">
        <button type="button" className="button button-quiet" onClick={onExtend} disabled={busy}>
          Extend 30 minutes
        </button>
        <button type="button" className="button button-quiet" onClick={onReset} disabled={busy}>
          Reset
        </button>
        <button type="button" className="button button-quiet" onClick={onStop} disabled={busy}>
          Stop
        </button>
        <a className="button button-quiet" href={`/api/labs/${labId}/kubeconfig`} download>
          Download kubeconfig
        </a>
      </p>
    </div>
  );
}

function useNow(intervalMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

function CheckRow({ check, result, pending }: { check: { id: string; title: string; points: number }; result?: CheckResult; pending: boolean }) {
  const status = result?.status;
  const label = status === "pass" ? "Passed" : status === "fail" ? "Failed" : status === "error" ? "Check error" : pending ? "Waiting" : "Not run";
  return (
    <li className={`check-row check-${status ?? "none"}`} data-testid={`check-${check.id}`}>
      <div className="check-head">
        <span className="check-status">{label}</span>
        <span className="check-title">{check.title}</span>
        <span className="muted small">
          {result ? `${result.earned}/${check.points}` : check.points} pts
        </span>
      </div>
      {result && result.status !== "pass" ? (
        <div className="check-body">
          <p>
            <InlineText text={result.message} />
          </p>
          {result.details?.length ? (
            <ul className="small">
              {result.details.map((d) => (
                <li key={d}>
                  <InlineText text={d} />
                </li>
              ))}
            </ul>
          ) : null}
          {result.hints?.length ? (
            <div className="hints">
              <strong>Hint{result.hints.length > 1 ? "s" : ""}:</strong>
              <ul>
                {result.hints.map((h) => (
                  <li key={h}>
                    <InlineText text={h} />
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
        </div>
      ) : result ? (
        <p className="small muted check-body">{result.message}</p>
      ) : null}
    </li>
  );
}

function ApplyResults({ result }: { result: ApplyLabResult }) {
  if (!result.ok) {
    return (
      <p className="form-error" role="alert">
        {result.error}
      </p>
    );
  }
  return (
    <section className="card stack-tight" aria-label="Apply results" role="status">
      {result.files.map((f) => (
        <div key={f.path}>
          <p>
            <strong>{f.path}</strong>
            {f.ok ? "" : `: ${f.error}`}
          </p>
          {f.results?.length ? (
            <ul className="small apply-list">
              {f.results.map((r) => (
                <li key={`${r.document}-${r.kind}-${r.name}`} className={r.outcome === "applied" ? "apply-ok" : "apply-bad"}>
                  {r.kind}/{r.name} (document {r.document}, line {r.line}):{" "}
                  {r.outcome === "applied" ? "applied" : `rejected — ${r.message}${r.field ? ` [field ${r.field}]` : ""}`}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ))}
    </section>
  );
}
