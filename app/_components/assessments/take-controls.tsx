"use client";

// The candidate's controls: Start (or Continue), Submit with a confirmation, the timer and the
// wait while the submission is graded. The timer counts to the deadline the server fixed, using
// the server's clock as sent with the page: a browser whose clock is wrong shows the right time.
import { useRouter } from "next/navigation";
import { useActionState, useEffect, useState } from "react";
import { startAction, submitAction, type TakeActionState } from "@/app/(take)/take/actions";
import { clockSkewMs, timeLeftMs, timeLeftText } from "./timer-math";

const INITIAL: TakeActionState = { error: "" };

export function StartForm({ token, label = "Start the assessment" }: { token: string; label?: string }) {
  // The navigation happens here, not in an effect: the action's answer also brings the started
  // page, which no longer holds this form, so an effect of this component would never run.
  const [state, start, starting] = useActionState(async (previous: TakeActionState, form: FormData) => {
    const next = await startAction(previous, form);
    if (next.signedIn) window.location.assign(next.signedIn);
    return next;
  }, INITIAL);
  return (
    <form action={start} className="stack-tight">
      <input type="hidden" name="token" value={token} />
      <p>
        <button type="submit" className="button" disabled={starting || !!state.signedIn}>
          {starting || state.signedIn ? "Starting…" : label}
        </button>
      </p>
      <p role="alert" className="form-error">
        {state.error}
      </p>
    </form>
  );
}

export function SubmitForm({ token }: { token: string }) {
  const [state, submit, submitting] = useActionState(submitAction, INITIAL);
  const [confirming, setConfirming] = useState(false);
  return (
    <form action={submit} className="stack-tight">
      <input type="hidden" name="token" value={token} />
      {confirming ? (
        <div className="inline-form" role="group" aria-label="Confirm the submission">
          <span>Submit now? Your files are frozen and graded; nothing can be changed afterwards.</span>
          <button type="submit" className="button button-danger" disabled={submitting}>
            {submitting ? "Submitting and grading…" : "Yes, submit"}
          </button>
          <button type="button" className="button button-quiet" disabled={submitting} onClick={() => setConfirming(false)}>
            Keep working
          </button>
        </div>
      ) : (
        <button type="button" className="button" onClick={() => setConfirming(true)}>
          Submit the assessment
        </button>
      )}
      <p role="alert" className="form-error">
        {state.error}
      </p>
    </form>
  );
}

/** Time left until `deadlineAt`, by the server's clock (`serverNow` is the server's time when the page was made). */
export function AssessmentTimer({ deadlineAt, serverNow }: { deadlineAt: string; serverNow: string }) {
  const router = useRouter();
  const deadline = new Date(deadlineAt).getTime();
  // The browser's clock minus the server's, measured once when the page arrives.
  const [skew] = useState(() => clockSkewMs(new Date(serverNow), Date.now()));
  const [left, setLeft] = useState(() => deadline - new Date(serverNow).getTime());
  useEffect(() => {
    const tick = () => setLeft(timeLeftMs(new Date(deadline), Date.now(), skew));
    tick();
    const timer = setInterval(tick, 1000);
    return () => clearInterval(timer);
  }, [deadline, skew]);
  const up = left <= 0;
  useEffect(() => {
    // At the deadline the server submits; the page then shows it.
    if (!up) return;
    const refresh = setTimeout(() => router.refresh(), 2000);
    return () => clearTimeout(refresh);
  }, [up, router]);
  return (
    <p className="assessment-timer" role="timer" aria-live="off" data-testid="assessment-timer">
      {up ? (
        <strong>Time is up: your work is being submitted.</strong>
      ) : (
        <>
          Time left: <strong>{timeLeftText(left)}</strong>
        </>
      )}
    </p>
  );
}

/** While the submission is graded: asks the server again every few seconds. */
export function RefreshWhileGrading() {
  const router = useRouter();
  useEffect(() => {
    const timer = setInterval(() => router.refresh(), 3000);
    return () => clearInterval(timer);
  }, [router]);
  return null;
}

