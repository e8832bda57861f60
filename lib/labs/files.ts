// The learner's files of a lab, stored per learner + lab + path with every revision kept.
// Everything is validated BEFORE anything is written (declared path, size per file and per lab,
// text only, no YAML bombs) and a save of several files is one transaction: all or nothing.
// Functions take the acting user and only ever touch that user's rows.
import "server-only";
import { createHash } from "node:crypto";
import { and, desc, eq } from "drizzle-orm";
import type { ActingUser } from "@/lib/auth/acting-user";
import { formatBytes } from "@/lib/bytes";
import type { Database } from "@/lib/db/client";
import { labFileRevisions, labFiles } from "@/lib/db/schema";
import { yamlBombProblem } from "@/lib/grading/kinds/structured";
import { isFailure, type Failure } from "@/lib/result";
import { fileTooLarge } from "./file-size";
import { getLab, starterFiles, type Lab, type LabFile, type LabOptions } from "./registry";
import { LEARNER_FILE_LIMITS, LabIdSchema, labPathProblem } from "./schema";

/**
 * not-found: no such lab, or not a file of it; read-only: provided by the lab; too-large: over a
 * size limit; invalid-input: anything else wrong with what was sent.
 */
export type FileFailureCode = "not-found" | "read-only" | "too-large" | "invalid-input";
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

export type FileRevisionDTO = { revision: number; content: string; sha256: string; source: "save" | "reset"; createdAt: Date; bytes: number };

export function sha256(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** sha256 over the canonical list of (path, sha256(content)), sorted by path. */
export function filesSha256(files: Readonly<Record<string, string>>): string {
  const lines = Object.keys(files)
    .sort()
    .map((p) => `${p}\0${sha256(files[p]!)}`);
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

/**
 * Saves several files of a lab at once: every file is validated first and, if one is refused,
 * nothing is stored. Unchanged files do not create a revision.
 */
export async function saveLabFiles(
  db: Database,
  user: ActingUser,
  labId: string,
  files: Array<{ path: string; content: string | Uint8Array }>,
  options: LabOptions = {},
): Promise<SaveResult> {
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
      await tx.insert(labFileRevisions).values({ userId: user.id, labId: lab.id, path: file.path, revision, content: file.content, sha256: file.sha256, source: "save", createdAt: now });
      await tx
        .insert(labFiles)
        .values({ userId: user.id, labId: lab.id, path: file.path, content: file.content, sha256: file.sha256, revision, updatedAt: now })
        .onConflictDoUpdate({
          target: [labFiles.userId, labFiles.labId, labFiles.path],
          set: { content: file.content, sha256: file.sha256, revision, updatedAt: now },
        });
      saved.push({ path: file.path, revision, sha256: file.sha256, changed: true });
    }
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

/** Every saved revision of one file, newest first. */
export async function fileHistory(db: Database, user: ActingUser, labId: string, path: string, options: LabOptions = {}): Promise<FileRevisionDTO[] | FileFailure> {
  const lab = labOrFailure(labId, options);
  if (isFailure(lab)) return lab;
  if (!lab.files.some((f) => f.path === path)) return { ok: false, code: "not-found", path, error: `"${path}" is not a file of this lab.` };
  const rows = await db
    .select()
    .from(labFileRevisions)
    .where(and(eq(labFileRevisions.userId, user.id), eq(labFileRevisions.labId, lab.id), eq(labFileRevisions.path, path)))
    .orderBy(desc(labFileRevisions.revision));
  return rows.map((r) => ({ revision: r.revision, content: r.content, sha256: r.sha256, source: r.source, createdAt: r.createdAt, bytes: Buffer.byteLength(r.content, "utf8") }));
}

/** Puts the starter text back (one file, or every editable file) as a new revision; history is kept. */
export async function resetToStarter(db: Database, user: ActingUser, labId: string, path?: string, options: LabOptions = {}): Promise<SaveResult> {
  const lab = labOrFailure(labId, options);
  if (isFailure(lab)) return lab;
  const starter = starterFiles(lab);
  const targets = lab.files.filter((f) => !f.readonly && (path === undefined || f.path === path));
  if (targets.length === 0) return { ok: false, code: "not-found", path, error: `"${path}" is not a file of this lab you can edit.` };
  return db.transaction(async (tx) => {
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
    return { ok: true as const, files: out };
  });
}
