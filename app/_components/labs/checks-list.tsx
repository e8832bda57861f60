// The "Checks" section: each check with its status, points and, when it did not pass, the reasons
// and hints; progress while grading runs; the score of the newest attempt between runs. In a lab
// with steps it lists the current step's checks only (the page passes those).
import { InlineText } from "@/app/_components/inline-text";
import type { AttemptView } from "@/lib/workspace/views";
import type { CheckResult, CheckSummary, CheckWaitingView } from "./types";

/** A waiting check's line: "Waiting for the rollout of model-server (12 s of 60 s)". */
export function waitingText(waiting: Pick<CheckWaitingView, "what" | "elapsedSeconds" | "seconds">): string {
  return `Waiting for ${waiting.what} (${waiting.elapsedSeconds} s of ${waiting.seconds} s)`;
}

export function ChecksList({
  grading,
  error,
  checks,
  results,
  waiting = {},
  showingLastAttempt,
  lastAttempt,
  progress = "",
  setupError = "",
  stepTitle = null,
}: {
  grading: boolean;
  error: string;
  /** What the server does after the checks (the next step's setup). */
  progress?: string;
  /** The next step's setup objects could not be applied. */
  setupError?: string;
  /** The current step's title, in a lab with steps. */
  stepTitle?: string | null;
  checks: CheckSummary[];
  results: CheckResult[];
  /** Checks that wait for a condition, by id (while grading runs). */
  waiting?: Record<string, CheckWaitingView>;
  showingLastAttempt: boolean;
  lastAttempt: AttemptView | null;
}) {
  // The status line names what is waited for (once, not every tick: it is a live region).
  const waitingFor = checks.flatMap((c) => (waiting[c.id] ? [`${waiting[c.id]!.what} (up to ${waiting[c.id]!.seconds} s)`] : []));
  return (
    <section className="stack-tight" aria-labelledby="results-heading" aria-busy={grading}>
      <h2 id="results-heading">{stepTitle ? `Checks of this step: ${stepTitle}` : "Checks"}</h2>
      {error || setupError ? (
        <p className="form-error" role="alert">
          {error || setupError}
        </p>
      ) : null}
      {grading ? (
        <p role="status" className="muted">
          {progress || (
            <>
              Checking your work: {results.length} of {checks.length} checks done…
              {waitingFor.length ? ` Waiting for ${waitingFor.join(", ")}.` : ""}
            </>
          )}
        </p>
      ) : showingLastAttempt && lastAttempt ? (
        <p className="muted small">Your last attempt, {new Date(lastAttempt.createdAt).toLocaleString()}:</p>
      ) : null}
      <ol className="check-list">
        {checks.map((check) => {
          const result = results.find((r) => r.id === check.id);
          return <CheckRow key={check.id} check={check} result={result} pending={grading && !result} waiting={result ? undefined : waiting[check.id]} />;
        })}
      </ol>
      {!grading && lastAttempt ? (
        <p className={lastAttempt.completed ? "score score-complete" : "score"} role="status" data-testid="score">
          {scoreText(lastAttempt)}
        </p>
      ) : null}
    </section>
  );
}

export function scoreText(attempt: Pick<AttemptView, "score" | "maxScore" | "completed" | "results" | "step" | "completedSteps">): string {
  const passed = attempt.results.filter((r) => r.status === "pass").length;
  const rest = attempt.completed
    ? " — lab complete. Well done."
    : attempt.step !== null && attempt.completedSteps.includes(attempt.step)
      ? " — step complete: the next step is open."
      : ` — ${passed} of ${attempt.results.length} checks${attempt.step !== null ? " of this step" : ""} pass.`;
  return `Score: ${attempt.score} of ${attempt.maxScore} points${rest}`;
}

export function checkLabel(status: CheckResult["status"] | undefined, pending: boolean): string {
  return status === "pass" ? "Passed" : status === "fail" ? "Failed" : status === "error" ? "Check error" : pending ? "Waiting" : "Not run";
}

function CheckRow({ check, result, pending, waiting }: { check: CheckSummary; result?: CheckResult; pending: boolean; waiting?: CheckWaitingView }) {
  const status = result?.status;
  return (
    <li className={`check-row check-${status ?? (waiting ? "waiting" : "none")}`} data-testid={`check-${check.id}`}>
      <div className="check-head">
        <span className="check-status">{checkLabel(status, pending)}</span>
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
      ) : waiting ? (
        <div className="check-body small" data-testid={`check-${check.id}-waiting`}>
          <p>{waitingText(waiting)}</p>
          <p className="muted">
            <InlineText text={waiting.message} />
          </p>
        </div>
      ) : null}
    </li>
  );
}
