// The one rule every lab entry point applies to an assessment candidate (decision 017): a
// candidate's hidden user may change its work only on a lab of its own assessment version, only
// while its session is started, before the deadline the server fixed at Start, and not once the
// submission has begun. Anyone else (learners, reviewers, admins) passes untouched. lib/workspace
// calls it from every function that changes a lab (save, reset, apply, check, sandbox, build,
// terminal), so a route or action cannot forget it; saves call it inside their transaction with
// `lock`, so a save and the submission's freeze happen one after the other, never interleaved.
import "server-only";
import { eq } from "drizzle-orm";
import type { ActingUser } from "@/lib/auth/acting-user";
import type { Database } from "@/lib/db/client";
import { assessmentInvites, assessmentVersions, users, type AssessmentInviteRow, type AssessmentSettings } from "@/lib/db/schema";
import { failure, type Failure } from "@/lib/result";

export type AssessmentGateFailure = Failure<"assessment-closed"> | Failure<"not-found">;
export type AssessmentGateResult = { ok: true } | AssessmentGateFailure;

/** A moment as candidates read it everywhere (UTC, so every candidate reads the same words). */
export function formatMoment(date: Date): string {
  return date.toUTCString();
}

/** The words for a candidate whose work can no longer change, by the invite's state. */
export function closedMessage(invite: Pick<AssessmentInviteRow, "status" | "submittedAt" | "deadlineAt" | "revokedAt">, now: Date): string {
  if (invite.status === "submitted" && invite.submittedAt) {
    return `The assessment's time is up: your work was submitted at ${formatMoment(invite.submittedAt)}. Nothing more is saved.`;
  }
  if (invite.status === "grading") {
    return "Your work is being submitted: it is frozen and graded as it is. Nothing more is saved.";
  }
  if (invite.revokedAt) return "This assessment was withdrawn by whoever invited you. Nothing more is saved.";
  if (invite.deadlineAt && invite.deadlineAt.getTime() <= now.getTime()) {
    return `The assessment's time is up (the deadline was ${formatMoment(invite.deadlineAt)}): your work is being submitted as it was then. Nothing more is saved.`;
  }
  return "This assessment session has ended. Nothing more is saved.";
}

/**
 * Called with the invite when the gate refuses a candidate whose deadline has passed but whose
 * work is not yet submitted: the lazy half of the automatic submission. The server sets it
 * (`startAssessmentSweep`), so any candidate request after the deadline starts the submission
 * at once instead of at the next sweep; unset (tests, scripts), the gate only refuses.
 */
let deadlinePassed: ((inviteId: string) => void) | null = null;

export function onDeadlinePassed(handler: ((inviteId: string) => void) | null): void {
  deadlinePassed = handler;
}

const ENDED = failure(
  "assessment-closed",
  "This assessment session has ended (its link was reset or withdrawn). Open the link you were sent again, or contact whoever invited you.",
);

/**
 * `labId`: the lab the request changes (null for a change that is not about one lab). `lock`:
 * inside a transaction, holds the invite row (FOR SHARE) until it commits, so the submission's
 * "status = grading" waits for the save and a later save sees it.
 */
export async function assessmentGate(
  db: Database,
  user: ActingUser,
  labId: string | null,
  options: { now?: Date; lock?: boolean } = {},
): Promise<AssessmentGateResult> {
  const now = options.now ?? new Date();
  const [account] = await db.select({ role: users.role }).from(users).where(eq(users.id, user.id)).limit(1);
  if (account?.role !== "candidate") return { ok: true };
  const query = db
    .select({ invite: assessmentInvites, settings: assessmentVersions.settings })
    .from(assessmentInvites)
    .innerJoin(assessmentVersions, eq(assessmentVersions.id, assessmentInvites.versionId))
    .where(eq(assessmentInvites.candidateUserId, user.id))
    .limit(1);
  const [row] = options.lock ? await query.for("share", { of: assessmentInvites }) : await query;
  // A reset or a deleted assessment leaves the old hidden user without an invite: it may do nothing.
  if (!row) return ENDED;
  const { invite } = row;
  if (invite.revokedAt || invite.status !== "started" || !invite.deadlineAt || invite.deadlineAt.getTime() <= now.getTime()) {
    if (invite.status === "started" && invite.deadlineAt && invite.deadlineAt.getTime() <= now.getTime()) deadlinePassed?.(invite.id);
    return failure("assessment-closed", closedMessage(invite, now));
  }
  if (labId !== null && !labInVersion(row.settings, labId)) return failure("not-found", "This lab is not part of your assessment.");
  return { ok: true };
}

/** What a candidate may see of their checks (its version's settings); null for anyone who is not a candidate. */
export async function candidateResultsPolicy(db: Database, user: ActingUser): Promise<{ showResults: boolean; showHints: boolean } | null> {
  const [row] = await db
    .select({ role: users.role, settings: assessmentVersions.settings })
    .from(users)
    .leftJoin(assessmentInvites, eq(assessmentInvites.candidateUserId, users.id))
    .leftJoin(assessmentVersions, eq(assessmentVersions.id, assessmentInvites.versionId))
    .where(eq(users.id, user.id))
    .limit(1);
  if (row?.role !== "candidate") return null;
  // A candidate without an invite (reset) sees nothing: the gate refuses its checks anyway.
  return row.settings ? { showResults: row.settings.showResults, showHints: row.settings.showHints } : { showResults: false, showHints: false };
}

export function labInVersion(settings: AssessmentSettings, labId: string): boolean {
  return settings.labs.some((lab) => lab.labId === labId);
}
