// The lab files in step between the editor (the database) and the sandbox's workspace pod, both
// ways. Seeding: a pod seen for the first time (its uid has no baseline rows) gets every lab file.
// Editor → pod: after a save, the file is written into the pod unless the terminal changed it since
// it was last in step (compare-and-swap in the pod); then the next sync imports the terminal's
// version as a newer revision, so neither edit is lost. Pod → editor: `syncFromWorkspace` lists
// the pod's files and imports only those whose sha256 differs from the baseline (file-sync.ts),
// as revisions with source "terminal". Work on one sandbox is serialised in this process.
import "server-only";
import { and, eq, ne } from "drizzle-orm";
import type { ActingUser } from "@/lib/auth/acting-user";
import type { Database } from "@/lib/db/client";
import { workspaceFiles, type SandboxRow } from "@/lib/db/schema";
import type { KubeClient } from "@/lib/k8s/client";
import { assessmentGate } from "@/lib/assessments/gate";
import { currentFiles, saveLabFiles, sha256 } from "@/lib/labs/files";
import type { Lab } from "@/lib/labs/registry";
import { LEARNER_FILE_LIMITS } from "@/lib/labs/schema";
import {
  listWorkspaceFiles,
  readWorkspaceFiles,
  readWorkspacePod,
  writeWorkspaceFiles,
  type RunningWorkspace,
  type WorkspaceWrite,
} from "@/lib/sandbox/workspace-pod";
import { planSync } from "./file-sync";

const queues = new Map<string, Promise<unknown>>();

/** Runs `work` after every earlier piece of work on the same sandbox in this process. */
function serialised<T>(sandboxId: string, work: () => Promise<T>): Promise<T> {
  const previous = queues.get(sandboxId) ?? Promise.resolve();
  const next = previous.catch(() => {}).then(work);
  queues.set(sandboxId, next);
  void next.finally(() => {
    if (queues.get(sandboxId) === next) queues.delete(sandboxId);
  }).catch(() => {});
  return next;
}

async function baselineOf(db: Database, sandboxId: string, podUid: string): Promise<Map<string, string>> {
  const rows = await db.select().from(workspaceFiles).where(and(eq(workspaceFiles.sandboxId, sandboxId), eq(workspaceFiles.podUid, podUid)));
  return new Map(rows.map((r) => [r.path, r.sha256]));
}

async function setBaseline(db: Database, sandboxId: string, podUid: string, entries: Array<{ path: string; sha256: string }>): Promise<void> {
  const now = new Date();
  for (const { path, sha256: hash } of entries) {
    await db
      .insert(workspaceFiles)
      .values({ sandboxId, path, podUid, sha256: hash, updatedAt: now })
      .onConflictDoUpdate({ target: [workspaceFiles.sandboxId, workspaceFiles.path], set: { podUid, sha256: hash, updatedAt: now } });
  }
}

/**
 * Puts every lab file into a pod seen for the first time (overwriting what is there) and records
 * the baseline; a pod already seeded is left alone. Read-only files go in too, for context.
 */
export function seedWorkspace(db: Database, cluster: KubeClient, sandbox: SandboxRow, lab: Lab, pod: RunningWorkspace): Promise<void> {
  return serialised(sandbox.id, async () => {
    const [seeded] = await db.select({ path: workspaceFiles.path }).from(workspaceFiles).where(and(eq(workspaceFiles.sandboxId, sandbox.id), eq(workspaceFiles.podUid, pod.uid))).limit(1);
    if (seeded) return;
    const files = await currentFiles(db, sandbox.userId, lab);
    const writes: WorkspaceWrite[] = Object.entries(files).map(([path, content]) => ({ path, content, sha256: sha256(content), expected: null }));
    const outcomes = await writeWorkspaceFiles(cluster, pod.namespace, writes);
    const failed = outcomes.filter((o) => o.status !== "written");
    if (failed.length) throw new Error(`seeding the workspace of ${sandbox.namespace} failed for ${failed.map((o) => `${o.path} (${o.detail ?? o.status})`).join(", ")}`);
    // Rows of an earlier pod describe files that pod had; this one starts from what was just written.
    await db.delete(workspaceFiles).where(and(eq(workspaceFiles.sandboxId, sandbox.id), ne(workspaceFiles.podUid, pod.uid)));
    await setBaseline(db, sandbox.id, pod.uid, writes);
  });
}

export type PushOutcome = { pushed: string[]; conflicts: string[]; skipped: "no-workspace" | null };

/**
 * Brings the pod's copies of `paths` to what the database holds now, unless the terminal changed
 * them since they were last in step (a conflict: the next sync imports the terminal's version).
 * Does nothing, without asking the cluster, when this sandbox never had a workspace.
 */
export function pushToWorkspace(db: Database, cluster: KubeClient, sandbox: SandboxRow, lab: Lab, paths: string[]): Promise<PushOutcome> {
  return serialised(sandbox.id, async () => {
    const rows = await db.select().from(workspaceFiles).where(eq(workspaceFiles.sandboxId, sandbox.id));
    if (rows.length === 0) return { pushed: [], conflicts: [], skipped: "no-workspace" as const };
    const pod = await readWorkspacePod(cluster, sandbox.namespace);
    const podUid = pod?.metadata.uid as string | undefined;
    // A different (new) pod is seeded when the terminal opens it; a pod being deleted gets nothing.
    if (!pod || pod.metadata.deletionTimestamp || !rows.some((r) => r.podUid === podUid)) return { pushed: [], conflicts: [], skipped: "no-workspace" as const };
    const baseline = new Map(rows.filter((r) => r.podUid === podUid).map((r) => [r.path, r.sha256]));
    const files = await currentFiles(db, sandbox.userId, lab);
    const writes: WorkspaceWrite[] = paths
      .filter((p) => p in files)
      .map((path) => ({ path, content: files[path]!, sha256: sha256(files[path]!), expected: baseline.get(path) ?? null }));
    const outcomes = await writeWorkspaceFiles(cluster, sandbox.namespace, writes);
    const pushed = outcomes.filter((o) => o.status === "written").map((o) => o.path);
    await setBaseline(db, sandbox.id, podUid!, writes.filter((w) => pushed.includes(w.path)));
    const failed = outcomes.filter((o) => o.status === "error");
    if (failed.length) throw new Error(`writing ${failed.map((o) => `${o.path} (${o.detail})`).join(", ")} into the workspace of ${sandbox.namespace} failed`);
    return { pushed, conflicts: outcomes.filter((o) => o.status === "conflict").map((o) => o.path), skipped: null };
  });
}

export type ImportedFile = { path: string; revision: number; content: string };
export type SyncOutcome = { imported: ImportedFile[]; problems: string[] };

/** Imports the lab files the terminal changed as "terminal" revisions (see file-sync.ts for which). */
export function syncFromWorkspace(db: Database, cluster: KubeClient, user: ActingUser, sandbox: SandboxRow, lab: Lab, pod: RunningWorkspace): Promise<SyncOutcome> {
  return serialised(sandbox.id, async () => {
    const [podFiles, baseline, files] = await Promise.all([
      listWorkspaceFiles(cluster, pod.namespace, LEARNER_FILE_LIMITS.maxFileBytes),
      baselineOf(db, sandbox.id, pod.uid),
      currentFiles(db, user.id, lab),
    ]);
    const labFiles = new Map(lab.files.map((f) => [f.path, { sha256: sha256(files[f.path] ?? ""), readonly: f.readonly }]));
    const plan = planSync({ podFiles, labFiles, baseline, maxFileBytes: LEARNER_FILE_LIMITS.maxFileBytes });
    await setBaseline(db, sandbox.id, pod.uid, plan.inStep);
    const outcome: SyncOutcome = { imported: [], problems: [...plan.problems] };
    if (plan.imports.length === 0) return outcome;
    const contents = await readWorkspaceFiles(cluster, pod.namespace, plan.imports.map((i) => i.path), LEARNER_FILE_LIMITS.maxLabBytes);
    for (const { path } of plan.imports) {
      const bytes = contents.get(path);
      if (!bytes) continue; // removed since the listing: nothing to import
      const saved = await saveLabFiles(db, user, lab.id, [{ path, content: bytes }], {
        source: "terminal",
        guard: (tx) => assessmentGate(tx, user, lab.id, { lock: true }),
      });
      if (!saved.ok) {
        outcome.problems.push(`${saved.error} (changed in the terminal; the editor keeps its version)`);
        continue;
      }
      const text = Buffer.from(bytes).toString("utf8");
      // The baseline is what the pod had when read: a change made since is imported next time.
      await setBaseline(db, sandbox.id, pod.uid, [{ path, sha256: sha256(text) }]);
      outcome.imported.push({ path, revision: saved.files[0]!.revision, content: text });
    }
    return outcome;
  });
}
