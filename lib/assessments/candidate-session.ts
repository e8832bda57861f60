// The candidate's session (issue 11, part 4; decision 017): Start makes the invite's hidden user
// and fixes the deadline on the server, binds the link to one browser, and Submit (or the deadline)
// freezes the work, grades each lab one last time and stops the candidate's sandboxes. No acting
// user: the link's token, and then the browser's binding secret, are the candidate's credentials.
import "server-only";
import { createHash, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { and, eq, lte, or } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import {
  assessmentInvites,
  assessmentVersions,
  users,
  type AssessmentInviteRow,
  type AssessmentSettings,
  type FinalLabGrading,
} from "@/lib/db/schema";
import { gradeAttempt, type GradingDeps } from "@/lib/grading/grader";
import { reportServerError } from "@/lib/http/server-error";
import { failure, type Failure } from "@/lib/result";
import { stopSandbox } from "@/lib/sandbox/lifecycle";
import { liveSandboxForLab } from "@/lib/sandbox/queries";
import type { SandboxDeps } from "@/lib/sandbox/results";
import { formatMoment, onDeadlinePassed } from "./gate";
import { findInviteByToken, type InviteLookup } from "./invite-lookup";
import { hashInviteToken } from "./tokens";

/** The browser's binding cookie for one invite (httpOnly; its value is the secret, the invite keeps its hash). */
export function bindingCookieName(inviteId: string): string {
  return `academy-take-${inviteId}`;
}

function hashSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** True when `secret` (the cookie's value, if any) is the one bound to the invite at Start. */
export function bindingMatches(bindingHash: string | null, secret: string | undefined | null): boolean {
  if (!bindingHash || !secret) return false;
  const a = Buffer.from(hashSecret(secret), "hex");
  const b = Buffer.from(bindingHash, "hex");
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The hidden user's email: unique per user, in a domain that can never receive mail (RFC 2606). */
function candidateEmail(userId: string): string {
  return `candidate-${userId}@candidates.invalid`;
}

export type StartFailureCode = "unknown" | "expired" | "revoked" | "used" | "other-browser" | "closed";

export type StartResult =
  | {
      ok: true;
      inviteId: string;
      userId: string;
      sessionVersion: number;
      deadlineAt: Date;
      /** Set only when this call bound the browser: the cookie to set. */
      bindingSecret: string | null;
    }
  | Failure<StartFailureCode>;

export const OTHER_BROWSER =
  "This assessment was started in another browser, and the link works only there. If you cannot get back to that browser, ask whoever invited you to reset your link: they can send you a new one.";

/**
 * Starts the assessment behind `token`, or continues it in the browser that started it
 * (`presentedSecret`: the binding cookie's value). The invite row is locked for the whole
 * decision, so a double click or two tabs make one hidden user and one clock: the second call
 * finds the session started and is a continuation (same browser) or a refusal (another one).
 */
export async function startAssessment(db: Database, token: string, presentedSecret: string | null, now: Date = new Date()): Promise<StartResult> {
  const lookup = await findInviteByToken(db, token, now);
  if (!lookup.ok) return failure(lookup.code, lookup.error);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ invite: assessmentInvites, settings: assessmentVersions.settings })
      .from(assessmentInvites)
      .innerJoin(assessmentVersions, eq(assessmentVersions.id, assessmentInvites.versionId))
      .where(eq(assessmentInvites.tokenHash, hashInviteToken(token)))
      .for("update", { of: assessmentInvites });
    // Between the lookup and the lock, a reset may have replaced the token, or a revoke cut it.
    if (!row) return failure("unknown", "This link is not valid any more. Ask whoever invited you for a new one.");
    const { invite } = row;
    if (invite.submittedAt) return failure("used", `This assessment was already submitted at ${formatMoment(invite.submittedAt)}. Nothing more can be changed.`);
    if (invite.revokedAt) return failure("revoked", "This invite was withdrawn. If you think that is a mistake, contact whoever invited you.");
    if (invite.startedAt) {
      // Started, but its hidden user is gone (deleted): the clock is never restarted; a reset is the way.
      if (!invite.candidateUserId || !invite.deadlineAt) {
        return failure("closed", "This assessment session has ended. Ask whoever invited you to reset your link.");
      }
      if (!bindingMatches(invite.bindingHash, presentedSecret)) return failure("other-browser", OTHER_BROWSER);
      if (invite.status !== "started") return failure("closed", "Your work is being submitted; this page shows when it is done.");
      const [user] = await tx.select({ sessionVersion: users.sessionVersion }).from(users).where(eq(users.id, invite.candidateUserId));
      if (!user) return failure("closed", "This assessment session has ended. Contact whoever invited you.");
      return { ok: true as const, inviteId: invite.id, userId: invite.candidateUserId, sessionVersion: user.sessionVersion, deadlineAt: invite.deadlineAt, bindingSecret: null };
    }
    if (invite.expiresAt.getTime() <= now.getTime()) {
      return failure("expired", `This invite expired on ${formatMoment(invite.expiresAt)}. Ask whoever invited you to extend it.`);
    }
    const userId = randomUUID();
    await tx.insert(users).values({ id: userId, email: candidateEmail(userId), name: invite.name, passwordHash: null, role: "candidate" });
    const secret = randomBytes(32).toString("base64url");
    const deadlineAt = new Date(now.getTime() + row.settings.timeLimitMinutes * 60_000);
    await tx
      .update(assessmentInvites)
      .set({ startedAt: now, deadlineAt, candidateUserId: userId, bindingHash: hashSecret(secret), status: "started" })
      .where(eq(assessmentInvites.id, invite.id));
    return { ok: true as const, inviteId: invite.id, userId, sessionVersion: 0, deadlineAt, bindingSecret: secret };
  });
}

/** What the candidate's pages know once the browser is the bound one. */
export type CandidateSession = {
  inviteId: string;
  token: string;
  name: string;
  organisationName: string;
  userId: string;
  startedAt: Date;
  deadlineAt: Date;
  status: "started" | "grading";
  settings: AssessmentSettings;
  versionNumber: number;
};

export type SessionLookup =
  | { ok: true; state: "not-started"; lookup: Extract<InviteLookup, { ok: true }> }
  | { ok: true; state: "in-progress"; session: CandidateSession }
  | Failure<"unknown" | "expired" | "revoked">
  | (Failure<"used"> & { submittedAt: Date })
  | Failure<"other-browser">
  | Failure<"signed-out">;

/**
 * The candidate's pages' one question: for this link, this browser's binding cookie and the
 * signed-in user, what is there to show? `signed-out`: the bound browser lost its session
 * (cookies cleared); the page offers Continue, which signs it in again.
 */
export async function candidateSessionFor(
  db: Database,
  token: string,
  cookies: { binding: (inviteId: string) => string | undefined; signedInUserId: string | null },
  now: Date = new Date(),
): Promise<SessionLookup> {
  const lookup = await findInviteByToken(db, token, now);
  if (!lookup.ok) return lookup;
  const { invite } = lookup;
  if (!invite.startedAt || !invite.candidateUserId) return { ok: true, state: "not-started", lookup };
  const [row] = await db.select().from(assessmentInvites).where(eq(assessmentInvites.id, invite.id)).limit(1);
  if (!row || !bindingMatches(row.bindingHash, cookies.binding(invite.id))) return failure("other-browser", OTHER_BROWSER);
  if (cookies.signedInUserId !== invite.candidateUserId) {
    return failure("signed-out", "This browser is no longer signed in to your assessment. Press Continue to carry on; the clock has kept running.");
  }
  return {
    ok: true,
    state: "in-progress",
    session: {
      inviteId: invite.id,
      token,
      name: invite.name,
      organisationName: invite.organisationName,
      userId: invite.candidateUserId,
      startedAt: invite.startedAt,
      deadlineAt: row.deadlineAt ?? invite.startedAt,
      status: row.status === "grading" ? "grading" : "started",
      settings: invite.version.settings,
      versionNumber: invite.version.number,
    },
  };
}

export type SubmissionDeps = { grading?: GradingDeps; sandbox?: SandboxDeps };

export type SubmitResult =
  | { ok: true; submittedAt: Date; labs: FinalLabGrading[]; already: boolean }
  | Failure<"in-progress">
  | Failure<"not-started">
  | Failure<"not-found">;

const IN_PROGRESS = failure("in-progress", "Your work is being submitted and graded right now; this page shows the result when it is done.");

/**
 * Submits a candidate's work: by the candidate (Submit), or by the deadline (the sweep, or the
 * first candidate request after it). The switch to `grading` is one conditional update on the
 * locked row, so of two submits only one does the work; the other is answered `in-progress`, or
 * with the finished submission (`already`). Saves hold the same row (FOR SHARE, lib/assessments/
 * gate.ts) while they write, so the final grading reads every save that was accepted and no other.
 */
export async function submitAssessment(
  db: Database,
  inviteId: string,
  options: { now?: Date; deps?: SubmissionDeps } = {},
): Promise<SubmitResult> {
  const now = options.now ?? new Date();
  const claimed = await db.transaction(async (tx) => {
    const [row] = await tx
      .select({ invite: assessmentInvites, settings: assessmentVersions.settings })
      .from(assessmentInvites)
      .innerJoin(assessmentVersions, eq(assessmentVersions.id, assessmentInvites.versionId))
      .where(eq(assessmentInvites.id, inviteId))
      .for("update", { of: assessmentInvites });
    if (!row) return failure("not-found", "There is no such invite.");
    const { invite } = row;
    if (invite.status === "submitted" && invite.submittedAt) {
      return { ok: true as const, done: true as const, invite };
    }
    if (invite.status === "grading") return IN_PROGRESS;
    if (invite.status !== "started" || !invite.candidateUserId || !invite.deadlineAt) return failure("not-started", "This assessment has not been started.");
    await tx.update(assessmentInvites).set({ status: "grading" }).where(eq(assessmentInvites.id, invite.id));
    return { ok: true as const, done: false as const, invite, settings: row.settings };
  });
  if (!claimed.ok) return claimed;
  if (claimed.done) {
    return { ok: true, submittedAt: claimed.invite.submittedAt!, labs: claimed.invite.submission?.labs ?? [], already: true };
  }
  return finishSubmission(db, claimed.invite, claimed.settings, now, options.deps ?? {});
}

/** After the claim: grade each lab on the frozen files, stop the sandboxes, record the submission. */
async function finishSubmission(
  db: Database,
  invite: AssessmentInviteRow,
  settings: AssessmentSettings,
  now: Date,
  deps: SubmissionDeps,
): Promise<SubmitResult> {
  const user = { id: invite.candidateUserId! };
  const deadlineAt = invite.deadlineAt!;
  const labs: FinalLabGrading[] = [];
  for (const { labId } of settings.labs) labs.push(await finalGrading(db, user, labId, deps.grading ?? {}));
  await stopCandidateSandboxes(db, user.id, settings.labs.map((l) => l.labId), deps.sandbox ?? {});
  // Work after the deadline was refused, so a late sweep still dates the submission at the deadline.
  const submittedAt = now.getTime() > deadlineAt.getTime() ? deadlineAt : now;
  const reason = now.getTime() >= deadlineAt.getTime() ? "deadline" : "candidate";
  await db
    .update(assessmentInvites)
    .set({ status: "submitted", submittedAt, submission: { reason, labs } })
    .where(and(eq(assessmentInvites.id, invite.id), eq(assessmentInvites.status, "grading")));
  return { ok: true, submittedAt, labs, already: false };
}

/** A check the candidate started just before submitting holds the lab's grading lock: wait for it. */
const BUSY_RETRIES = 10;
const BUSY_WAIT_MS = 1_500;

/** One lab's final grading; an unreachable cluster or a crash is recorded as the reason, never thrown. */
async function finalGrading(db: Database, user: { id: string }, labId: string, deps: GradingDeps): Promise<FinalLabGrading> {
  try {
    for (let tries = 0; ; tries++) {
      // The final grading is the platform's, not the candidate's: no rate limit.
      const result = await gradeAttempt(db, user, labId, undefined, { rateLimit: null, ...deps });
      if (result.ok) return { labId, attemptId: result.attempt.id, score: result.attempt.score, maxScore: result.attempt.maxScore, error: null };
      if (result.code === "already-running" && tries < BUSY_RETRIES) {
        await new Promise((resolve) => setTimeout(resolve, BUSY_WAIT_MS));
        continue;
      }
      return { labId, attemptId: null, score: null, maxScore: null, error: `The final grading could not run: ${result.error}` };
    }
  } catch (error) {
    const { error: words } = reportServerError("The final grading failed on the server.", `assessment: final grading of ${labId} for ${user.id}`, error);
    return { labId, attemptId: null, score: null, maxScore: null, error: words };
  }
}

/**
 * Stops a candidate's sandboxes of these labs, if any: after the submission, and when a reviewer
 * revokes or resets a started invite (invites.ts). A cluster that is away leaves them to the
 * reaper's expiry; nothing here throws.
 */
export async function stopCandidateSandboxes(db: Database, userId: string, labIds: readonly string[], deps: SandboxDeps = {}): Promise<void> {
  const user = { id: userId };
  for (const labId of labIds) {
    try {
      const sandbox = await liveSandboxForLab(db, user, labId);
      if (!sandbox) continue;
      const stopped = await stopSandbox(db, user, sandbox.id, () => {}, deps);
      if (!stopped.ok) console.warn(`assessment: stopping ${sandbox.namespace} of a candidate failed (${stopped.error}); the reaper removes it at its expiry`);
    } catch (error) {
      reportServerError("", `assessment: stopping the sandbox of ${labId} for candidate ${userId}`, error);
    }
  }
}

/** A submission whose process died mid-grading is taken up again this long after its deadline. */
export const ABANDONED_GRADING_MS = 30 * 60_000;

/**
 * Submits every started candidate whose deadline has passed, and finishes submissions abandoned
 * in `grading` (the process died). Run by the server every half minute (instrumentation.ts) and
 * lazily by the candidate's pages; returns the invites it submitted.
 */
export async function sweepAssessmentDeadlines(db: Database, options: { now?: Date; deps?: SubmissionDeps } = {}): Promise<string[]> {
  const now = options.now ?? new Date();
  const due = await db
    .select({ id: assessmentInvites.id, status: assessmentInvites.status })
    .from(assessmentInvites)
    .where(
      or(
        and(eq(assessmentInvites.status, "started"), lte(assessmentInvites.deadlineAt, now)),
        and(eq(assessmentInvites.status, "grading"), lte(assessmentInvites.deadlineAt, new Date(now.getTime() - ABANDONED_GRADING_MS))),
      ),
    )
    .limit(100);
  const submitted: string[] = [];
  for (const invite of due) {
    if (invite.status === "grading") {
      // Abandoned: put it back to started so the usual claim takes it (one sweeper wins the claim).
      await db
        .update(assessmentInvites)
        .set({ status: "started" })
        .where(and(eq(assessmentInvites.id, invite.id), eq(assessmentInvites.status, "grading")));
    }
    const result = await submitAssessment(db, invite.id, options);
    if (result.ok && !result.already) submitted.push(invite.id);
  }
  return submitted;
}

const globalForSweep = globalThis as unknown as { academyAssessmentSweep?: NodeJS.Timeout };

/**
 * Starts the deadline sweep in this server process (once), and the lazy submission the gate
 * triggers; an error is logged and the next round tries again.
 */
export function startAssessmentSweep(getDb: () => Promise<Database>, intervalMs = 30_000): void {
  if (globalForSweep.academyAssessmentSweep) return;
  let running = false;
  const round = async () => {
    if (running) return;
    running = true;
    try {
      const submitted = await sweepAssessmentDeadlines(await getDb());
      if (submitted.length) console.info(`assessment: submitted ${submitted.length} candidate(s) at their deadline`);
    } catch (error) {
      reportServerError("", "assessment: the deadline sweep failed", error);
    } finally {
      running = false;
    }
  };
  globalForSweep.academyAssessmentSweep = setInterval(() => void round(), intervalMs);
  globalForSweep.academyAssessmentSweep.unref();
  // The lazy half: a candidate request the gate refuses for the deadline submits at once (after
  // the request, outside its transaction); one submission per invite at a time from here.
  const submitting = new Set<string>();
  onDeadlinePassed((inviteId) => {
    if (submitting.has(inviteId)) return;
    submitting.add(inviteId);
    setImmediate(() => {
      void (async () => {
        try {
          await submitAssessment(await getDb(), inviteId);
        } catch (error) {
          reportServerError("", `assessment: the submission at the deadline of ${inviteId} failed (the sweep tries again)`, error);
        } finally {
          submitting.delete(inviteId);
        }
      })();
    });
  });
}
