// Invites: one candidate and one single-use link per row, for the assessment's current version.
// The data access layer for reviewers, scoped to their organisation like assessments.ts. The
// candidate's side, the token lookup, is invite-lookup.ts.
//
// The raw token exists only in the result of the call that made it (create, reset); the table
// holds its SHA-256. So links can be shown, copied, emailed or downloaded right then, and never
// listed again: a lost link is replaced with "Reset".
import "server-only";
import { randomUUID } from "node:crypto";
import { and, asc, count, desc, eq, inArray, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import {
  assessmentInvites,
  assessments,
  assessmentVersions,
  organisations,
  type AssessmentInviteRow,
  type AssessmentVersionRow,
  users,
} from "@/lib/db/schema";
import { failure, type Failure } from "@/lib/result";
import type { SandboxDeps } from "@/lib/sandbox/results";
import { lockAssessment, type Tx } from "./assessments";
import { stopCandidateSandboxes } from "./candidate-session";
import { parseCandidateList, type LineProblem } from "./candidate-list";
import { sendInviteEmails, type MailSettings, type SendReport } from "./mail";
import { isScope, reviewerScope, type Actor, type ReviewerScope } from "./organisations";
import { CandidateSchema, ExtendInviteSchema, fieldErrorsOf, PAGE_SIZE, type CandidateInput, type FieldErrors } from "./schema";
import { inviteLink, newInviteToken } from "./tokens";

const DAY_MS = 24 * 60 * 60 * 1000;
const INSERT_CHUNK = 500;

/** "grading": the submission has begun (files frozen, final grading running); "submitted" once it is done. */
export type InviteStatus = "invited" | "expired" | "revoked" | "started" | "grading" | "submitted";

export type InviteDTO = {
  id: string;
  name: string;
  email: string;
  versionNumber: number;
  status: InviteStatus;
  createdAt: Date;
  expiresAt: Date;
  emailedAt: Date | null;
  startedAt: Date | null;
  submittedAt: Date | null;
};

/** A link as made: shown once, never stored. */
export type CreatedInvite = { id: string; name: string; email: string; link: string; expiresAt: Date };

export type InviteFailureCode = "not-found" | "no-organisation" | "invalid-input" | "already-submitted" | "revoked" | "conflict";
export type InvalidCandidates = Failure<"invalid-input"> & { problems: LineProblem[]; fieldErrors?: FieldErrors };

const NOT_FOUND = failure("not-found", "There is no such assessment in your organisation.");
const INVITE_NOT_FOUND = failure("not-found", "There is no such invite in your organisation.");

export function inviteStatus(row: Pick<AssessmentInviteRow, "submittedAt" | "revokedAt" | "startedAt" | "expiresAt" | "status">, now: Date): InviteStatus {
  if (row.submittedAt) return "submitted";
  if (row.revokedAt) return "revoked";
  if (row.status === "grading") return "grading";
  if (row.startedAt) return "started";
  return row.expiresAt.getTime() <= now.getTime() ? "expired" : "invited";
}

function toInviteDTO(row: AssessmentInviteRow, versionNumber: number, now: Date): InviteDTO {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    versionNumber,
    status: inviteStatus(row, now),
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    emailedAt: row.emailedAt,
    startedAt: row.startedAt,
    submittedAt: row.submittedAt,
  };
}

export type CreateInvitesResult = { ok: true; invites: CreatedInvite[]; versionNumber: number } | InvalidCandidates | Failure<"not-found" | "no-organisation">;

/**
 * Invites every candidate, or none: a bad entry, or an email already invited to this assessment,
 * is reported by its line (1-based position unless the entry carries its own `line`).
 */
export async function createInvites(
  db: Database,
  actor: Actor,
  assessmentId: string,
  entries: ReadonlyArray<{ name: unknown; email: unknown; line?: number }>,
  now: Date = new Date(),
  /** Lines already found wrong (a paste's unparseable lines): reported with the rest, in one answer. */
  knownProblems: readonly LineProblem[] = [],
): Promise<CreateInvitesResult> {
  const scope = await reviewerScope(db, actor);
  if (!isScope(scope)) return scope;
  const problems: LineProblem[] = [...knownProblems];
  const candidates: Array<CandidateInput & { line: number }> = [];
  const seen = new Map<string, number>();
  entries.forEach((entry, i) => {
    const line = entry.line ?? i + 1;
    const parsed = CandidateSchema.safeParse({ name: entry.name, email: entry.email });
    if (!parsed.success) return void problems.push({ line, error: parsed.error.issues[0]!.message });
    const earlier = seen.get(parsed.data.email);
    if (earlier !== undefined) return void problems.push({ line, error: `${parsed.data.email} is already on line ${earlier}.` });
    seen.set(parsed.data.email, line);
    candidates.push({ ...parsed.data, line });
  });
  if (!problems.length && !candidates.length) problems.push({ line: 1, error: "Add at least one candidate." });
  const refused = (all: LineProblem[]): InvalidCandidates => ({
    ...failure("invalid-input", "Nobody was invited: fix the lines below and try again."),
    problems: [...all].sort((a, b) => a.line - b.line),
  });

  const result = await db.transaction(async (tx) => {
    const locked = await lockAssessment(tx, scope, assessmentId);
    if (!locked) return null;
    const taken = new Set<string>();
    const emails = candidates.map((c) => c.email);
    for (let i = 0; i < emails.length; i += INSERT_CHUNK) {
      const rows = await tx
        .select({ email: assessmentInvites.email })
        .from(assessmentInvites)
        .where(and(eq(assessmentInvites.assessmentId, locked.assessment.id), inArray(assessmentInvites.email, emails.slice(i, i + INSERT_CHUNK))));
      for (const row of rows) taken.add(row.email);
    }
    const duplicates = candidates
      .filter((c) => taken.has(c.email))
      .map((c) => ({ line: c.line, error: `${c.email} is already invited to this assessment; reset their invite for a new link.` }));
    // Checked even when other lines are wrong, so one answer names every line to fix.
    if (duplicates.length || problems.length) return { duplicates, invites: null };
    const expiresAt = new Date(now.getTime() + locked.version.settings.inviteValidityDays * DAY_MS);
    const made = candidates.map((c) => ({ ...c, id: randomUUID(), ...newInviteToken() }));
    for (let i = 0; i < made.length; i += INSERT_CHUNK) {
      await tx.insert(assessmentInvites).values(
        made.slice(i, i + INSERT_CHUNK).map((m) => ({
          id: m.id,
          assessmentId: locked.assessment.id,
          versionId: locked.version.id,
          name: m.name,
          email: m.email,
          tokenHash: m.hash,
          createdBy: scope.userId,
          createdAt: now,
          expiresAt,
        })),
      );
    }
    return {
      duplicates: [],
      versionNumber: locked.version.number,
      invites: made.map((m) => ({ id: m.id, name: m.name, email: m.email, link: inviteLink(m.token), expiresAt })),
    };
  });
  if (!result) return NOT_FOUND;
  if (!result.invites) return refused([...problems, ...result.duplicates]);
  return { ok: true, versionNumber: result.versionNumber, invites: result.invites };
}

/** One candidate from the "add one" form; problems come back as field errors too. */
export async function inviteCandidate(db: Database, actor: Actor, assessmentId: string, input: { name: unknown; email: unknown }, now?: Date): Promise<CreateInvitesResult> {
  const parsed = CandidateSchema.safeParse(input);
  if (!parsed.success) {
    const fieldErrors = fieldErrorsOf(parsed.error);
    // Still check the role and organisation first: a learner gets 403, not a validation message.
    const scope = await reviewerScope(db, actor);
    if (!isScope(scope)) return scope;
    return { ...failure("invalid-input", Object.values(fieldErrors)[0]!), problems: [], fieldErrors };
  }
  const result = await createInvites(db, actor, assessmentId, [parsed.data], now);
  if (!result.ok && result.code === "invalid-input" && "problems" in result) {
    return { ...result, error: result.problems[0]?.error ?? result.error, fieldErrors: { email: result.problems[0]?.error ?? result.error } };
  }
  return result;
}

/** A pasted list, one candidate a line (candidate-list.ts); all or nothing. */
export async function inviteCandidateList(db: Database, actor: Actor, assessmentId: string, text: string, now?: Date): Promise<CreateInvitesResult> {
  const parsed = parseCandidateList(text);
  return createInvites(db, actor, assessmentId, parsed.candidates, now, parsed.ok ? [] : parsed.problems);
}

export type InvitePage = { ok: true; invites: InviteDTO[]; total: number; page: number; pages: number; pageSize: number };

/** One page (PAGE_SIZE) of an assessment's invites, newest first. A page past the end gives the last one. */
export async function listInvites(
  db: Database,
  actor: Actor,
  assessmentId: string,
  page = 1,
  now: Date = new Date(),
): Promise<InvitePage | Failure<"not-found" | "no-organisation">> {
  const scope = await reviewerScope(db, actor);
  if (!isScope(scope)) return scope;
  const [assessment] = await db
    .select({ id: assessments.id })
    .from(assessments)
    .where(and(eq(assessments.id, assessmentId), eq(assessments.organisationId, scope.organisationId)))
    .limit(1);
  if (!assessment) return NOT_FOUND;
  const [totalRow] = await db.select({ n: count() }).from(assessmentInvites).where(eq(assessmentInvites.assessmentId, assessment.id));
  const total = Number(totalRow?.n ?? 0);
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const current = Math.min(Math.max(1, Math.floor(page) || 1), pages);
  const rows = await db
    .select({ invite: assessmentInvites, versionNumber: assessmentVersions.number })
    .from(assessmentInvites)
    .innerJoin(assessmentVersions, eq(assessmentVersions.id, assessmentInvites.versionId))
    .where(eq(assessmentInvites.assessmentId, assessment.id))
    .orderBy(desc(assessmentInvites.createdAt), asc(assessmentInvites.email))
    .limit(PAGE_SIZE)
    .offset((current - 1) * PAGE_SIZE);
  return { ok: true, invites: rows.map((r) => toInviteDTO(r.invite, r.versionNumber, now)), total, page: current, pages, pageSize: PAGE_SIZE };
}

/** Locks one invite of the reviewer's organisation, with its version's settings. */
async function lockInvite(tx: Tx, scope: ReviewerScope, inviteId: string) {
  const [row] = await tx
    .select({ invite: assessmentInvites, version: assessmentVersions })
    .from(assessmentInvites)
    .innerJoin(assessments, eq(assessments.id, assessmentInvites.assessmentId))
    .innerJoin(assessmentVersions, eq(assessmentVersions.id, assessmentInvites.versionId))
    .where(and(eq(assessmentInvites.id, inviteId), eq(assessments.organisationId, scope.organisationId)))
    .limit(1)
    .for("update", { of: assessmentInvites });
  return row ?? null;
}

export type InviteChangeResult = { ok: true; invite: InviteDTO } | Failure<InviteFailureCode>;

const SUBMITTED = failure("already-submitted", "This candidate has already submitted; their invite is kept with the report.");

/** The link stops working at once (also for a candidate who has started). Revoking twice is fine. */
/** Revokes the link; a candidate already working is stopped there, and their lab environments with them. */
export async function revokeInvite(db: Database, actor: Actor, inviteId: string, now: Date = new Date(), sandboxDeps: SandboxDeps = {}): Promise<InviteChangeResult> {
  const scope = await reviewerScope(db, actor);
  if (!isScope(scope)) return scope;
  const result = await db.transaction(async (tx) => {
    const row = await lockInvite(tx, scope, inviteId);
    if (!row) return INVITE_NOT_FOUND;
    if (row.invite.submittedAt) return SUBMITTED;
    if (row.invite.status === "grading") return GRADING;
    const [updated] = await tx
      .update(assessmentInvites)
      .set({ revokedAt: row.invite.revokedAt ?? now })
      .where(eq(assessmentInvites.id, row.invite.id))
      .returning();
    return { ok: true as const, invite: toInviteDTO(updated!, row.version.number, now), ended: endedSession(row) };
  });
  if (!result.ok) return result;
  if (result.ended) await stopCandidateSandboxes(db, result.ended.userId, result.ended.labIds, sandboxDeps);
  return { ok: true, invite: result.invite };
}

/** The hidden user and labs of a session a revoke or reset ends (null before Start). */
function endedSession(row: { invite: AssessmentInviteRow; version: AssessmentVersionRow }): { userId: string; labIds: string[] } | null {
  return row.invite.candidateUserId ? { userId: row.invite.candidateUserId, labIds: row.version.settings.labs.map((l) => l.labId) } : null;
}

const GRADING = failure(
  "conflict",
  "This candidate's work is being submitted and graded right now; its report follows in a moment, and the invite cannot be changed any more.",
);

/** A new expiry, `days` from now (shorter or longer than before). */
export async function extendInvite(db: Database, actor: Actor, inviteId: string, input: { days: unknown }, now: Date = new Date()): Promise<InviteChangeResult> {
  const scope = await reviewerScope(db, actor);
  if (!isScope(scope)) return scope;
  const parsed = ExtendInviteSchema.safeParse(input);
  if (!parsed.success) return failure("invalid-input", parsed.error.issues[0]!.message);
  return db.transaction(async (tx) => {
    const row = await lockInvite(tx, scope, inviteId);
    if (!row) return INVITE_NOT_FOUND;
    if (row.invite.submittedAt) return SUBMITTED;
    if (row.invite.revokedAt) return failure("revoked", "This invite is revoked. Reset it to give the candidate a new link.");
    const [updated] = await tx
      .update(assessmentInvites)
      .set({ expiresAt: new Date(now.getTime() + parsed.data.days * DAY_MS) })
      .where(eq(assessmentInvites.id, row.invite.id))
      .returning();
    return { ok: true as const, invite: toInviteDTO(updated!, row.version.number, now) };
  });
}

/**
 * A new link for the same candidate: a new token (the old link stops working), a fresh expiry from
 * the version's validity, not revoked, and the started-session marker cleared so the candidate
 * can start again in another browser. Refused once they have submitted.
 */
export async function resetInvite(
  db: Database,
  actor: Actor,
  inviteId: string,
  now: Date = new Date(),
  sandboxDeps: SandboxDeps = {},
): Promise<{ ok: true; invite: InviteDTO; created: CreatedInvite } | Failure<InviteFailureCode>> {
  const scope = await reviewerScope(db, actor);
  if (!isScope(scope)) return scope;
  const result = await db.transaction(async (tx) => {
    const row = await lockInvite(tx, scope, inviteId);
    if (!row) return INVITE_NOT_FOUND;
    if (row.invite.submittedAt) return SUBMITTED;
    if (row.invite.status === "grading") return GRADING;
    const { token, hash } = newInviteToken();
    const expiresAt = new Date(now.getTime() + row.version.settings.inviteValidityDays * DAY_MS);
    // The earlier hidden user keeps its files and attempts for the record, but its browser session
    // ends now: a session version it does not carry refuses every request it makes.
    if (row.invite.candidateUserId) {
      await tx.update(users).set({ sessionVersion: sql`${users.sessionVersion} + 1` }).where(eq(users.id, row.invite.candidateUserId));
    }
    const [updated] = await tx
      .update(assessmentInvites)
      .set({
        tokenHash: hash,
        expiresAt,
        revokedAt: null,
        emailedAt: null,
        startedAt: null,
        candidateUserId: null,
        status: null,
        submittedAt: null,
        deadlineAt: null,
        bindingHash: null,
        submission: null,
      })
      .where(eq(assessmentInvites.id, row.invite.id))
      .returning();
    return {
      ok: true as const,
      invite: toInviteDTO(updated!, row.version.number, now),
      created: { id: updated!.id, name: updated!.name, email: updated!.email, link: inviteLink(token), expiresAt },
      ended: endedSession(row),
    };
  });
  if (!result.ok) return result;
  // The earlier session's lab environments go now, not at their expiry.
  if (result.ended) await stopCandidateSandboxes(db, result.ended.userId, result.ended.labIds, sandboxDeps);
  return { ok: true, invite: result.invite, created: result.created };
}

/**
 * Emails freshly made links (from createInvites or resetInvite) and records when each went out.
 * Only invites of the reviewer's organisation and assessment are sent; a failure is reported per
 * address and leaves the invite as it is (its link can still be copied from the result).
 */
export async function emailInvites(
  db: Database,
  actor: Actor,
  assessmentId: string,
  created: readonly CreatedInvite[],
  settings: MailSettings,
  now: Date = new Date(),
): Promise<{ ok: true; report: SendReport } | Failure<"not-found" | "no-organisation">> {
  const scope = await reviewerScope(db, actor);
  if (!isScope(scope)) return scope;
  const [row] = await db
    .select({ settings: assessmentVersions.settings, organisationName: organisations.name })
    .from(assessments)
    .innerJoin(assessmentVersions, and(eq(assessmentVersions.assessmentId, assessments.id), eq(assessmentVersions.number, assessments.currentVersion)))
    .innerJoin(organisations, eq(organisations.id, assessments.organisationId))
    .where(and(eq(assessments.id, assessmentId), eq(assessments.organisationId, scope.organisationId)))
    .limit(1);
  if (!row) return NOT_FOUND;
  const ours = new Set<string>();
  for (let i = 0; i < created.length; i += INSERT_CHUNK) {
    const ids = created.slice(i, i + INSERT_CHUNK).map((c) => c.id);
    const found = await db
      .select({ id: assessmentInvites.id })
      .from(assessmentInvites)
      .where(and(eq(assessmentInvites.assessmentId, assessmentId), inArray(assessmentInvites.id, ids)));
    for (const f of found) ours.add(f.id);
  }
  const toSend = created.filter((c) => ours.has(c.id));
  const report = await sendInviteEmails(settings, toSend, {
    assessmentTitle: row.settings.title,
    organisationName: row.organisationName,
    timeLimitMinutes: row.settings.timeLimitMinutes,
  });
  const sentIds = toSend.filter((c) => report.sent.includes(c.email)).map((c) => c.id);
  for (let i = 0; i < sentIds.length; i += INSERT_CHUNK) {
    await db.update(assessmentInvites).set({ emailedAt: now }).where(inArray(assessmentInvites.id, sentIds.slice(i, i + INSERT_CHUNK)));
  }
  return { ok: true, report };
}
