// The candidate's side of an invite: the one lookup of a link's token, for the candidate's pages
// (issue 11, part 4). It takes no acting user: the link is the candidate's only credential, so
// what it answers is decided by the invite's own state alone.
import "server-only";
import { eq } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { assessmentInvites, assessments, assessmentVersions, organisations, type AssessmentSettings, type CandidateSessionState } from "@/lib/db/schema";
import { failure, type Failure } from "@/lib/result";
import { hashInviteToken, INVITE_TOKEN_PATTERN } from "./tokens";

/** What the candidate's pages know about an invite whose link is valid. */
export type InviteForCandidate = {
  id: string;
  assessmentId: string;
  organisationName: string;
  name: string;
  email: string;
  expiresAt: Date;
  startedAt: Date | null;
  candidateUserId: string | null;
  status: CandidateSessionState | null;
  version: { id: string; number: number; settings: AssessmentSettings };
};

export type InviteLookup =
  | { ok: true; invite: InviteForCandidate }
  | Failure<"unknown">
  | (Failure<"expired"> & { expiredAt: Date })
  | Failure<"revoked">
  | (Failure<"used"> & { submittedAt: Date });

/**
 * The invite behind a link's token, for the candidate's flow (part 4). The answers, in this
 * order: `unknown` (no such token: never made, mistyped, or replaced by a reset), `used` (already
 * submitted), `revoked`, `expired` (not started before the expiry; a started candidate is held to
 * the assessment's own deadline instead, which part 4 enforces), else `ok`.
 */
export async function findInviteByToken(db: Database, token: string, now: Date = new Date()): Promise<InviteLookup> {
  const unknown = failure("unknown", "This link is not valid. Check that you copied all of it, or ask whoever invited you for a new one.");
  if (typeof token !== "string" || !INVITE_TOKEN_PATTERN.test(token)) return unknown;
  const [row] = await db
    .select({ invite: assessmentInvites, version: assessmentVersions, organisationName: organisations.name })
    .from(assessmentInvites)
    .innerJoin(assessmentVersions, eq(assessmentVersions.id, assessmentInvites.versionId))
    .innerJoin(assessments, eq(assessments.id, assessmentInvites.assessmentId))
    .innerJoin(organisations, eq(organisations.id, assessments.organisationId))
    .where(eq(assessmentInvites.tokenHash, hashInviteToken(token)))
    .limit(1);
  if (!row) return unknown;
  const { invite, version } = row;
  if (invite.submittedAt) {
    return { ...failure("used", "This assessment has already been submitted with this link. Nothing more can be changed."), submittedAt: invite.submittedAt };
  }
  if (invite.revokedAt) return failure("revoked", "This invite was withdrawn. If you think that is a mistake, contact whoever invited you.");
  if (!invite.startedAt && invite.expiresAt.getTime() <= now.getTime()) {
    return {
      ...failure("expired", `This invite expired on ${invite.expiresAt.toUTCString()}. Ask whoever invited you to extend it.`),
      expiredAt: invite.expiresAt,
    };
  }
  return {
    ok: true,
    invite: {
      id: invite.id,
      assessmentId: invite.assessmentId,
      organisationName: row.organisationName,
      name: invite.name,
      email: invite.email,
      expiresAt: invite.expiresAt,
      startedAt: invite.startedAt,
      candidateUserId: invite.candidateUserId,
      status: invite.status,
      version: { id: version.id, number: version.number, settings: version.settings },
    },
  };
}

