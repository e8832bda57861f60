// Pieces the candidate's pages share: the page for a link that cannot be used (each case says
// what to do), and the bar with the timer and Submit that stays at the top of every page.
import Link from "next/link";
import type { CandidateSession, SessionLookup } from "@/lib/assessments/candidate-session";
import { formatMoment } from "@/lib/assessments/gate";
import { AssessmentTimer, RefreshWhileGrading, StartForm, SubmitForm } from "@/app/_components/assessments/take-controls";

const TITLES: Record<string, string> = {
  unknown: "This link does not work",
  expired: "This invite has expired",
  revoked: "This invite was withdrawn",
  used: "This assessment has been submitted",
  "other-browser": "This assessment is open in another browser",
  "signed-out": "Continue your assessment",
};

/** A link that cannot open the assessment here, or (signed-out) one that can after Continue. */
export function TakeRefusal({ token, state }: { token: string; state: Exclude<SessionLookup, { ok: true }> }) {
  return (
    <section className="stack" aria-labelledby="take-title">
      <h1 id="take-title">{TITLES[state.code] ?? "This link cannot be used"}</h1>
      <p>{state.error}</p>
      {state.code === "used" ? <p className="muted">Submitted at {formatMoment(state.submittedAt)}. Whoever invited you has your work and its results; you can close this page.</p> : null}
      {state.code === "signed-out" ? <StartForm token={token} label="Continue" /> : null}
      {state.code === "other-browser" ? (
        <p className="muted small">If you started in another tab of this browser a moment ago, reload this page.</p>
      ) : null}
    </section>
  );
}

/** The bar at the top of each of the candidate's pages: the timer, the way back to the overview, Submit. */
export function AssessmentBar({ session, serverNow, overview = false }: { session: CandidateSession; serverNow: Date; overview?: boolean }) {
  return (
    <div className="assessment-bar" role="region" aria-label="Assessment">
      <span>
        <strong>{session.settings.title}</strong>
        {overview ? null : (
          <>
            {" · "}
            <Link href={`/take/${session.token}`}>All labs of the assessment</Link>
          </>
        )}
      </span>
      <AssessmentTimer deadlineAt={session.deadlineAt.toISOString()} serverNow={serverNow.toISOString()} />
      <SubmitForm token={session.token} />
    </div>
  );
}

/** The submission is being graded: the page asks again until it is done. */
export function Grading() {
  return (
    <section className="stack" aria-live="polite">
      <h1>Your work is being submitted</h1>
      <p>Your files are frozen and each lab is graded one last time. This takes a moment; this page updates by itself.</p>
      <RefreshWhileGrading />
    </section>
  );
}
