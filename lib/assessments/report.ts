// The report on one candidate (issue 11, part 6): the data access layer behind the reviewer's
// report page. Scoped like the rest of lib/assessments: a learner gets ForbiddenError, an invite
// of another organisation is answered as `not-found`.
//
// The candidate's work is the hidden user's (the invite's candidate_user_id, part 4): their lab
// files, every saved revision (kept whole for candidates, lib/labs/files.ts) and their signed
// attempts, for the labs of the version they took. Scores are the last attempt of each lab; the
// total weights them by the version's weights (report-model.ts). Revision texts are not in the
// report: the replay loads each with `candidateRevisionText`. What the browser recorded (part 5,
// events.ts) gives the time per lab (else an estimate, labelled so) and the pastes and times away
// of the integrity panel.
import "server-only";
import { and, asc, eq, gte, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "@/lib/db/client";
import {
  assessmentEvents,
  assessmentInvites,
  assessments,
  assessmentVersions,
  labAttempts,
  labFileRevisions,
  labFiles,
  type AssessmentInviteRow,
  type AssessmentVersionRow,
  type LabApplyRow,
} from "@/lib/db/schema";
import { attemptKeyring, type AttemptKeyring } from "@/lib/grading/attempt-keys";
import { verifyAttemptChain } from "@/lib/grading/attempts";
import type { LabFileSource } from "@/lib/labs/files";
import { getLab, starterFiles, type LabFile } from "@/lib/labs/registry";
import { LabIdSchema } from "@/lib/labs/schema";
import { appliesOf } from "@/lib/workspace/applies";
import { failure, type Failure } from "@/lib/result";
import { inviteStatus, type InviteStatus } from "./invites";
import { isScope, reviewerScope, type Actor } from "./organisations";
import { estimateTimePerLab, passes, recordedTimePerLab, timesAway, weightedPercent, type Activity, type TimeAway } from "./report-model";

export type ReportCheckDTO = { id: string; title: string; status: "pass" | "fail" | "error"; points: number; earned: number; message: string; details: string[] };
export type ReportAttemptDTO = { seq: number; at: Date; earned: number; max: number; percent: number; completed: boolean };
export type ReportFileDTO = { path: string; language: LabFile["language"]; starter: string; final: string; changed: boolean; revision: number };
export type ReportRevisionDTO = { path: string; revision: number; source: LabFileSource; at: Date; bytes: number };
/** One apply of the lab's files to the candidate's sandbox (lib/workspace/applies.ts). */
export type ReportApplyDTO = {
  at: Date;
  /** Objects the API server accepted, over every file. */
  applied: number;
  /** Objects it refused. */
  rejected: number;
  /** Files that could not be applied at all, with the reason. */
  failedFiles: Array<{ path: string; error: string }>;
  /** The first refusal, in the API server's words. */
  firstRefusal: string | null;
  /** Set when the whole apply failed (the cluster could not be reached). */
  error: string | null;
};
export type ReportIntegrityDTO = { verified: boolean; attempts: number; reason: string | null };
/** A recorded paste (its size and file; the text is never recorded). */
export type ReportPasteDTO = { at: Date; chars: number; path: string; labId: string | null; labTitle: string | null };
/** A time the page lost focus, and for how long (null: it never came back). */
export type ReportAwayDTO = TimeAway & { labTitle: string | null };

export type LabReportDTO = {
  labId: string;
  title: string;
  weight: number;
  /** False when the lab has left the catalogue since the version was saved: files and checks cannot be shown. */
  available: boolean;
  /** The lab has a sandbox the candidate applies to (so `applies` means something). */
  sandbox: boolean;
  /** The last attempt's score; null when the candidate never checked this lab. */
  score: { earned: number; max: number; percent: number } | null;
  /** The last attempt's checks, with the grader's reasons. */
  checks: ReportCheckDTO[];
  /** Oldest first: the timeline. */
  attempts: ReportAttemptDTO[];
  /** An estimate from the saves and checks (report-model.ts estimateTimePerLab). */
  estimatedMs: number;
  /** The recorded active time (page visible and focused on this lab); null when the browser recorded none for this candidate. */
  recordedMs: number | null;
  /** Editable files: the starter and the final text. */
  files: ReportFileDTO[];
  /** Every saved revision of every file, oldest first: the replay. */
  revisions: ReportRevisionDTO[];
  /** Every apply to the sandbox, oldest first (empty for labs without a sandbox). */
  applies: ReportApplyDTO[];
  integrity: ReportIntegrityDTO;
};

export type CandidateReportDTO = {
  inviteId: string;
  assessmentId: string;
  name: string;
  email: string;
  status: InviteStatus;
  startedAt: Date | null;
  submittedAt: Date | null;
  /** started_at + the version's time limit; null before Start. */
  deadline: Date | null;
  version: { number: number; currentNumber: number; title: string; timeLimitMinutes: number; passMarkPercent: number };
  /** Weighted total, 0–100 (unrounded). */
  percent: number;
  passed: boolean;
  labs: LabReportDTO[];
  /** True when the candidate's browser recorded active time: each lab's `recordedMs` is set and shown instead of the estimate. */
  timeRecorded: boolean;
  /** Large pastes, oldest first. */
  pastes: ReportPasteDTO[];
  /** Each time the page lost focus, oldest first. */
  away: ReportAwayDTO[];
};

export type ReportDeps = { keys?: AttemptKeyring; now?: Date };

const NOT_FOUND = failure("not-found", "There is no such candidate in your organisation.");

type InviteContext = { invite: AssessmentInviteRow; version: AssessmentVersionRow; currentNumber: number };

/** The invite if it belongs to this assessment of the reviewer's organisation. */
async function loadInvite(db: Database, organisationId: string, assessmentId: string, inviteId: string): Promise<InviteContext | null> {
  const [row] = await db
    .select({ invite: assessmentInvites, version: assessmentVersions, currentNumber: assessments.currentVersion })
    .from(assessmentInvites)
    .innerJoin(assessments, eq(assessments.id, assessmentInvites.assessmentId))
    .innerJoin(assessmentVersions, eq(assessmentVersions.id, assessmentInvites.versionId))
    .where(and(eq(assessmentInvites.id, inviteId), eq(assessmentInvites.assessmentId, assessmentId), eq(assessments.organisationId, organisationId)))
    .limit(1);
  return row ?? null;
}

function applyOf(row: LabApplyRow): ReportApplyDTO {
  const refusal = row.files.flatMap((f) => f.rejected)[0];
  return {
    at: row.createdAt,
    applied: row.files.reduce((n, f) => n + f.applied, 0),
    rejected: row.files.reduce((n, f) => n + f.rejectedCount, 0),
    failedFiles: row.files.flatMap((f) => (f.error ? [{ path: f.path, error: f.error }] : [])),
    firstRefusal: refusal ? `${refusal.kind} ${refusal.name}: ${refusal.message}` : null,
    error: row.error,
  };
}

function integrityOf(report: Awaited<ReturnType<typeof verifyAttemptChain>>): ReportIntegrityDTO {
  if (report.ok) return { verified: true, attempts: report.attempts, reason: null };
  const problem = report.problems[0]!;
  const where = problem.seq > 0 ? `attempt ${problem.seq}: ` : "";
  const more = report.problems.length > 1 ? ` (and ${report.problems.length - 1} more problem${report.problems.length === 2 ? "" : "s"})` : "";
  return { verified: false, attempts: report.attempts, reason: `${where}${problem.reason}${more}` };
}

export async function getCandidateReport(
  db: Database,
  actor: Actor,
  assessmentId: string,
  inviteId: string,
  deps: ReportDeps = {},
): Promise<{ ok: true; report: CandidateReportDTO } | Failure<"not-found" | "no-organisation">> {
  const scope = await reviewerScope(db, actor);
  if (!isScope(scope)) return scope;
  const context = await loadInvite(db, scope.organisationId, assessmentId, inviteId);
  if (!context) return NOT_FOUND;
  return { ok: true, report: await reportOf(db, context, deps) };
}

/**
 * The report of an invite without a reviewer: only for share-links.ts, which has checked the
 * link's token first. Null when the invite is gone.
 */
export async function sharedCandidateReport(db: Database, inviteId: string, deps: ReportDeps = {}): Promise<CandidateReportDTO | null> {
  const [context] = await db
    .select({ invite: assessmentInvites, version: assessmentVersions, currentNumber: assessments.currentVersion })
    .from(assessmentInvites)
    .innerJoin(assessments, eq(assessments.id, assessmentInvites.assessmentId))
    .innerJoin(assessmentVersions, eq(assessmentVersions.id, assessmentInvites.versionId))
    .where(eq(assessmentInvites.id, inviteId))
    .limit(1);
  return context ? reportOf(db, context, deps) : null;
}

async function reportOf(db: Database, context: InviteContext, deps: ReportDeps): Promise<CandidateReportDTO> {
  const { invite, version } = context;
  const settings = version.settings;
  const now = deps.now ?? new Date();
  const labIds = settings.labs.map((l) => l.labId);
  const userId = invite.candidateUserId;

  // Only this session's events: a reset (invites.ts) keeps the earlier session's rows under the
  // invite, as it keeps that hidden user's files, but the report is about the session that counts.
  const eventRows = invite.startedAt
    ? await db
        .select({ kind: assessmentEvents.kind, at: assessmentEvents.at, labId: assessmentEvents.labId, amount: assessmentEvents.amount, path: assessmentEvents.path })
        .from(assessmentEvents)
        .where(and(eq(assessmentEvents.inviteId, invite.id), gte(assessmentEvents.at, invite.startedAt)))
        .orderBy(asc(assessmentEvents.at), asc(assessmentEvents.id))
    : [];
  const [attemptRows, revisionRows, fileRows, applyRows] = userId
    ? await Promise.all([
        db.select().from(labAttempts).where(and(eq(labAttempts.userId, userId), inArray(labAttempts.labId, labIds))).orderBy(asc(labAttempts.labId), asc(labAttempts.seq)),
        db
          .select({
            labId: labFileRevisions.labId,
            path: labFileRevisions.path,
            revision: labFileRevisions.revision,
            source: labFileRevisions.source,
            at: labFileRevisions.createdAt,
            bytes: sql<number>`octet_length(${labFileRevisions.content})`.mapWith(Number),
          })
          .from(labFileRevisions)
          .where(and(eq(labFileRevisions.userId, userId), inArray(labFileRevisions.labId, labIds)))
          .orderBy(asc(labFileRevisions.createdAt), asc(labFileRevisions.id)),
        db.select().from(labFiles).where(and(eq(labFiles.userId, userId), inArray(labFiles.labId, labIds))),
        appliesOf(db, userId, labIds),
      ])
    : [[], [], [], []];
  const keys = deps.keys ?? attemptKeyring();
  const chains = userId ? await Promise.all(labIds.map((labId) => verifyAttemptChain(db, { userId, labId }, keys))) : [];

  const deadline = invite.startedAt ? new Date(invite.startedAt.getTime() + settings.timeLimitMinutes * 60_000) : null;
  const end = invite.submittedAt ?? (deadline && deadline < now ? deadline : now);
  const activities: Activity[] = [
    ...attemptRows.map((a) => ({ labId: a.labId, at: a.createdAt })),
    ...revisionRows.map((r) => ({ labId: r.labId, at: r.at })),
    ...applyRows.map((a) => ({ labId: a.labId, at: a.createdAt })),
  ];
  const recorded = recordedTimePerLab(eventRows.filter((e) => e.kind === "active").map((e) => ({ labId: e.labId, ms: e.amount ?? 0 })));
  const time = estimateTimePerLab(activities, invite.startedAt, invite.startedAt ? end : null);
  const titleOf = (labId: string | null) => settings.labs.find((l) => l.labId === labId)?.title ?? null;

  const labs: LabReportDTO[] = settings.labs.map((snapshot, index) => {
    const lab = getLab(snapshot.labId);
    const attempts = attemptRows.filter((a) => a.labId === snapshot.labId);
    const last = attempts.at(-1);
    const starter = lab ? starterFiles(lab) : {};
    const saved = new Map(fileRows.filter((f) => f.labId === snapshot.labId).map((f) => [f.path, f]));
    return {
      labId: snapshot.labId,
      title: snapshot.title,
      weight: snapshot.weight,
      available: lab !== null,
      sandbox: Boolean(lab?.sandbox),
      score: last ? { earned: last.score, max: last.maxScore, percent: last.maxScore ? (100 * last.score) / last.maxScore : 0 } : null,
      checks: (last?.results ?? []).map((r) => ({ id: r.id, title: r.title, status: r.status, points: r.points, earned: r.earned, message: r.message, details: r.details ?? [] })),
      attempts: attempts.map((a) => ({ seq: a.seq, at: a.createdAt, earned: a.score, max: a.maxScore, percent: a.maxScore ? (100 * a.score) / a.maxScore : 0, completed: a.completed })),
      estimatedMs: time.get(snapshot.labId) ?? 0,
      recordedMs: recorded ? (recorded.get(snapshot.labId) ?? 0) : null,
      files: (lab?.files ?? [])
        .filter((f) => !f.readonly)
        .map((f) => {
          const row = saved.get(f.path);
          const final = row?.content ?? starter[f.path] ?? "";
          return { path: f.path, language: f.language, starter: starter[f.path] ?? "", final, changed: final !== (starter[f.path] ?? ""), revision: row?.revision ?? 0 };
        }),
      revisions: revisionRows.filter((r) => r.labId === snapshot.labId).map(({ labId: _labId, ...r }) => r),
      applies: applyRows.filter((a) => a.labId === snapshot.labId).map(applyOf),
      integrity: chains[index] ? integrityOf(chains[index]) : { verified: true, attempts: 0, reason: null },
    };
  });
  const percent = weightedPercent(labs.map((l) => ({ labId: l.labId, weight: l.weight, earned: l.score?.earned ?? null, max: l.score?.max ?? null })));
  return {
    inviteId: invite.id,
    assessmentId: invite.assessmentId,
    name: invite.name,
    email: invite.email,
    status: inviteStatus(invite, now),
    startedAt: invite.startedAt,
    submittedAt: invite.submittedAt,
    deadline,
    version: { number: version.number, currentNumber: context.currentNumber, title: settings.title, timeLimitMinutes: settings.timeLimitMinutes, passMarkPercent: settings.passMarkPercent },
    percent,
    passed: passes(percent, settings.passMarkPercent),
    labs,
    timeRecorded: recorded !== null,
    pastes: eventRows
      .filter((e) => e.kind === "paste")
      .map((e) => ({ at: e.at, chars: e.amount ?? 0, path: e.path ?? "", labId: e.labId, labTitle: titleOf(e.labId) })),
    away: timesAway(eventRows.flatMap((e) => (e.kind === "focus-lost" || e.kind === "focus-back" ? [{ kind: e.kind, at: e.at, labId: e.labId }] : []))).map((a) => ({
      ...a,
      labTitle: titleOf(a.labId),
    })),
  };
}

const RevisionRequestSchema = z.object({
  assessmentId: z.string().min(1).max(100),
  inviteId: z.string().min(1).max(100),
  labId: LabIdSchema,
  path: z.string().min(1).max(500),
  revision: z.number().int().min(1).max(1_000_000),
});

export type RevisionTextDTO = {
  path: string;
  revision: number;
  source: LabFileSource;
  at: Date;
  content: string;
  /** The file just before this revision: the previous revision, or the starter for the first. */
  previous: string;
};

/** One revision's text for the replay, with the text before it, scoped like the report. */
export async function candidateRevisionText(
  db: Database,
  actor: Actor,
  request: { assessmentId: unknown; inviteId: unknown; labId: unknown; path: unknown; revision: unknown },
): Promise<{ ok: true; revision: RevisionTextDTO } | Failure<"not-found" | "no-organisation" | "invalid-input">> {
  const scope = await reviewerScope(db, actor);
  if (!isScope(scope)) return scope;
  const parsed = RevisionRequestSchema.safeParse(request);
  if (!parsed.success) return failure("invalid-input", "That is not a revision of this report: reload the page and pick one from the replay.");
  const { assessmentId, inviteId, labId, path, revision } = parsed.data;
  const context = await loadInvite(db, scope.organisationId, assessmentId, inviteId);
  const userId = context?.invite.candidateUserId;
  if (!context || !userId || !context.version.settings.labs.some((l) => l.labId === labId)) return NOT_FOUND;
  const rows = await db
    .select()
    .from(labFileRevisions)
    .where(
      and(
        eq(labFileRevisions.userId, userId),
        eq(labFileRevisions.labId, labId),
        eq(labFileRevisions.path, path),
        inArray(labFileRevisions.revision, revision > 1 ? [revision - 1, revision] : [revision]),
      ),
    );
  const row = rows.find((r) => r.revision === revision);
  if (!row) return failure("not-found", `Revision ${revision} of "${path}" is not in this candidate's history.`);
  const lab = getLab(labId);
  const before = rows.find((r) => r.revision === revision - 1)?.content ?? (lab ? (starterFiles(lab)[path] ?? "") : "");
  return { ok: true, revision: { path: row.path, revision: row.revision, source: row.source, at: row.createdAt, content: row.content, previous: before } };
}
