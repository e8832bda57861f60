// A lab step's setup (frontmatter `steps[].setup`, docs/lab-format.md "Steps"): when an attempt
// unlocks a step, its setup objects go into the learner's ready sandbox through the same code as
// the lab's own setup (lib/sandbox applySandboxSetup → applySetup, as the learner). A learner with
// no sandbox running gets them when the next one starts (lib/labs sandboxSetup), as after a reset.
// The lab page's check (lib/workspace checkLab) and labs:verify (self-test.ts) both call this.
import "server-only";
import type { ActingUser } from "@/lib/auth/acting-user";
import type { Database } from "@/lib/db/client";
import { stepSetupManifests, type Lab } from "@/lib/labs/registry";
import { applySandboxSetup } from "@/lib/sandbox/lifecycle";
import { liveSandboxForLab } from "@/lib/sandbox/queries";
import type { OnProgress, SandboxDeps } from "@/lib/sandbox/results";

export type StepSetupResult =
  /** `applied`: false when the step has no setup, or no sandbox was ready to take it (the next start applies it). */
  | { ok: true; applied: boolean }
  | { ok: false; code: string; error: string };

/** Applies the setup of step `stepId` (just unlocked) to the learner's ready sandbox for the lab. */
export async function applyStepSetup(
  db: Database,
  user: ActingUser,
  lab: Lab,
  stepId: string,
  onProgress: OnProgress = () => {},
  deps: SandboxDeps = {},
): Promise<StepSetupResult> {
  const setup = stepSetupManifests(lab, stepId);
  if (setup.length === 0) return { ok: true, applied: false };
  const sandbox = await liveSandboxForLab(db, user, lab.id);
  if (!sandbox || sandbox.state !== "ready") return { ok: true, applied: false };
  const result = await applySandboxSetup(db, user, sandbox.id, setup, onProgress, deps);
  if (!result.ok) return { ok: false, code: result.code, error: result.error };
  return { ok: true, applied: true };
}
