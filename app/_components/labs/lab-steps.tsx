// The steps of a lab with `steps:` (docs/lab-format.md, "Steps"), in order, each with its title,
// state (done, current, locked) and points; the text of done and current steps, compiled on the
// server. A locked step's text never reaches the page (lib/workspace labPageView sends none), so
// only its title shows. Server component: the learner's and the candidate's lab pages use it.
import { MdxContent } from "@/app/_components/mdx/mdx-content";
import type { LabStepView } from "@/lib/workspace/lab-page";

const STATE_LABEL: Record<LabStepView["state"], string> = { done: "Done", current: "Current step", locked: "Locked" };

export function LabSteps({ steps, siteLinks = true }: { steps: LabStepView[]; siteLinks?: boolean }) {
  if (steps.length === 0) return null;
  const done = steps.filter((s) => s.state === "done").length;
  return (
    <section className="lab-steps stack-tight" aria-labelledby="steps-heading">
      <h2 id="steps-heading">
        Steps <span className="muted small">({done} of {steps.length} done)</span>
      </h2>
      <ol className="lab-step-list">
        {steps.map((step, i) => (
          <li key={step.id} className={`lab-step lab-step-${step.state}`} data-testid={`step-${step.id}`} aria-current={step.state === "current" ? "step" : undefined}>
            <div className="lab-step-head">
              <span className="lab-step-state">{STATE_LABEL[step.state]}</span>
              <h3 className="lab-step-title">
                {i + 1}. {step.title}
              </h3>
              <span className="muted small">{stepPointsText(step)}</span>
            </div>
            {step.instructions !== null ? (
              <div className="lab-step-body">
                <MdxContent code={step.instructions} siteLinks={siteLinks} />
              </div>
            ) : (
              <p className="muted small lab-step-body">Locked: complete “{step.after}” first.</p>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}

export function stepPointsText(step: Pick<LabStepView, "state" | "points" | "earned">): string {
  return step.state === "current" ? `${step.earned} of ${step.points} pts` : `${step.points} pts`;
}
