import type { Metadata } from "next";
import Link from "next/link";
import { CandidateIntroduction } from "@/app/_components/assessments/candidate-introduction";
import { AssessmentRecorder } from "@/app/_components/assessments/recorder/assessment-recorder";
import { StartForm } from "@/app/_components/assessments/take-controls";
import { formatMoment } from "@/lib/assessments/gate";
import { candidatePageState } from "../candidate-state";
import { AssessmentBar, Grading, TakeRefusal } from "../take-pages";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Assessment", robots: { index: false, follow: false } };

type Params = { params: Promise<{ token: string }> };

/**
 * The candidate's link: the introduction and Start before it is started, then the overview of the
 * labs with the timer and Submit, and a page for each link that cannot be used here.
 */
export default async function TakePage({ params }: Params) {
  const { token } = await params;
  const now = new Date();
  const state = await candidatePageState(token, now);
  if (!state.ok) return <TakeRefusal token={token} state={state} />;
  if (state.state === "not-started") {
    const { invite } = state.lookup;
    const settings = invite.version.settings;
    return (
      <section className="stack">
        <CandidateIntroduction view={{ ...settings, organisationName: invite.organisationName }} />
        <p className="muted small">
          This invite is for {invite.name}. Start before {formatMoment(invite.expiresAt)}. Starting signs this browser in for the assessment only.
        </p>
        <StartForm token={token} />
      </section>
    );
  }
  const { session } = state;
  if (session.status === "grading") return <Grading />;
  return (
    <div className="stack">
      <AssessmentBar session={session} serverNow={now} overview />
      <AssessmentRecorder />
      <h1>{session.settings.title}</h1>
      <p>
        Your deadline is {formatMoment(session.deadlineAt)}. Your files are saved as you type; when the time is up, your work is submitted as it is.
      </p>
      <ol className="stack-tight">
        {session.settings.labs.map((lab) => (
          <li key={lab.labId}>
            <Link href={`/take/${token}/labs/${lab.labId}`}>{lab.title}</Link> <span className="muted small">about {lab.minutes} minutes</span>
          </li>
        ))}
      </ol>
    </div>
  );
}
