import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { AssessmentLabRoom } from "@/app/_components/assessments/recorder/assessment-recorder";
import { LabSteps } from "@/app/_components/labs/lab-steps";
import { MdxContent } from "@/app/_components/mdx/mdx-content";
import { TerminalCommands } from "@/app/_components/mdx/terminal-commands";
import { candidateResultsPolicy, labInVersion } from "@/lib/assessments/gate";
import { getDb } from "@/lib/db";
import { getLab } from "@/lib/labs/registry";
import { labPageView } from "@/lib/workspace/lab-page";
import { attemptForPolicy } from "@/lib/workspace/views";
import { candidatePageState } from "../../../candidate-state";
import { AssessmentBar, Grading, TakeRefusal } from "../../../take-pages";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Assessment lab", robots: { index: false, follow: false } };

type Params = { params: Promise<{ token: string; labId: string }> };

/**
 * A lab of the candidate's assessment: the lab page's own pieces (instructions, LabRoom) in an
 * assessment mode: the timer and Submit always in view, no links to the course, check results and
 * hints only as the assessment allows, and the recorder (pastes, focus, active time; decision 017). Only the labs of the candidate's version exist here; every
 * change the page makes goes through lib/workspace, whose gate holds the deadline.
 */
export default async function AssessmentLabPage({ params }: Params) {
  const { token, labId } = await params;
  const now = new Date();
  const state = await candidatePageState(token, now);
  if (!state.ok) return <TakeRefusal token={token} state={state} />;
  if (state.state === "not-started") notFound();
  const { session } = state;
  if (session.status === "grading") return <Grading />;
  const lab = labInVersion(session.settings, labId) ? getLab(labId) : null;
  if (!lab) notFound();
  // A candidate is never an admin: the cluster's state comes in words, with a request id.
  const user = { id: session.userId, role: "candidate" as const };
  const db = await getDb();
  const [view, policy] = await Promise.all([labPageView(db, user, lab), candidateResultsPolicy(db, user)]);
  if (!view) notFound();

  return (
    <div className="stack">
      <AssessmentBar session={session} serverNow={now} />
      <div className="lab-layout">
        {/* Runnable code blocks in the text send their commands to the lab room's terminal. */}
        <TerminalCommands hasTerminal={view.room.hasTerminal}>
          <article className="lab-instructions stack">
            <h1>{lab.title}</h1>
            <p className="lead">{lab.summary}</p>
            <p className="small muted">
              about {lab.minutes} minutes · {lab.steps.length ? `${lab.steps.length} steps, ` : ""}
              {lab.checks.length} checks
              {lab.sandbox ? ` · ${lab.sandbox} sandbox` : " · no cluster needed"}
            </p>
            <MdxContent code={view.instructions} siteLinks={false} />
            {/* A step's completion is what unlocks the next, so it shows even when results are hidden; its points do not. */}
            <LabSteps steps={policy?.showResults === false ? view.steps.map((s) => ({ ...s, earned: 0 })) : view.steps} siteLinks={false} />
          </article>
          <AssessmentLabRoom
            {...view.room}
            initialAttempts={view.room.initialAttempts.map((a) => attemptForPolicy(a, policy))}
            resultsHidden={policy?.showResults === false}
          />
        </TerminalCommands>
      </div>
    </div>
  );
}
