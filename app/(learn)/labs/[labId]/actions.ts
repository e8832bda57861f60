"use server";

// Lab page actions. Each is a public POST endpoint: it reads the user from the session and the
// lab from the registry itself, and the lib functions validate every input before storing it.
import { getCurrentUser } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { fileHistory, resetToStarter, saveLabFile } from "@/lib/labs/files";
import { sandboxView, type SandboxView } from "@/lib/labs/views";
import { applyLabFiles, sandboxForLab, type ApplyLabResult } from "@/lib/labs/workspace";
import { extendSandbox } from "@/lib/sandbox/service";

const SIGN_IN = { ok: false as const, error: "Your session has ended. Sign in again; your last saved version is kept." };

export type SaveFileResult = { ok: true; revision: number; savedAt: string } | { ok: false; error: string };

export async function saveFileAction(labId: string, path: string, content: string): Promise<SaveFileResult> {
  const user = await getCurrentUser();
  if (!user) return SIGN_IN;
  const result = await saveLabFile(await getDb(), user, { labId, path, content });
  if (!result.ok) return { ok: false, error: result.error };
  return { ok: true, revision: result.files[0]?.revision ?? 0, savedAt: new Date().toISOString() };
}

export type RevisionView = { revision: number; source: string; createdAt: string; bytes: number; content: string };

export async function historyAction(labId: string, path: string): Promise<{ ok: true; revisions: RevisionView[] } | { ok: false; error: string }> {
  const user = await getCurrentUser();
  if (!user) return SIGN_IN;
  const result = await fileHistory(await getDb(), user, labId, path);
  if (!Array.isArray(result)) return { ok: false, error: result.error };
  return {
    ok: true,
    revisions: result.map((r) => ({ revision: r.revision, source: r.source, createdAt: r.createdAt.toISOString(), bytes: r.bytes, content: r.content })),
  };
}

export async function resetFileAction(labId: string, path: string): Promise<SaveFileResult> {
  const user = await getCurrentUser();
  if (!user) return SIGN_IN;
  const result = await resetToStarter(await getDb(), user, labId, path);
  if (!result.ok) return { ok: false, error: result.error };
  return { ok: true, revision: result.files[0]?.revision ?? 0, savedAt: new Date().toISOString() };
}

export async function applyAction(labId: string): Promise<ApplyLabResult> {
  const user = await getCurrentUser();
  if (!user) return SIGN_IN;
  return applyLabFiles(await getDb(), user, labId);
}

export async function extendAction(labId: string): Promise<{ ok: true; sandbox: SandboxView } | { ok: false; error: string }> {
  const user = await getCurrentUser();
  if (!user) return SIGN_IN;
  const db = await getDb();
  const sandbox = await sandboxForLab(db, user, labId);
  if (!sandbox) return { ok: false, error: "There is no lab environment to extend." };
  const result = await extendSandbox(db, user, sandbox.id, { minutes: 30 });
  return result.ok ? { ok: true, sandbox: sandboxView(result.sandbox) } : { ok: false, error: result.error };
}
