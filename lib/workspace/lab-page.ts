// What a lab page starts with, read once for both of them: the learner's (app/(learn)/labs/[labId])
// and the candidate's (app/(take)/take/[token]/labs/[labId]). The compiled instructions and the
// lab room's first state: the user's files, sandbox, attempts, last built image and whether the
// cluster can be had. Each page adds only what is its own (breadcrumbs; the assessment's timer and
// what its results policy lets the candidate see). A lab with steps also gets its steps in order,
// each done, current or locked; only done and current steps' text is compiled and sent, and the
// room's checks are the current step's.
import "server-only";
import path from "node:path";
import type { ActingUser } from "@/lib/auth/acting-user";
import { lastBuiltImage } from "@/lib/builds/queue";
import { compileMdx } from "@/lib/content/compile";
import type { Database } from "@/lib/db/client";
import type { Role } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { listAttempts, type AttemptDTO } from "@/lib/grading/attempts";
import { gradingPlan } from "@/lib/grading/steps";
import { availabilityFor, clusterAvailability } from "@/lib/k8s/availability";
import { listLabFiles } from "@/lib/labs/files";
import { currentStepIndex, labHasTerminal, publicChecks, starterFiles, type Lab } from "@/lib/labs/registry";
import { labSandbox } from "./index";
import { attemptView, sandboxView } from "./views";

export type StepState = "done" | "current" | "locked";

/** One step as the lab page shows it. `instructions` (compiled MDX) is null for a locked step: its text is never sent. */
export type LabStepView = {
  id: string;
  title: string;
  state: StepState;
  points: number;
  /** Points earned on the step: all of them once done; for the current step, what the newest attempt of it earned. */
  earned: number;
  instructions: string | null;
  /** For a locked step: the step to complete first. */
  after: string | null;
};

const mdxCache = () => path.join(env.ACADEMY_DATA_DIR, "cache", "mdx");

/**
 * The lab's steps for a learner whose newest attempt is `last` (its signed completedSteps are their
 * progress): the current one is the first not completed; once all are, none is current.
 */
export async function labStepsView(lab: Lab, last: AttemptDTO | null): Promise<LabStepView[]> {
  const completed = new Set(last?.completedSteps ?? []);
  const current = currentStepIndex(lab, [...completed]);
  return Promise.all(
    lab.steps.map(async (step, i): Promise<LabStepView> => {
      const state: StepState = completed.has(step.id) ? "done" : i === current ? "current" : "locked";
      const earned =
        state === "done" ? step.points : state === "current" && last?.step === step.id ? last.results.reduce((sum, r) => sum + r.earned, 0) : 0;
      const instructions = state === "locked" ? null : (await compileMdx(step.body, { file: step.file, cacheDir: mdxCache() })).code;
      return { id: step.id, title: step.title, state, points: step.points, earned, instructions, after: state === "locked" ? lab.steps[i - 1]!.title : null };
    }),
  );
}

/**
 * The lab page's data for this user; `room` is the lab room's props. The user's role decides how
 * much the cluster's state says (an admin sees what is wrong; anyone else words and a request id).
 * Null when there is no such lab, which callers have already ruled out with getLab.
 */
export async function labPageView(db: Database, user: ActingUser & { role: Role }, lab: Lab) {
  const [files, sandbox, attempts, instructions, availability, lastImage] = await Promise.all([
    listLabFiles(db, user, lab.id),
    lab.sandbox ? labSandbox(db, user, lab.id) : Promise.resolve(null),
    listAttempts(db, user, lab.id),
    compileMdx(lab.body, { file: lab.file, cacheDir: mdxCache() }),
    lab.sandbox ? clusterAvailability({ needsRealNode: lab.workloads === "real" }) : Promise.resolve({ state: "ready" as const, server: "" }),
    lab.build ? lastBuiltImage(db, user, lab.id) : Promise.resolve(null),
  ]);
  if (!Array.isArray(files)) return null;
  const starter = starterFiles(lab);
  const steps = await labStepsView(lab, attempts[0] ?? null);
  // The checks the next "Check my work" runs: the current step's (the last step's once all are done).
  const plan = gradingPlan(lab, attempts[0]?.completedSteps ?? []);
  return {
    instructions: instructions.code,
    steps,
    room: {
      labId: lab.id,
      files: files.map((f) => ({
        path: f.path,
        language: f.language,
        readonly: f.readonly,
        apply: f.apply,
        content: f.content,
        starter: starter[f.path] ?? "",
        revision: f.revision,
      })),
      hasSandbox: Boolean(lab.sandbox),
      availability: availabilityFor(availability, user),
      initialSandbox: sandbox ? sandboxView(sandbox) : null,
      checks: publicChecks(plan),
      stepTitle: plan.step?.title ?? null,
      initialAttempts: attempts.map(attemptView),
      buildsImage: lab.build !== null,
      lastImage,
      hasTerminal: labHasTerminal(lab),
    },
  };
}
