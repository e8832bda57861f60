// lib/workspace is the learner's lab workspace as the lab page, its actions and its routes see it:
// one facade keyed by lab id over the sandbox (lib/sandbox), the saved files (lib/labs/files) and
// grading (lib/grading). Callers never handle sandbox ids: each function finds the learner's live
// sandbox for the lab itself. Files are read from the database, never from the request, so what
// is applied is exactly what is graded. Layering: lib/labs defines, lib/grading runs checks, this
// folder composes them for app/. Each change to the sandbox, each kubeconfig and each apply is
// counted against the learner's rate limit first (lib/rate-limit/limits.ts), so every caller is.
import "server-only";
import type { ActingUser } from "@/lib/auth/acting-user";
import type { Database } from "@/lib/db/client";
import { gradeAttempt, type GradeResult, type GradingDeps, type OnGradingEvent } from "@/lib/grading/grader";
import { currentFiles } from "@/lib/labs/files";
import { getLab } from "@/lib/labs/registry";
import { takeUserLimit, type RateLimited } from "@/lib/rate-limit/limits";
import { failure, type Failure } from "@/lib/result";
import { learnerKubeconfig } from "@/lib/sandbox/kubeconfig";
import { applyLearnerManifests, type ObjectResult } from "@/lib/sandbox/learner-apply";
import { extendSandbox, resetSandbox, resumeSandbox, startSandbox, stopSandbox } from "@/lib/sandbox/lifecycle";
import { liveSandboxForLab, type SandboxDTO } from "@/lib/sandbox/queries";
import type { OnProgress, SandboxDeps, SandboxFailureCode, SandboxResult } from "@/lib/sandbox/results";
import { sandboxWorkloads, type WorkloadsResult } from "@/lib/sandbox/workloads-view";

/**
 * The sandbox failures, plus: the lab has no sandbox, or the learner has none running for it, or
 * the learner did this too often (a `RateLimited`, which carries `retryAfterSeconds`).
 */
export type WorkspaceFailureCode = SandboxFailureCode | "no-sandbox" | "rate-limited";
export type WorkspaceFailure = Failure<Exclude<WorkspaceFailureCode, "rate-limited">> | RateLimited;

/** `sandbox` is null when the learner has no sandbox for the lab (any more), e.g. after stop. */
export type LabSandboxResult = { ok: true; sandbox: SandboxDTO | null } | WorkspaceFailure;

/** The learner's live sandbox for this lab (provisioning or ready), if any. */
export function labSandbox(db: Database, user: ActingUser, labId: string): Promise<SandboxDTO | null> {
  return liveSandboxForLab(db, user, labId);
}

/** A stopped (gone) sandbox is reported as none. */
function withoutGone(result: SandboxResult): LabSandboxResult {
  if (!result.ok) return result;
  return { ok: true, sandbox: result.sandbox.state === "gone" ? null : result.sandbox };
}

/**
 * Runs `action` on the learner's live sandbox for the lab; `whenNone` is the result when there
 * is none (a failure that says what to do, or "no sandbox" as a success).
 */
async function withLabSandbox<R>(
  db: Database,
  user: ActingUser,
  labId: string,
  whenNone: R | WorkspaceFailure,
  action: (sandbox: SandboxDTO) => Promise<R>,
): Promise<R | WorkspaceFailure> {
  const sandbox = await liveSandboxForLab(db, user, labId);
  return sandbox ? action(sandbox) : whenNone;
}

export type LabSandboxAction = "start" | "resume" | "reset" | "stop";

const ON_EXISTING = { resume: resumeSandbox, reset: resetSandbox, stop: stopSandbox };

/** A sandbox change that was admitted (the lab has a sandbox, the rate limit allowed it), ready to run. */
export type LabSandboxChange = { ok: true; run: (onProgress?: OnProgress) => Promise<LabSandboxResult> };

/**
 * Admits a change to the learner's sandbox for the lab, counting it against the learner's sandbox
 * limit; a refusal comes back before anything runs, so a streaming route can still answer with a
 * status (429 and `Retry-After`). `run` then does the change, reporting progress in words:
 * - start: starts it, or resumes the one the learner already has. The choice is made once, by
 *   startSandbox, inside the transaction that enforces the per-learner cap.
 * - resume: checks it is still there, repairs its platform objects and counts as activity.
 * - reset: deletes everything the learner made in it; with no sandbox there is nothing to reset.
 * - stop: deletes it and waits until it is gone; stopping when there is none succeeds.
 */
export async function beginLabSandboxChange(
  db: Database,
  user: ActingUser,
  labId: string,
  action: LabSandboxAction,
  deps: SandboxDeps = {},
): Promise<LabSandboxChange | WorkspaceFailure> {
  let run: LabSandboxChange["run"];
  if (action === "start") {
    const lab = getLab(labId);
    if (!lab) return failure("not-found", "This lab does not exist.");
    if (!lab.sandbox) return failure("no-sandbox", "This lab has no lab environment.");
    const input = { labId: lab.id, sizeProfile: lab.sandbox, placement: lab.workloads, ttlMinutes: lab.ttlMinutes ?? undefined };
    run = async (onProgress = () => {}) => withoutGone(await startSandbox(db, user, input, onProgress, deps));
  } else {
    const none: LabSandboxResult =
      action === "resume" ? failure("no-sandbox", "You have no lab environment for this lab. Start it first.") : { ok: true, sandbox: null };
    run = (onProgress = () => {}) =>
      withLabSandbox(db, user, labId, none, async (sandbox) => withoutGone(await ON_EXISTING[action](db, user, sandbox.id, onProgress, deps)));
  }
  const allowed = await takeUserLimit(db, "sandbox", user.id);
  return allowed.ok ? { ok: true, run } : allowed;
}

/** Admits and runs a change to the learner's sandbox for the lab (see `beginLabSandboxChange`). */
export async function changeLabSandbox(
  db: Database,
  user: ActingUser,
  labId: string,
  action: LabSandboxAction,
  onProgress: OnProgress = () => {},
  deps: SandboxDeps = {},
): Promise<LabSandboxResult> {
  const change = await beginLabSandboxChange(db, user, labId, action, deps);
  return change.ok ? change.run(onProgress) : change;
}

/** Gives the lab's sandbox 30 more minutes (never past 8 hours from its start). */
export async function extendLabSandbox(
  db: Database,
  user: ActingUser,
  labId: string,
  deps: SandboxDeps = {},
): Promise<SandboxResult | WorkspaceFailure> {
  const none = failure("no-sandbox", "There is no lab environment to extend.");
  return withLabSandbox(db, user, labId, none, (sandbox) => extendSandbox(db, user, sandbox.id, { minutes: 30 }, deps));
}

export type LabKubeconfigResult = { ok: true; kubeconfig: string; expiresAt: Date; fileName: string } | WorkspaceFailure;

/** A short-lived kubeconfig for the learner's own kubectl, scoped to the lab's sandbox. */
export async function labKubeconfig(db: Database, user: ActingUser, labId: string, deps: SandboxDeps = {}): Promise<LabKubeconfigResult> {
  const none = failure("no-sandbox", "Start your lab environment first.");
  const allowed = await takeUserLimit(db, "kubeconfig", user.id);
  if (!allowed.ok) return allowed;
  return withLabSandbox(db, user, labId, none, async (sandbox) => {
    const result = await learnerKubeconfig(db, user, sandbox.id, {}, deps);
    return result.ok ? { ...result, fileName: `${sandbox.namespace}.kubeconfig` } : result;
  });
}

/**
 * The learner's pods in the lab's sandbox, with their events, last log lines and what is wrong in
 * words, for the lab page's Workloads panel. Counted against the learner's own read limit (the
 * page reads every few seconds, far below it); reading is not activity on the sandbox.
 */
export async function labWorkloads(db: Database, user: ActingUser, labId: string, deps: SandboxDeps = {}): Promise<WorkloadsResult | WorkspaceFailure> {
  const none = failure("no-sandbox", "Start your lab environment to see your workloads.");
  const allowed = await takeUserLimit(db, "workloads", user.id);
  if (!allowed.ok) return allowed;
  return withLabSandbox(db, user, labId, none, (sandbox) => sandboxWorkloads(db, user, sandbox.id, deps));
}

export type FileApplyResult =
  | { path: string; ok: true; results: ObjectResult[] }
  | { path: string; ok: false; code: WorkspaceFailureCode; error: string; results?: ObjectResult[] };

export type ApplyLabResult = { ok: true; files: FileApplyResult[] } | WorkspaceFailure;

/** Failures that stop the whole apply: every further file would fail the same way. */
const STOPS_APPLY: ReadonlySet<WorkspaceFailureCode> = new Set(["cluster-unreachable", "not-ready", "not-found"]);

/** Applies every `apply: true` file of the lab, as saved, to the learner's sandbox, as the learner. */
export async function applyLabFiles(db: Database, user: ActingUser, labId: string, deps: SandboxDeps = {}): Promise<ApplyLabResult> {
  const lab = getLab(labId);
  if (!lab) return failure("not-found", "This lab does not exist.");
  if (!lab.sandbox) return failure("no-sandbox", "This lab has no sandbox: there is nothing to apply.");
  const none = failure("no-sandbox", "Start your lab environment first, then apply.");
  const allowed = await takeUserLimit(db, "apply", user.id);
  if (!allowed.ok) return allowed;
  return withLabSandbox(db, user, lab.id, none, async (sandbox): Promise<ApplyLabResult> => {
    const files = await currentFiles(db, user.id, lab);
    const out: FileApplyResult[] = [];
    for (const file of lab.files.filter((f) => f.apply)) {
      const text = files[file.path] ?? "";
      if (!text.trim()) {
        out.push({ path: file.path, ok: false, code: "invalid-input", error: "The file is empty: nothing to apply." });
        continue;
      }
      const result = await applyLearnerManifests(db, user, sandbox.id, text, deps);
      if (result.ok) out.push({ path: file.path, ok: true, results: result.results });
      else if (STOPS_APPLY.has(result.code)) return failure(result.code, result.error);
      else out.push({ path: file.path, ok: false, code: result.code, error: result.error });
    }
    return { ok: true, files: out };
  });
}

/**
 * Grades the learner's saved files (and sandbox) for the lab, reporting each check as it finishes.
 * An unreachable cluster comes back in words with a request id: the grader logs its account of it
 * (the cluster's address, the kubeconfig path) under that id.
 */
export function checkLab(
  db: Database,
  user: ActingUser,
  labId: string,
  onEvent?: OnGradingEvent,
  deps: GradingDeps = {},
): Promise<GradeResult> {
  return gradeAttempt(db, user, labId, onEvent, deps);
}
