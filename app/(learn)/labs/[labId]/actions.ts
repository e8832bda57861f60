"use server";

// Lab page actions. Each is a public POST endpoint: it reads the user from the session and the
// lab from the registry itself, and the lib functions validate every input before storing it.
// Expected failures are returned as { ok: false, code, error } (docs/decisions/007-results-and-errors.md).
// Saves (and resets to the starter, which store a revision too) count against the learner's save
// limit here; apply counts in lib/workspace. A stored save is then written into the learner's
// terminal (the workspace pod), if one runs. History and revisions are reads and are not limited.
import { getCurrentUser } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { fileHistory, revisionContent, type FileFailureCode } from "@/lib/labs/files";
import { takeUserLimit, type RateLimited } from "@/lib/rate-limit/limits";
import { failure, type Failure } from "@/lib/result";
import {
  applyLabFiles,
  extendLabSandbox,
  pushSavedFiles,
  resetWorkspaceFile,
  saveWorkspaceFile,
  type ApplyLabResult,
  type WorkspaceFailureCode,
} from "@/lib/workspace";
import { sandboxView, type SandboxView } from "@/lib/workspace/views";

const SIGN_IN = failure("unauthenticated", "Your session has ended. Sign in again; your last saved version is kept.");

/** Every action can fail this way besides its own failures: the session ended. */
export type SignedOut = Failure<"unauthenticated">;

export type SaveFileResult = { ok: true; revision: number; savedAt: string } | Failure<FileFailureCode> | RateLimited | SignedOut;

export async function saveFileAction(labId: string, path: string, content: string): Promise<SaveFileResult> {
  const user = await getCurrentUser();
  if (!user) return SIGN_IN;
  const db = await getDb();
  const allowed = await takeUserLimit(db, "file-save", user.id);
  if (!allowed.ok) return allowed;
  // Behind the assessment gate: a candidate's save after the deadline is refused, nothing stored.
  const result = await saveWorkspaceFile(db, user, { labId, path, content });
  if (!result.ok) return failure(result.code, result.error);
  // Into the running terminal too; this never fails the save (a failure is logged).
  if (result.files[0]?.changed) await pushSavedFiles(db, user, labId, [path]);
  return { ok: true, revision: result.files[0]?.revision ?? 0, savedAt: new Date().toISOString() };
}

export type RevisionView = { revision: number; source: string; createdAt: string; bytes: number };
export type HistoryView = { ok: true; revisions: RevisionView[]; nextCursor: number | null };

/** One page of a file's history (metadata only), newest first; `before` is the previous page's `nextCursor`. */
export async function historyAction(labId: string, path: string, before: number | null = null): Promise<HistoryView | Failure<FileFailureCode> | SignedOut> {
  const user = await getCurrentUser();
  if (!user) return SIGN_IN;
  const result = await fileHistory(await getDb(), user, labId, path, { before });
  if (!result.ok) return failure(result.code, result.error);
  return {
    ok: true,
    revisions: result.revisions.map((r) => ({ revision: r.revision, source: r.source, createdAt: r.createdAt.toISOString(), bytes: r.bytes })),
    nextCursor: result.nextCursor,
  };
}

/** The text of one revision, loaded when the learner restores it. */
export async function revisionAction(labId: string, path: string, revision: number): Promise<{ ok: true; content: string } | Failure<FileFailureCode> | SignedOut> {
  const user = await getCurrentUser();
  if (!user) return SIGN_IN;
  const result = await revisionContent(await getDb(), user, labId, path, revision);
  return result.ok ? { ok: true, content: result.revision.content } : failure(result.code, result.error);
}

export async function resetFileAction(labId: string, path: string): Promise<SaveFileResult> {
  const user = await getCurrentUser();
  if (!user) return SIGN_IN;
  const db = await getDb();
  const allowed = await takeUserLimit(db, "file-save", user.id);
  if (!allowed.ok) return allowed;
  const result = await resetWorkspaceFile(db, user, labId, path);
  if (!result.ok) return failure(result.code, result.error);
  if (result.files[0]?.changed) await pushSavedFiles(db, user, labId, [path]);
  return { ok: true, revision: result.files[0]?.revision ?? 0, savedAt: new Date().toISOString() };
}

export type ApplyActionResult = ApplyLabResult | SignedOut;

export async function applyAction(labId: string): Promise<ApplyActionResult> {
  const user = await getCurrentUser();
  if (!user) return SIGN_IN;
  return applyLabFiles(await getDb(), user, labId);
}

export async function extendAction(labId: string): Promise<{ ok: true; sandbox: SandboxView } | Failure<WorkspaceFailureCode> | SignedOut> {
  const user = await getCurrentUser();
  if (!user) return SIGN_IN;
  const result = await extendLabSandbox(await getDb(), user, labId);
  return result.ok ? { ok: true, sandbox: sandboxView(result.sandbox) } : failure(result.code, result.error);
}
