// lib/workspace is the learner's lab workspace as the lab page, its actions and its routes see it:
// one facade keyed by lab id over the sandbox (lib/sandbox), the saved files (lib/labs/files) and
// grading (lib/grading). Callers never handle sandbox ids: each function finds the learner's live
// sandbox for the lab itself. Files are read from the database, never from the request, so what
// is applied is exactly what is graded. Layering: lib/labs defines, lib/grading runs checks, this
// folder composes them for app/. Each change to the sandbox, each kubeconfig and each apply is
// counted against the learner's rate limit first (lib/rate-limit/limits.ts), so every caller is.
// Every function that changes a lab (or hands out access to its sandbox) asks the assessment gate
// first (lib/assessments/gate.ts): for a candidate's hidden user it refuses labs outside the
// assessment and anything after the deadline or the submission, with nothing stored; for anyone
// else it lets everything through. Saves ask it inside their transaction.
import "server-only";
import { assessmentGate, type AssessmentGateFailure } from "@/lib/assessments/gate";
import type { ActingUser } from "@/lib/auth/acting-user";
import { beginImageBuild, type BuildDeps } from "@/lib/builds/service";
import type { Database } from "@/lib/db/client";
import { completedStepsOf } from "@/lib/grading/attempts";
import { gradeAttempt, type GradeResult, type GradingDeps, type GradingEvent } from "@/lib/grading/grader";
import { applyStepSetup } from "@/lib/grading/step-setup";
import { reportServerError } from "@/lib/http/server-error";
import { ClusterUnreachable, KubeApiError } from "@/lib/k8s/client";
import { currentFiles, resetToStarter, saveLabFiles, type SaveGuard, type SaveResult } from "@/lib/labs/files";
import { getLab, sandboxSetup, type Lab } from "@/lib/labs/registry";
import { takeUserLimit, type RateLimited } from "@/lib/rate-limit/limits";
import { failure, type Failure } from "@/lib/result";
import { learnerKubeconfig } from "@/lib/sandbox/kubeconfig";
import { applyLearnerManifests, type ObjectResult } from "@/lib/sandbox/learner-apply";
import { extendSandbox, resetSandbox, resumeSandbox, startSandbox, stopSandbox } from "@/lib/sandbox/lifecycle";
import { liveSandboxForLab, type SandboxDTO } from "@/lib/sandbox/queries";
import type { OnProgress, SandboxDeps, SandboxFailureCode, SandboxResult } from "@/lib/sandbox/results";
import { sandboxWorkloads, type WorkloadsResult } from "@/lib/sandbox/workloads-view";
import { ownedSandboxOnCluster } from "@/lib/sandbox/access";
import { clusterFailure } from "@/lib/sandbox/results";
import { ensureWorkspacePod, readWorkspacePod, WorkspaceNotStarted, type RunningWorkspace } from "@/lib/sandbox/workspace-pod";
import { WORKSPACE_CONTAINER, WORKSPACE_POD } from "@/lib/sandbox/workspace-manifest";
import { recordApply, type AppliedFile } from "./applies";
import { pushToWorkspace, seedWorkspace, syncFromWorkspace, type ImportedFile } from "./terminal-files";

/**
 * The sandbox failures, plus: the lab has no sandbox, or the learner has none running for it, or
 * the learner did this too often (a `RateLimited`, which carries `retryAfterSeconds`).
 */
export type WorkspaceFailureCode = SandboxFailureCode | "no-sandbox" | "no-workspace" | "rate-limited" | "assessment-closed";
export type WorkspaceFailure = Failure<Exclude<WorkspaceFailureCode, "rate-limited">> | RateLimited;

/** `sandbox` is null when the learner has no sandbox for the lab (any more), e.g. after stop. */
export type LabSandboxResult = { ok: true; sandbox: SandboxDTO | null } | WorkspaceFailure;

/** The assessment gate as a save's guard: asked inside the save's transaction, holding the invite row. */
export function assessmentSaveGuard(user: ActingUser, labId: string): SaveGuard {
  return (tx) => assessmentGate(tx, user, labId, { lock: true });
}

/** Saves one of the learner's lab files (lib/labs/files saveLabFiles), behind the assessment gate. */
export function saveWorkspaceFile(db: Database, user: ActingUser, input: { labId: string; path: string; content: string | Uint8Array }): Promise<SaveResult> {
  return saveLabFiles(db, user, input?.labId, [{ path: input?.path, content: input?.content }], { guard: assessmentSaveGuard(user, input?.labId) });
}

/** Puts a file's starter text back as a new revision (lib/labs/files resetToStarter), behind the assessment gate. */
export function resetWorkspaceFile(db: Database, user: ActingUser, labId: string, path?: string): Promise<SaveResult> {
  return resetToStarter(db, user, labId, path, { guard: assessmentSaveGuard(user, labId) });
}

/** Admits a build of the learner's image for the lab (lib/builds/service), behind the assessment gate. */
export async function beginLabImageBuild(db: Database, user: ActingUser, labId: string, deps: BuildDeps = {}) {
  const gate = await assessmentGate(db, user, labId);
  if (!gate.ok) return gate;
  return beginImageBuild(db, user, labId, deps);
}

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

const ON_EXISTING = { resume: resumeSandbox, stop: stopSandbox };

/**
 * What the learner's sandbox for the lab starts with, at start and reset: the lab's setup objects
 * and those of every step the learner has unlocked (lib/labs sandboxSetup); none for an unknown
 * lab (a sandbox without its lab is only reset to empty).
 */
async function labSetup(db: Database, user: ActingUser, lab: Lab | null): Promise<ReturnType<typeof sandboxSetup>> {
  if (!lab) return [];
  return sandboxSetup(lab, lab.steps.length ? await completedStepsOf(db, user, lab.id) : []);
}

/** A sandbox change that was admitted (the lab has a sandbox, the rate limit allowed it), ready to run. */
export type LabSandboxChange = { ok: true; run: (onProgress?: OnProgress) => Promise<LabSandboxResult> };

/**
 * Admits a change to the learner's sandbox for the lab, counting it against the learner's sandbox
 * limit; a refusal comes back before anything runs, so a streaming route can still answer with a
 * status (429 and `Retry-After`). `run` then does the change, reporting progress in words:
 * - start: starts it, or resumes the one the learner already has. The choice is made once, by
 *   startSandbox, inside the transaction that enforces the per-learner cap.
 * - resume: checks it is still there, repairs its platform objects and counts as activity.
 * - reset: deletes everything the learner made in it and applies the lab's setup objects again;
 *   with no sandbox there is nothing to reset.
 * - stop: deletes it and waits until it is gone; stopping when there is none succeeds.
 */
export async function beginLabSandboxChange(
  db: Database,
  user: ActingUser,
  labId: string,
  action: LabSandboxAction,
  deps: SandboxDeps = {},
): Promise<LabSandboxChange | WorkspaceFailure> {
  const gate = await assessmentGate(db, user, labId);
  if (!gate.ok) return gate;
  let run: LabSandboxChange["run"];
  if (action === "start") {
    const lab = getLab(labId);
    if (!lab) return failure("not-found", "This lab does not exist.");
    if (!lab.sandbox) return failure("no-sandbox", "This lab has no lab environment.");
    const input = { labId: lab.id, sizeProfile: lab.sandbox, placement: lab.workloads, ttlMinutes: lab.ttlMinutes ?? undefined, setup: await labSetup(db, user, lab) };
    run = async (onProgress = () => {}) => withoutGone(await startSandbox(db, user, input, onProgress, deps));
  } else {
    const none: LabSandboxResult =
      action === "resume" ? failure("no-sandbox", "You have no lab environment for this lab. Start it first.") : { ok: true, sandbox: null };
    run = (onProgress = () => {}) =>
      withLabSandbox(db, user, labId, none, async (sandbox) =>
        withoutGone(
          action === "reset"
            ? // A reset is a fresh start: the lab's setup objects come back (a resume leaves them as the learner made them).
              await resetSandbox(db, user, sandbox.id, onProgress, deps, { setup: await labSetup(db, user, getLab(labId)) })
            : await ON_EXISTING[action](db, user, sandbox.id, onProgress, deps),
        ),
      );
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
  const gate = await assessmentGate(db, user, labId);
  if (!gate.ok) return gate;
  const none = failure("no-sandbox", "There is no lab environment to extend.");
  return withLabSandbox(db, user, labId, none, (sandbox) => extendSandbox(db, user, sandbox.id, { minutes: 30 }, deps));
}

export type LabKubeconfigResult = { ok: true; kubeconfig: string; expiresAt: Date; fileName: string } | WorkspaceFailure;

/** A short-lived kubeconfig for the learner's own kubectl, scoped to the lab's sandbox. */
export async function labKubeconfig(db: Database, user: ActingUser, labId: string, deps: SandboxDeps = {}): Promise<LabKubeconfigResult> {
  // A kubeconfig is a way to change the sandbox from outside: the gate applies to it too.
  const gate = await assessmentGate(db, user, labId);
  if (!gate.ok) return gate;
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
  const gate = await assessmentGate(db, user, labId);
  if (!gate.ok) return gate;
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
  // Asked once, before anything is applied: an apply admitted before the deadline runs to its end
  // (a few seconds), so the sandbox is never left with half of one apply; the submission that
  // follows grades and then stops it.
  const gate = await assessmentGate(db, user, labId);
  if (!gate.ok) return gate;
  const lab = getLab(labId);
  if (!lab) return failure("not-found", "This lab does not exist.");
  if (!lab.sandbox) return failure("no-sandbox", "This lab has no sandbox: there is nothing to apply.");
  const none = failure("no-sandbox", "Start your lab environment first, then apply.");
  const allowed = await takeUserLimit(db, "apply", user.id);
  if (!allowed.ok) return allowed;
  return withLabSandbox(db, user, lab.id, none, async (sandbox): Promise<ApplyLabResult> => {
    const started = performance.now();
    const files = await currentFiles(db, user.id, lab);
    const out: FileApplyResult[] = [];
    const record: AppliedFile[] = [];
    const done = async (error?: string) => recordApply(db, { userId: user.id, labId: lab.id, files: record, error, durationMs: performance.now() - started });
    for (const file of lab.files.filter((f) => f.apply)) {
      const text = files[file.path] ?? "";
      if (!text.trim()) {
        out.push({ path: file.path, ok: false, code: "invalid-input", error: "The file is empty: nothing to apply." });
        record.push({ path: file.path, text, error: "The file is empty: nothing to apply." });
        continue;
      }
      const result = await applyLearnerManifests(db, user, sandbox.id, text, deps);
      if (result.ok) {
        out.push({ path: file.path, ok: true, results: result.results });
        record.push({ path: file.path, text, results: result.results });
      } else if (STOPS_APPLY.has(result.code)) {
        await done(result.error);
        return failure(result.code, result.error);
      } else {
        out.push({ path: file.path, ok: false, code: result.code, error: result.error });
        record.push({ path: file.path, text, error: result.error });
      }
    }
    await done();
    return { ok: true, files: out };
  });
}

/** What checkLab reports while it runs: the grader's events, then words while a step's setup is applied. */
export type CheckLabEvent = GradingEvent | { type: "progress"; message: string };

/**
 * Grades the learner's saved files (and sandbox) for the lab, reporting each check as it finishes.
 * When the attempt completes a step of the lab (docs/lab-format.md, "Steps") and the next step has
 * setup objects, they are applied to the learner's sandbox before this returns, so the page shows
 * the next step with its sandbox ready; if that fails, the attempt stands and `setupError` says
 * so (a reset applies the setup again).
 * An unreachable cluster comes back in words with a request id: the grader logs its account of it
 * (the cluster's address, the kubeconfig path) under that id.
 */
export async function checkLab(
  db: Database,
  user: ActingUser,
  labId: string,
  onEvent?: (event: CheckLabEvent) => void,
  deps: GradingDeps = {},
): Promise<(GradeResult & { setupError?: string }) | AssessmentGateFailure> {
  const gate = await assessmentGate(db, user, labId);
  if (!gate.ok) return gate;
  const result = await gradeAttempt(db, user, labId, onEvent, deps);
  const lab = getLab(labId, deps);
  if (!result.ok || !result.unlocked || !lab) return result;
  const setup = await applyStepSetup(db, user, lab, result.unlocked, (message) => onEvent?.({ type: "progress", message }), { cluster: deps.cluster });
  return setup.ok ? result : { ...result, setupError: setup.error };
}

// ---------------------------------------------------------------------------------------------
// The workspace pod: the learner's terminal, with the lab files in step both ways

export type LabWorkspaceResult = { ok: true; namespace: string; pod: string; container: string } | WorkspaceFailure;

const NO_TERMINAL =
  "This lab's workloads are simulated (nothing runs in its sandbox), so it has no terminal. Labs whose containers really run have one.";

/** The cluster's failures in its words; anything else (an exec that failed) in `words` with a request id. */
function workspaceFailure(error: unknown, words: string, context: string): WorkspaceFailure {
  if (error instanceof ClusterUnreachable || error instanceof KubeApiError) return clusterFailure(error);
  return failure("failed", reportServerError(words, context, error).error);
}

/** The learner's ready sandbox for the lab with its workspace pod running, or why not (no cluster call for a refusal). */
async function workspaceOf(db: Database, user: ActingUser, labId: string, deps: SandboxDeps, ensure: { onProgress?: OnProgress } | null) {
  const lab = getLab(labId);
  if (!lab) return failure("not-found", "This lab does not exist.");
  if (!lab.sandbox) return failure("no-sandbox", "This lab has no lab environment, so it has no terminal.");
  if (lab.workloads !== "real") return failure("no-workspace", NO_TERMINAL);
  const sandbox = await liveSandboxForLab(db, user, lab.id);
  if (!sandbox) return failure("no-sandbox", "Start your lab environment first; the terminal runs in it.");
  const owned = await ownedSandboxOnCluster(db, user, sandbox.id, deps, { states: ["ready"] });
  if (!owned.ok) return owned.code === "not-found" ? failure("not-ready", "Your lab environment is still starting; open the terminal when it is ready.") : owned;
  const { row, cluster } = owned;
  try {
    let pod: RunningWorkspace | null;
    if (ensure) {
      pod = await ensureWorkspacePod(cluster, row, ensure.onProgress);
      ensure.onProgress?.("Copying your lab files into the terminal…");
      await seedWorkspace(db, cluster, row, lab, pod);
    } else {
      const found = await readWorkspacePod(cluster, row.namespace);
      const running = found?.status?.containerStatuses?.some((s) => s.state?.running) && !found.metadata.deletionTimestamp;
      pod = running ? { namespace: row.namespace, pod: WORKSPACE_POD, container: WORKSPACE_CONTAINER, uid: String(found!.metadata.uid), createdAt: new Date() } : null;
      if (pod) await seedWorkspace(db, cluster, row, lab, pod);
    }
    return { ok: true as const, lab, row, cluster, pod };
  } catch (error) {
    if (error instanceof WorkspaceNotStarted) return failure("failed", error.words);
    return workspaceFailure(error, "Your terminal could not be prepared; open it again in a moment.", "workspace: preparing the pod failed");
  }
}

/**
 * Makes sure the learner's workspace pod for the lab exists and runs, with the lab files in it
 * (created on demand, seeded once per pod), reporting progress in words. Only the sandbox's owner
 * gets it; only `workloads: real` labs have one (the namespace of a simulated sandbox pins every
 * pod to KWOK nodes, where no shell runs). The terminal then execs into `pod`/`container`.
 */
export async function labWorkspace(
  db: Database,
  user: ActingUser,
  labId: string,
  deps: SandboxDeps = {},
  options: { onProgress?: OnProgress } = {},
): Promise<LabWorkspaceResult> {
  const gate = await assessmentGate(db, user, labId);
  if (!gate.ok) return gate;
  const allowed = await takeUserLimit(db, "workspace", user.id);
  if (!allowed.ok) return allowed;
  const found = await workspaceOf(db, user, labId, deps, { onProgress: options.onProgress });
  if (!found.ok) return found;
  options.onProgress?.("Ready");
  return { ok: true, namespace: found.row.namespace, pod: found.pod!.pod, container: found.pod!.container };
}

export type WorkspaceSyncResult =
  | { ok: true; running: boolean; imported: ImportedFile[]; problems: string[] }
  | WorkspaceFailure;

/**
 * Brings the lab files changed in the terminal into the editor as new revisions marked "terminal"
 * (only files changed since they were last in step: a newer editor save is never overwritten).
 * With no running workspace there is nothing to bring: `running: false`.
 */
export async function syncWorkspaceFiles(db: Database, user: ActingUser, labId: string, deps: SandboxDeps = {}): Promise<WorkspaceSyncResult> {
  // Each imported file is a save: it asks the gate again inside its transaction (terminal-files.ts).
  const gate = await assessmentGate(db, user, labId);
  if (!gate.ok) return gate;
  const allowed = await takeUserLimit(db, "workspace-sync", user.id);
  if (!allowed.ok) return allowed;
  const found = await workspaceOf(db, user, labId, deps, null);
  if (!found.ok) return found;
  if (!found.pod) return { ok: true, running: false, imported: [], problems: [] };
  try {
    const outcome = await syncFromWorkspace(db, found.cluster, user, found.row, found.lab, found.pod);
    return { ok: true, running: true, ...outcome };
  } catch (error) {
    return workspaceFailure(error, "Your terminal's files could not be read; they are tried again in a moment.", "workspace: sync failed");
  }
}

/**
 * After a save: writes the saved files into the learner's running workspace pod, if the lab's
 * sandbox has one. Never fails and never throws: the save is already stored, a file that cannot
 * be written (the pod is gone, the terminal changed it too) is logged, and the next sync settles it.
 */
export async function pushSavedFiles(db: Database, user: ActingUser, labId: string, paths: string[], deps: SandboxDeps = {}): Promise<void> {
  try {
    const lab = getLab(labId);
    if (!lab?.sandbox || lab.workloads !== "real") return;
    const sandbox = await liveSandboxForLab(db, user, lab.id);
    if (!sandbox || sandbox.state !== "ready") return;
    const owned = await ownedSandboxOnCluster(db, user, sandbox.id, deps, { states: ["ready"] });
    if (!owned.ok) return;
    const outcome = await pushToWorkspace(db, owned.cluster, owned.row, lab, paths);
    if (outcome.conflicts.length) console.info(`workspace: ${owned.row.namespace}: ${outcome.conflicts.join(", ")} changed in the terminal too; the next sync imports the terminal's version`);
  } catch (error) {
    reportServerError("", `workspace: pushing ${paths.join(", ")} for lab ${labId} failed (the save is stored)`, error);
  }
}
