// Grading a lab with ordered steps (docs/lab-format.md, "Steps"), pure: which checks an attempt
// runs, and what it records. A check grades the CURRENT step only (the first one not completed);
// when all its checks pass the step is completed for good (the attempt's signed completedSteps)
// and the next one unlocks. Earlier steps are not graded again: a scenario may create, then delete.
// A lab without steps is graded as one: every check, completed when all pass.
import type { CheckDefinition } from "@/lib/labs/define";
import { currentStepIndex, type Lab, type LabStep } from "@/lib/labs/registry";
import type { StoredCheckResult } from "@/lib/db/schema";

export type GradingPlan = {
  /** The step graded; null for a lab without steps. */
  step: LabStep | null;
  /** The lab's steps completed before this attempt, in step order (unknown ids dropped). */
  completedBefore: string[];
  /** The checks this attempt runs. */
  checks: readonly CheckDefinition[];
};

/** Known step ids of `completed`, in the lab's step order. */
function inStepOrder(lab: Pick<Lab, "steps">, completed: readonly string[]): string[] {
  const done = new Set(completed);
  return lab.steps.filter((s) => done.has(s.id)).map((s) => s.id);
}

/**
 * What an attempt grades, given the steps the learner completed (their newest attempt's record).
 * Once every step is completed, a check grades the last step again, so the learner still sees
 * their final state; nothing they completed is taken back.
 */
export function gradingPlan(lab: Pick<Lab, "steps" | "checks">, completed: readonly string[]): GradingPlan {
  if (lab.steps.length === 0) return { step: null, completedBefore: [], checks: lab.checks };
  const index = currentStepIndex(lab, completed);
  const step = lab.steps[index === -1 ? lab.steps.length - 1 : index]!;
  return { step, completedBefore: inStepOrder(lab, completed), checks: step.checks };
}

export type AttemptOutcome = {
  step: string | null;
  completedSteps: string[];
  score: number;
  completed: boolean;
  /** The step this attempt unlocked (the one after the step it completed), whose setup is now due; null for none. */
  unlocked: string | null;
};

/**
 * What the attempt records: the step graded, the steps completed after it, its score and whether
 * the lab is complete. With steps, the score is the points of every completed step plus what this
 * attempt earned on the current step if it did not complete it; the lab is complete when every
 * step is.
 */
export function attemptOutcome(lab: Pick<Lab, "steps">, plan: GradingPlan, results: readonly StoredCheckResult[]): AttemptOutcome {
  const earned = results.reduce((sum, r) => sum + r.earned, 0);
  const allPass = results.every((r) => r.status === "pass");
  if (!plan.step) return { step: null, completedSteps: [], score: earned, completed: allPass, unlocked: null };
  const stepDone = plan.completedBefore.includes(plan.step.id) || (allPass && results.length > 0);
  const completedSteps = stepDone ? inStepOrder(lab, [...plan.completedBefore, plan.step.id]) : plan.completedBefore;
  const done = new Set(completedSteps);
  const newly = stepDone && !plan.completedBefore.includes(plan.step.id);
  const next = lab.steps.find((s) => !done.has(s.id));
  const completedPoints = lab.steps.filter((s) => done.has(s.id)).reduce((sum, s) => sum + s.points, 0);
  return {
    step: plan.step.id,
    completedSteps,
    score: completedPoints + (stepDone ? 0 : earned),
    completed: lab.steps.every((s) => done.has(s.id)),
    unlocked: newly && next ? next.id : null,
  };
}
