// Assessments and their versions: the data access layer behind the builder. Every function takes
// the acting user and sees only the assessments of that reviewer's organisation; another
// organisation's id is answered exactly like an id that does not exist (`not-found`).
//
// Versions: a version that has invites is frozen (each invite points at the version it was made
// for, and its report says which one). Saving the builder therefore updates the current version in
// place while nobody is invited to it, and adds version n+1 once someone is. Both paths lock the
// assessment row with `lockAssessment`, which invite creation uses too (invites.ts), so an invite
// cannot slip in between the "has candidates?" question and the in-place update.
import "server-only";
import { randomUUID } from "node:crypto";
import { and, count, desc, eq, max, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { assessmentInvites, assessments, assessmentVersions, type AssessmentSettings } from "@/lib/db/schema";
import { getLab, listLabs } from "@/lib/labs/registry";
import { failure, type Failure } from "@/lib/result";
import { isScope, reviewerScope, type Actor, type ReviewerScope } from "./organisations";
import { AssessmentInputSchema, duplicateLabErrors, fieldErrorsOf, type AssessmentInput, type FieldErrors } from "./schema";

/** A lab as the builder offers it. */
export type LabOption = { id: string; title: string; module: string; summary: string; minutes: number; points: number };

/** The catalogue the builder picks from (public information: the labs page lists it too). */
export function assessmentLabOptions(): LabOption[] {
  return listLabs().map((lab) => ({
    id: lab.id,
    title: lab.title,
    module: lab.module,
    summary: lab.summary,
    minutes: lab.minutes,
    points: lab.totalPoints,
  }));
}

export type AssessmentVersionDTO = {
  id: string;
  number: number;
  settings: AssessmentSettings;
  createdAt: Date;
  /** Invites of this version: when above 0, saving the builder makes a new version. */
  candidates: number;
};
export type AssessmentDTO = {
  id: string;
  title: string;
  current: AssessmentVersionDTO;
  versions: number;
  /** Invites of every version. */
  candidates: number;
  createdAt: Date;
  updatedAt: Date;
};
export type AssessmentSummaryDTO = { id: string; title: string; version: number; labs: number; candidates: number; updatedAt: Date };

export type InvalidAssessment = Failure<"invalid-input"> & { fieldErrors: FieldErrors };
export type AssessmentFailureCode = "not-found" | "invalid-input" | "no-organisation";

const NOT_FOUND = failure("not-found", "There is no such assessment in your organisation.");

function invalid(fieldErrors: FieldErrors): InvalidAssessment {
  return { ...failure("invalid-input", "Some fields need fixing; each says what is wrong."), fieldErrors };
}

/** Validates the builder's input and snapshots each lab's title, minutes and points from the catalogue. */
export function settingsFrom(input: AssessmentInput): { ok: true; settings: AssessmentSettings } | InvalidAssessment {
  const parsed = AssessmentInputSchema.safeParse(input);
  const duplicates = duplicateLabErrors((input as { labs?: unknown } | null)?.labs);
  if (!parsed.success) return invalid({ ...fieldErrorsOf(parsed.error), ...duplicates });
  if (Object.keys(duplicates).length) return invalid(duplicates);
  const errors: FieldErrors = {};
  const labs = parsed.data.labs.flatMap(({ labId, weight }, i) => {
    const lab = getLab(labId);
    if (!lab) {
      errors[`labs.${i}.labId`] = `There is no lab "${labId}" in the catalogue (any more); choose another.`;
      return [];
    }
    return [{ labId, weight, title: lab.title, minutes: lab.minutes, points: lab.totalPoints }];
  });
  if (Object.keys(errors).length) return invalid(errors);
  const { title, introduction, timeLimitMinutes, passMarkPercent, showResults, showHints, inviteValidityDays } = parsed.data;
  return { ok: true, settings: { title, introduction, labs, timeLimitMinutes, passMarkPercent, showResults, showHints, inviteValidityDays } };
}

/** JSON with sorted keys: jsonb does not keep key order, so settings are compared this way. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

async function loadAssessment(db: Database, organisationId: string, assessmentId: string): Promise<AssessmentDTO | null> {
  const [row] = await db
    .select({ assessment: assessments, version: assessmentVersions })
    .from(assessments)
    .innerJoin(assessmentVersions, and(eq(assessmentVersions.assessmentId, assessments.id), eq(assessmentVersions.number, assessments.currentVersion)))
    .where(and(eq(assessments.id, assessmentId), eq(assessments.organisationId, organisationId)))
    .limit(1);
  if (!row) return null;
  const [[versions], [candidates], [ofCurrent]] = await Promise.all([
    db.select({ n: count() }).from(assessmentVersions).where(eq(assessmentVersions.assessmentId, assessmentId)),
    db.select({ n: count() }).from(assessmentInvites).where(eq(assessmentInvites.assessmentId, assessmentId)),
    db.select({ n: count() }).from(assessmentInvites).where(eq(assessmentInvites.versionId, row.version.id)),
  ]);
  const { assessment, version } = row;
  return {
    id: assessment.id,
    title: version.settings.title,
    current: { id: version.id, number: version.number, settings: version.settings, createdAt: version.createdAt, candidates: Number(ofCurrent?.n ?? 0) },
    versions: Number(versions?.n ?? 0),
    candidates: Number(candidates?.n ?? 0),
    createdAt: assessment.createdAt,
    updatedAt: assessment.updatedAt,
  };
}

/** The handle `db.transaction` passes its callback. */
export type Tx = Parameters<Parameters<Database["transaction"]>[0]>[0];

/**
 * Locks the organisation's assessment (so edits and invites of one assessment run one at a time) and
 * reads its current version; null when the organisation has no such assessment.
 */
export async function lockAssessment(tx: Tx, scope: ReviewerScope, assessmentId: string) {
  const [assessment] = await tx
    .select()
    .from(assessments)
    .where(and(eq(assessments.id, assessmentId), eq(assessments.organisationId, scope.organisationId)))
    .limit(1)
    .for("update");
  if (!assessment) return null;
  const [version] = await tx
    .select()
    .from(assessmentVersions)
    .where(and(eq(assessmentVersions.assessmentId, assessment.id), eq(assessmentVersions.number, assessment.currentVersion)))
    .limit(1);
  if (!version) throw new Error(`assessment ${assessment.id} has no version ${assessment.currentVersion}`);
  return { assessment, version };
}

export async function getAssessment(
  db: Database,
  actor: Actor,
  assessmentId: string,
): Promise<{ ok: true; assessment: AssessmentDTO } | Failure<"not-found" | "no-organisation">> {
  const scope = await reviewerScope(db, actor);
  if (!isScope(scope)) return scope;
  const assessment = await loadAssessment(db, scope.organisationId, assessmentId);
  return assessment ? { ok: true, assessment } : NOT_FOUND;
}

/** The organisation's assessments, most recently changed first. */
export async function listAssessments(
  db: Database,
  actor: Actor,
): Promise<{ ok: true; organisationName: string; assessments: AssessmentSummaryDTO[] } | Failure<"no-organisation">> {
  const scope = await reviewerScope(db, actor);
  if (!isScope(scope)) return scope;
  const candidates = db
    .select({ assessmentId: assessmentInvites.assessmentId, n: count().as("n") })
    .from(assessmentInvites)
    .groupBy(assessmentInvites.assessmentId)
    .as("candidates");
  const rows = await db
    .select({ assessment: assessments, settings: assessmentVersions.settings, candidates: candidates.n })
    .from(assessments)
    .innerJoin(assessmentVersions, and(eq(assessmentVersions.assessmentId, assessments.id), eq(assessmentVersions.number, assessments.currentVersion)))
    .leftJoin(candidates, eq(candidates.assessmentId, assessments.id))
    .where(eq(assessments.organisationId, scope.organisationId))
    .orderBy(desc(assessments.updatedAt), desc(assessments.id));
  return {
    ok: true,
    organisationName: scope.organisationName,
    assessments: rows.map((r) => ({
      id: r.assessment.id,
      title: r.settings.title,
      version: r.assessment.currentVersion,
      labs: r.settings.labs.length,
      candidates: Number(r.candidates ?? 0),
      updatedAt: r.assessment.updatedAt,
    })),
  };
}

export type SaveAssessmentResult =
  | { ok: true; assessment: AssessmentDTO; change: "created" | "updated" | "new-version" | "unchanged" }
  | InvalidAssessment
  | Failure<"not-found" | "no-organisation">;

export async function createAssessment(db: Database, actor: Actor, input: AssessmentInput): Promise<SaveAssessmentResult> {
  const scope = await reviewerScope(db, actor);
  if (!isScope(scope)) return scope;
  const built = settingsFrom(input);
  if (!built.ok) return built;
  const id = randomUUID();
  await db.transaction(async (tx) => {
    await tx.insert(assessments).values({ id, organisationId: scope.organisationId, currentVersion: 1, createdBy: scope.userId });
    await tx.insert(assessmentVersions).values({ id: randomUUID(), assessmentId: id, number: 1, settings: built.settings, createdBy: scope.userId });
  });
  return { ok: true, assessment: (await loadAssessment(db, scope.organisationId, id))!, change: "created" };
}

/** Saves the builder: in place while the current version has no candidates, else as a new version. */
export async function updateAssessment(db: Database, actor: Actor, assessmentId: string, input: AssessmentInput): Promise<SaveAssessmentResult> {
  const scope = await reviewerScope(db, actor);
  if (!isScope(scope)) return scope;
  const built = settingsFrom(input);
  if (!built.ok) return built;
  const change = await db.transaction(async (tx) => {
    const locked = await lockAssessment(tx, scope, assessmentId);
    if (!locked) return null;
    const { assessment, version: current } = locked;
    if (canonical(current.settings) === canonical(built.settings)) return "unchanged" as const;
    const [invited] = await tx.select({ id: assessmentInvites.id }).from(assessmentInvites).where(eq(assessmentInvites.versionId, current.id)).limit(1);
    if (!invited) {
      await tx.update(assessmentVersions).set({ settings: built.settings }).where(eq(assessmentVersions.id, current.id));
      await tx.update(assessments).set({ updatedAt: sql`now()` }).where(eq(assessments.id, assessment.id));
      return "updated" as const;
    }
    const [highest] = await tx.select({ n: max(assessmentVersions.number) }).from(assessmentVersions).where(eq(assessmentVersions.assessmentId, assessment.id));
    const number = (highest?.n ?? 0) + 1;
    await tx.insert(assessmentVersions).values({ id: randomUUID(), assessmentId: assessment.id, number, settings: built.settings, createdBy: scope.userId });
    await tx.update(assessments).set({ currentVersion: number, updatedAt: sql`now()` }).where(eq(assessments.id, assessment.id));
    return "new-version" as const;
  });
  if (!change) return NOT_FOUND;
  return { ok: true, assessment: (await loadAssessment(db, scope.organisationId, assessmentId))!, change };
}
