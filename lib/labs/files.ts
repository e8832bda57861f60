// The learner's files of a lab, stored per learner + lab + path, with their history.
// Everything is validated BEFORE anything is written (declared path, size per file and per lab,
// text only, no YAML bombs) and a save of several files is one transaction: all or nothing.
// Functions take the acting user and only ever touch that user's rows.
//
// History is bounded: each save keeps the newest FILE_HISTORY.keepNewest revisions of every
// file, plus every revision that was part of a graded attempt (see `pruneHistory` for the rule;
// an assessment candidate's history is kept whole, because the reviewer's replay shows all of it),
// and it is read a page of metadata at a time, newest first; a revision's text is loaded only
// when the learner opens it. One file on purpose: saving and pruning must agree on one history rule.
import "server-only";
import { createHash } from "node:crypto";
import { and, asc, desc, eq, inArray, lt, sql } from "drizzle-orm";
import type { ActingUser } from "@/lib/auth/acting-user";
import { formatBytes } from "@/lib/bytes";
import type { Database } from "@/lib/db/client";
import { assessmentInvites, LAB_FILE_SOURCES, labAttempts, labFileRevisions, labFiles, labGradingLocks } from "@/lib/db/schema";
import { labPathProblem } from "@/lib/checks/file-paths";
import { yamlBombProblem } from "@/lib/checks/kinds/structured";
import { isFailure, type Failure } from "@/lib/result";
import { fileTooLarge } from "./file-size";
import { getLab, starterFiles, type Lab, type LabFile, type LabOptions } from "./registry";
import { LEARNER_FILE_LIMITS, LabIdSchema } from "./schema";

/**
 * not-found: no such lab, or not a file of it; read-only: provided by the lab; too-large: over a
 * size limit; invalid-input: anything else wrong with what was sent.
 */
export type FileFailureCode = "not-found" | "read-only" | "too-large" | "invalid-input" | "assessment-closed";

/**
 * Run first inside a save's transaction; a failure stores nothing. lib/workspace passes the
 * assessment gate here (lib/assessments/gate.ts), so a candidate's save and the submission that
 * freezes the files cannot interleave. This folder knows nothing of assessments.
 */
export type SaveGuard = (tx: Database) => Promise<{ ok: true } | Failure<"assessment-closed" | "not-found">>;
export type FileFailure = Failure<FileFailureCode> & { path?: string };

export type LabFileDTO = {
  path: string;
  language: LabFile["language"];
  readonly: boolean;
  apply: boolean;
  content: string;
  /** 0 = the starter file (never saved). */
  revision: number;
  savedAt: Date | null;
};

/** One entry of a file's history, without its text. */
export type FileRevisionMeta = { revision: number; sha256: string; source: LabFileSource; createdAt: Date; bytes: number };
export type FileRevisionDTO = FileRevisionMeta & { content: string };

export const FILE_HISTORY = {
  /** Revisions kept per file besides those an attempt graded. At least 2 (see pruneHistory). */
  keepNewest: 20,
  /** Revisions per page of the history list. */
  pageSize: 10,
  maxPageSize: 50,
};

export function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** sha256 over the canonical list of (path, sha256(content)), sorted by path. */
export function filesSha256(files: Readonly<Record<string, string>>): string {
  return filesSha256OfHashes(Object.fromEntries(Object.entries(files).map(([p, content]) => [p, sha256(content)])));
}

/** filesSha256 from each file's sha256 (what revisions store), without the texts. */
export function filesSha256OfHashes(hashes: Readonly<Record<string, string>>): string {
  const lines = Object.keys(hashes)
    .sort()
    .map((p) => `${p}\0${hashes[p]!}`);
  return sha256(lines.join("\n"));
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** Turns submitted content into text, or says why it is not acceptable as a text file. */
export function decodeLearnerText(content: unknown): { ok: true; text: string } | Failure<"invalid-input"> {
  let text: string;
  if (typeof content === "string") text = content;
  else if (content instanceof Uint8Array) {
    if (content.includes(0)) return { ok: false, code: "invalid-input", error: "looks like a binary file (it contains NUL bytes); only text files can be saved" };
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(content);
    } catch {
      return { ok: false, code: "invalid-input", error: "is not valid UTF-8 text; save it as UTF-8" };
    }
  } else return { ok: false, code: "invalid-input", error: "must be text" };
  if (text.includes("\u0000")) return { ok: false, code: "invalid-input", error: "looks like a binary file (it contains NUL bytes); only text files can be saved" };
  if (LONE_SURROGATE.test(text) || text.includes("\uFFFD")) return { ok: false, code: "invalid-input", error: "is not valid UTF-8 text (it has undecodable characters); save it as UTF-8" };
  if (CONTROL.test(text)) return { ok: false, code: "invalid-input", error: "contains control characters that do not belong in a text file" };
  return { ok: true, text };
}

type ValidFile = { path: string; content: string; sha256: string };

function validate(lab: Lab, path: unknown, content: unknown): ValidFile | FileFailure {
  if (typeof path !== "string") return { ok: false, code: "invalid-input", error: "The file path must be text." };
  const pathProblem = labPathProblem(path);
  if (pathProblem) return { ok: false, code: "invalid-input", path, error: `Cannot save "${path}": ${pathProblem}.` };
  const declared = lab.files.find((f) => f.path === path);
  if (!declared) return { ok: false, code: "not-found", path, error: `"${path}" is not a file of this lab. The lab's files are: ${lab.files.filter((f) => !f.readonly).map((f) => f.path).join(", ")}.` };
  if (declared.readonly) return { ok: false, code: "read-only", path, error: `"${path}" is provided by the lab and cannot be changed.` };
  const decoded = decodeLearnerText(content);
  if (!decoded.ok) return { ok: false, code: "invalid-input", path, error: `"${path}" ${decoded.error}.` };
  const tooLarge = fileTooLarge(path, decoded.text);
  if (tooLarge) return { ok: false, code: "too-large", path, error: tooLarge };
  if (declared.language === "yaml" || declared.language === "json") {
    const bomb = yamlBombProblem(decoded.text);
    if (bomb) return { ok: false, code: "invalid-input", path, error: `"${path}" was not saved: ${bomb}.` };
  }
  return { path, content: decoded.text, sha256: sha256(decoded.text) };
}

function labOrFailure(labId: unknown, options: LabOptions): Lab | FileFailure {
  const parsed = LabIdSchema.safeParse(labId);
  const lab = parsed.success ? getLab(parsed.data, options) : null;
  return lab ?? { ok: false, code: "not-found", error: "This lab does not exist." };
}

export type SaveResult = { ok: true; files: Array<{ path: string; revision: number; sha256: string; changed: boolean }> } | FileFailure;

/** Where a revision came from: the editor, a reset to the starter, or the workspace's terminal. */
export type LabFileSource = (typeof LAB_FILE_SOURCES)[number];

/**
 * Saves several files of a lab at once: every file is validated first and, if one is refused,
 * nothing is stored. Unchanged files do not create a revision. `source` marks the revisions
 * ("terminal" for files imported from the workspace pod).
 */
export async function saveLabFiles(
  db: Database,
  user: ActingUser,
  labId: string,
  files: Array<{ path: string; content: string | Uint8Array }>,
  options: LabOptions & { source?: Exclude<LabFileSource, "reset">; guard?: SaveGuard } = {},
): Promise<SaveResult> {
  const source = options.source ?? "save";
  const lab = labOrFailure(labId, options);
  if (isFailure(lab)) return lab;
  if (!Array.isArray(files) || files.length === 0) return { ok: false, code: "invalid-input", error: "There is nothing to save." };
  const valid: ValidFile[] = [];
  for (const file of files) {
    const checked = validate(lab, file?.path, file?.content);
    if (isFailure(checked)) return checked;
    if (valid.some((v) => v.path === checked.path)) return { ok: false, code: "invalid-input", path: checked.path, error: `"${checked.path}" is in the save twice.` };
    valid.push(checked);
  }
  return db.transaction(async (tx) => {
    const allowed = options.guard ? await options.guard(tx) : null;
    if (allowed && !allowed.ok) return { ok: false, code: allowed.code, error: allowed.error } as FileFailure;
    const stored = await tx
      .select()
      .from(labFiles)
      .where(and(eq(labFiles.userId, user.id), eq(labFiles.labId, lab.id)))
      .for("update");
    const current = new Map(stored.map((r) => [r.path, r]));
    // The lab's total: what is stored (or the starter) for every file, with this save applied.
    const starter = starterFiles(lab);
    const total = lab.files
      .filter((f) => !f.readonly)
      .reduce((sum, f) => sum + Buffer.byteLength(valid.find((v) => v.path === f.path)?.content ?? current.get(f.path)?.content ?? starter[f.path] ?? "", "utf8"), 0);
    if (total > LEARNER_FILE_LIMITS.maxLabBytes) {
      return { ok: false, code: "too-large", error: `Together the lab's files would be ${formatBytes(total)}; the limit is ${formatBytes(LEARNER_FILE_LIMITS.maxLabBytes)}. Nothing was saved.` } as FileFailure;
    }
    const now = new Date();
    const saved: Array<{ path: string; revision: number; sha256: string; changed: boolean }> = [];
    for (const file of valid) {
      const row = current.get(file.path);
      if (row && row.sha256 === file.sha256) {
        saved.push({ path: file.path, revision: row.revision, sha256: row.sha256, changed: false });
        continue;
      }
      const revision = (row?.revision ?? 0) + 1;
      await tx.insert(labFileRevisions).values({ userId: user.id, labId: lab.id, path: file.path, revision, content: file.content, sha256: file.sha256, source, createdAt: now });
      await tx
        .insert(labFiles)
        .values({ userId: user.id, labId: lab.id, path: file.path, content: file.content, sha256: file.sha256, revision, updatedAt: now })
        .onConflictDoUpdate({
          target: [labFiles.userId, labFiles.labId, labFiles.path],
          set: { content: file.content, sha256: file.sha256, revision, updatedAt: now },
        });
      saved.push({ path: file.path, revision, sha256: file.sha256, changed: true });
    }
    if (saved.some((f) => f.changed)) await pruneHistory(tx, user.id, lab);
    return { ok: true as const, files: saved };
  });
}

/** Saves one file (see saveLabFiles). */
export async function saveLabFile(
  db: Database,
  user: ActingUser,
  input: { labId: string; path: string; content: string | Uint8Array },
  options: LabOptions = {},
): Promise<SaveResult> {
  return saveLabFiles(db, user, input?.labId, [{ path: input?.path, content: input?.content }], options);
}

/** The lab's files as the learner sees them: saved text, else the starter. */
export async function listLabFiles(db: Database, user: ActingUser, labId: string, options: LabOptions = {}): Promise<LabFileDTO[] | FileFailure> {
  const lab = labOrFailure(labId, options);
  if (isFailure(lab)) return lab;
  const rows = await db.select().from(labFiles).where(and(eq(labFiles.userId, user.id), eq(labFiles.labId, lab.id)));
  const byPath = new Map(rows.map((r) => [r.path, r]));
  const starter = starterFiles(lab);
  return lab.files.map((f) => {
    const row = f.readonly ? undefined : byPath.get(f.path);
    return { ...f, content: row?.content ?? starter[f.path]!, revision: row?.revision ?? 0, savedAt: row?.updatedAt ?? null };
  });
}

/** What the grader grades: every file's current text (read-only files always from the starter). */
export async function currentFiles(db: Database, userId: string, lab: Lab): Promise<Record<string, string>> {
  const rows = await db.select().from(labFiles).where(and(eq(labFiles.userId, userId), eq(labFiles.labId, lab.id)));
  const files = starterFiles(lab);
  const editable = new Set(lab.files.filter((f) => !f.readonly).map((f) => f.path));
  for (const row of rows) if (editable.has(row.path)) files[row.path] = row.content;
  return files;
}

export type HistoryPage = {
  ok: true;
  /** Newest first, without their text (revisionContent loads one). */
  revisions: FileRevisionMeta[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextCursor: number | null;
};

/** One page of a file's history, newest first: revisions older than `before` (default: all). */
export async function fileHistory(
  db: Database,
  user: ActingUser,
  labId: string,
  path: string,
  page: { before?: number | null; limit?: number } = {},
  options: LabOptions = {},
): Promise<HistoryPage | FileFailure> {
  const lab = labOrFailure(labId, options);
  if (isFailure(lab)) return lab;
  if (!lab.files.some((f) => f.path === path)) return { ok: false, code: "not-found", path, error: `"${path}" is not a file of this lab.` };
  const before = page.before ?? null;
  if (before !== null && (!Number.isInteger(before) || before < 1)) return { ok: false, code: "invalid-input", path, error: "The history cursor is not a revision number." };
  const limit = Math.min(Math.max(Math.trunc(page.limit ?? FILE_HISTORY.pageSize) || FILE_HISTORY.pageSize, 1), FILE_HISTORY.maxPageSize);
  const rows = await db
    .select({
      revision: labFileRevisions.revision,
      sha256: labFileRevisions.sha256,
      source: labFileRevisions.source,
      createdAt: labFileRevisions.createdAt,
      bytes: sql<number>`octet_length(${labFileRevisions.content})`.mapWith(Number),
    })
    .from(labFileRevisions)
    .where(
      and(
        eq(labFileRevisions.userId, user.id),
        eq(labFileRevisions.labId, lab.id),
        eq(labFileRevisions.path, path),
        before === null ? undefined : lt(labFileRevisions.revision, before),
      ),
    )
    .orderBy(desc(labFileRevisions.revision))
    .limit(limit + 1);
  const revisions = rows.slice(0, limit);
  return { ok: true, revisions, nextCursor: rows.length > limit ? revisions.at(-1)!.revision : null };
}

/** One revision of a file with its text, for the learner to look at or restore. */
export async function revisionContent(
  db: Database,
  user: ActingUser,
  labId: string,
  path: string,
  revision: number,
  options: LabOptions = {},
): Promise<{ ok: true; revision: FileRevisionDTO } | FileFailure> {
  const lab = labOrFailure(labId, options);
  if (isFailure(lab)) return lab;
  if (!lab.files.some((f) => f.path === path)) return { ok: false, code: "not-found", path, error: `"${path}" is not a file of this lab.` };
  if (!Number.isInteger(revision) || revision < 1) return { ok: false, code: "invalid-input", path, error: "A revision is a number from 1." };
  const [row] = await db
    .select()
    .from(labFileRevisions)
    .where(and(eq(labFileRevisions.userId, user.id), eq(labFileRevisions.labId, lab.id), eq(labFileRevisions.path, path), eq(labFileRevisions.revision, revision)));
  if (!row) {
    return { ok: false, code: "not-found", path, error: `Revision ${revision} of "${path}" is no longer kept (only the newest ${FILE_HISTORY.keepNewest} and those you checked are kept).` };
  }
  return { ok: true, revision: { revision: row.revision, content: row.content, sha256: row.sha256, source: row.source, createdAt: row.createdAt, bytes: Buffer.byteLength(row.content, "utf8") } };
}

type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];

/**
 * Bounds a learner's history of one lab: of each file, keeps the newest FILE_HISTORY.keepNewest
 * revisions and every revision that an attempt graded, and deletes the rest.
 *
 * An attempt records only `filesSha256`, the hash of all the lab's files as graded, so which
 * revisions it graded is found by replaying history: the grader reads every file in one query,
 * so what it graded is the state of the files after some revision (every file at its latest
 * revision up to that point, the starter where there was none, read-only files from the
 * starter). Each such state whose filesSha256 equals an attempt's is a graded snapshot, and all
 * its revisions are kept. Deleting only unkept revisions never changes a kept snapshot (each of
 * its files is still the latest kept revision at that point), so the rule gives the same answer
 * on every later save. A snapshot cannot be matched after the lab's starter files changed; its
 * revisions then count only towards the newest kept.
 *
 * While a grading runs (its lock row exists) nothing is deleted: it may have read files that no
 * attempt names yet. A save racing the lock keeps the previous revision anyway (keepNewest ≥ 2).
 *
 * Nothing is deleted for an assessment candidate (a hidden user an invite's candidate_user_id
 * names): the reviewer's report replays every saved revision (issue 11). A candidate's history is
 * bounded by the assessment's time limit instead.
 */
export async function pruneHistory(tx: Transaction | Database, userId: string, lab: Lab, keepNewest = FILE_HISTORY.keepNewest): Promise<number> {
  const keep = Math.max(2, keepNewest);
  const revisions = await tx
    .select({ id: labFileRevisions.id, path: labFileRevisions.path, revision: labFileRevisions.revision, sha256: labFileRevisions.sha256 })
    .from(labFileRevisions)
    .where(and(eq(labFileRevisions.userId, userId), eq(labFileRevisions.labId, lab.id)))
    .orderBy(asc(labFileRevisions.createdAt), asc(labFileRevisions.id));
  const byPath = new Map<string, typeof revisions>();
  for (const r of revisions) byPath.set(r.path, [...(byPath.get(r.path) ?? []), r]);
  if (![...byPath.values()].some((list) => list.length > keep)) return 0;
  const grading = await tx
    .select({ userId: labGradingLocks.userId })
    .from(labGradingLocks)
    .where(and(eq(labGradingLocks.userId, userId), eq(labGradingLocks.labId, lab.id)))
    .limit(1);
  if (grading.length > 0) return 0;
  const candidate = await tx
    .select({ id: assessmentInvites.id })
    .from(assessmentInvites)
    .where(eq(assessmentInvites.candidateUserId, userId))
    .limit(1);
  if (candidate.length > 0) return 0;

  const attempts = await tx
    .select({ filesSha256: labAttempts.filesSha256 })
    .from(labAttempts)
    .where(and(eq(labAttempts.userId, userId), eq(labAttempts.labId, lab.id)));
  const graded = new Set(attempts.map((a) => a.filesSha256));
  const kept = new Set<number>();
  if (graded.size > 0) {
    const editable = new Set(lab.files.filter((f) => !f.readonly).map((f) => f.path));
    const state = Object.fromEntries(Object.entries(starterFiles(lab)).map(([p, content]) => [p, { sha256: sha256(content), id: null as number | null }]));
    for (const r of revisions) {
      if (!editable.has(r.path) || !(r.path in state)) continue;
      state[r.path] = { sha256: r.sha256, id: r.id };
      const hashes = Object.fromEntries(Object.entries(state).map(([p, v]) => [p, v.sha256]));
      if (graded.has(filesSha256OfHashes(hashes))) for (const v of Object.values(state)) if (v.id !== null) kept.add(v.id);
    }
  }
  const doomed: number[] = [];
  for (const list of byPath.values()) {
    const newestFirst = [...list].sort((a, b) => b.revision - a.revision);
    for (const r of newestFirst.slice(keep)) if (!kept.has(r.id)) doomed.push(r.id);
  }
  if (doomed.length === 0) return 0;
  await tx.delete(labFileRevisions).where(and(eq(labFileRevisions.userId, userId), inArray(labFileRevisions.id, doomed)));
  return doomed.length;
}

/** Puts the starter text back (one file, or every editable file) as a new revision; history is kept. */
export async function resetToStarter(
  db: Database,
  user: ActingUser,
  labId: string,
  path?: string,
  options: LabOptions & { guard?: SaveGuard } = {},
): Promise<SaveResult> {
  const lab = labOrFailure(labId, options);
  if (isFailure(lab)) return lab;
  const starter = starterFiles(lab);
  const targets = lab.files.filter((f) => !f.readonly && (path === undefined || f.path === path));
  if (targets.length === 0) return { ok: false, code: "not-found", path, error: `"${path}" is not a file of this lab you can edit.` };
  return db.transaction(async (tx) => {
    const allowed = options.guard ? await options.guard(tx) : null;
    if (allowed && !allowed.ok) return { ok: false, code: allowed.code, error: allowed.error } as FileFailure;
    const rows = await tx.select().from(labFiles).where(and(eq(labFiles.userId, user.id), eq(labFiles.labId, lab.id))).for("update");
    const current = new Map(rows.map((r) => [r.path, r]));
    const now = new Date();
    const out: Array<{ path: string; revision: number; sha256: string; changed: boolean }> = [];
    for (const f of targets) {
      const row = current.get(f.path);
      const content = starter[f.path]!;
      const hash = sha256(content);
      if (!row || row.sha256 === hash) {
        out.push({ path: f.path, revision: row?.revision ?? 0, sha256: hash, changed: false });
        continue;
      }
      const revision = row.revision + 1;
      await tx.insert(labFileRevisions).values({ userId: user.id, labId: lab.id, path: f.path, revision, content, sha256: hash, source: "reset", createdAt: now });
      await tx.update(labFiles).set({ content, sha256: hash, revision, updatedAt: now }).where(and(eq(labFiles.userId, user.id), eq(labFiles.labId, lab.id), eq(labFiles.path, f.path)));
      out.push({ path: f.path, revision, sha256: hash, changed: true });
    }
    if (out.some((f) => f.changed)) await pruneHistory(tx, user.id, lab);
    return { ok: true as const, files: out };
  });
}
