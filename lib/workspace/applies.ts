// The record of every apply (issue 11, part 5): applyLabFiles in index.ts writes one row per apply
// that reached the sandbox, with what the cluster made of each file, so a reviewer sees when a
// candidate applied and whether the API server accepted it. Append-only (a database trigger
// refuses updates, migration 0010); the texts themselves are the saved revisions, named here by
// sha256.
import "server-only";
import { and, asc, eq, inArray } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { labApplies, type LabApplyRow, type StoredApplyFile } from "@/lib/db/schema";
import { sha256 } from "@/lib/labs/files";
import type { ObjectResult } from "@/lib/sandbox/learner-apply";

/** How many refusals a row keeps word for word; the rest are counted. */
const KEPT_REFUSALS = 5;

export type AppliedFile = { path: string; text: string; results?: ObjectResult[]; error?: string };

/** The stored form of one file's apply. */
export function storedApplyFile(file: AppliedFile): StoredApplyFile {
  const results = file.results ?? [];
  const rejected = results.flatMap((r) => (r.outcome === "rejected" ? [{ kind: r.kind, name: r.name, message: r.message }] : []));
  return {
    path: file.path,
    sha256: sha256(file.text),
    applied: results.filter((r) => r.outcome === "applied").length,
    rejected: rejected.slice(0, KEPT_REFUSALS),
    rejectedCount: rejected.length,
    ...(file.error ? { error: file.error } : {}),
  };
}

export async function recordApply(
  db: Database,
  input: { userId: string; labId: string; files: AppliedFile[]; error?: string; durationMs: number; at?: Date },
): Promise<void> {
  await db.insert(labApplies).values({
    userId: input.userId,
    labId: input.labId,
    files: input.files.map(storedApplyFile),
    error: input.error ?? null,
    durationMs: Math.round(input.durationMs),
    ...(input.at ? { createdAt: input.at } : {}),
  });
}

/** Every apply of these labs by this user, oldest first. */
export function appliesOf(db: Database, userId: string, labIds: readonly string[]): Promise<LabApplyRow[]> {
  if (labIds.length === 0) return Promise.resolve([]);
  return db
    .select()
    .from(labApplies)
    .where(and(eq(labApplies.userId, userId), inArray(labApplies.labId, [...labIds])))
    .orderBy(asc(labApplies.createdAt), asc(labApplies.id));
}
