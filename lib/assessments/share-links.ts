// Share links for one candidate's report (issue 11, part 8): a reviewer makes a link that shows the
// report read-only to someone without an account (a hiring manager), for a number of days. Tokens
// are made and stored like invite tokens (tokens.ts): 256 random bits in the link, only the SHA-256
// in the database, so a leaked database holds no usable link. Every opening of a valid link is
// logged with the client's address and user agent, and the reviewer sees the log. Creating,
// listing and revoking are scoped like the rest of lib/assessments; opening needs only the token.
import "server-only";
import { randomUUID } from "node:crypto";
import { and, desc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "@/lib/db/client";
import { assessmentInvites, assessments, assessmentShareLinks, assessmentShareLinkUses, users } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { failure, type Failure } from "@/lib/result";
import { sharedCandidateReport, type CandidateReportDTO, type ReportDeps } from "./report";
import { isScope, reviewerScope, type Actor } from "./organisations";
import { hashInviteToken, INVITE_TOKEN_PATTERN, newInviteToken } from "./tokens";

export const SHARE_PATH = "/shared/";
export const SHARE_LIMITS = { minDays: 1, maxDays: 90, usesShown: 50, userAgentChars: 300 } as const;

export type ShareLinkUseDTO = { at: Date; clientAddress: string | null; userAgent: string | null };
export type ShareLinkDTO = {
  id: string;
  createdAt: Date;
  createdBy: string | null;
  expiresAt: Date;
  revokedAt: Date | null;
  state: "active" | "expired" | "revoked";
  uses: number;
  /** The newest first, at most SHARE_LIMITS.usesShown. */
  recentUses: ShareLinkUseDTO[];
};

const NOT_FOUND = failure("not-found", "There is no such candidate in your organisation.");
const DaysSchema = z.coerce
  .number({ error: "The number of days must be a whole number." })
  .int("The number of days must be a whole number.")
  .min(SHARE_LIMITS.minDays, `A share link is valid for at least ${SHARE_LIMITS.minDays} day.`)
  .max(SHARE_LIMITS.maxDays, `A share link is valid for at most ${SHARE_LIMITS.maxDays} days: make a new one when it runs out.`);

export function shareLink(token: string, baseUrl: string = env.NEXTAUTH_URL): string {
  return new URL(`${SHARE_PATH}${token}`, baseUrl).toString();
}

/** The invite if it is a candidate of this assessment in the reviewer's organisation. */
async function scopedInvite(db: Database, organisationId: string, assessmentId: string, inviteId: string): Promise<{ id: string } | null> {
  const [row] = await db
    .select({ id: assessmentInvites.id })
    .from(assessmentInvites)
    .innerJoin(assessments, eq(assessments.id, assessmentInvites.assessmentId))
    .where(and(eq(assessmentInvites.id, inviteId), eq(assessmentInvites.assessmentId, assessmentId), eq(assessments.organisationId, organisationId)))
    .limit(1);
  return row ?? null;
}

const stateOf = (link: { expiresAt: Date; revokedAt: Date | null }, now: Date): ShareLinkDTO["state"] =>
  link.revokedAt ? "revoked" : link.expiresAt.getTime() <= now.getTime() ? "expired" : "active";

export async function createShareLink(
  db: Database,
  actor: Actor,
  assessmentId: string,
  inviteId: string,
  input: { days: unknown },
  now: Date = new Date(),
): Promise<{ ok: true; id: string; link: string; expiresAt: Date } | Failure<"not-found" | "no-organisation" | "invalid-input">> {
  const scope = await reviewerScope(db, actor);
  if (!isScope(scope)) return scope;
  const days = DaysSchema.safeParse(input.days);
  if (!days.success) return failure("invalid-input", `Valid for: ${days.error.issues[0]!.message}`);
  if (!(await scopedInvite(db, scope.organisationId, assessmentId, inviteId))) return NOT_FOUND;
  const { token, hash } = newInviteToken();
  const id = randomUUID();
  const expiresAt = new Date(now.getTime() + days.data * 86_400_000);
  await db.insert(assessmentShareLinks).values({ id, inviteId, tokenHash: hash, createdBy: scope.userId, createdAt: now, expiresAt });
  return { ok: true, id, link: shareLink(token), expiresAt };
}

export async function listShareLinks(
  db: Database,
  actor: Actor,
  assessmentId: string,
  inviteId: string,
  now: Date = new Date(),
): Promise<{ ok: true; links: ShareLinkDTO[] } | Failure<"not-found" | "no-organisation">> {
  const scope = await reviewerScope(db, actor);
  if (!isScope(scope)) return scope;
  if (!(await scopedInvite(db, scope.organisationId, assessmentId, inviteId))) return NOT_FOUND;
  const links = await db
    .select({ link: assessmentShareLinks, createdBy: users.name })
    .from(assessmentShareLinks)
    .leftJoin(users, eq(users.id, assessmentShareLinks.createdBy))
    .where(eq(assessmentShareLinks.inviteId, inviteId))
    .orderBy(desc(assessmentShareLinks.createdAt));
  const uses = links.length
    ? await db
        .select()
        .from(assessmentShareLinkUses)
        .where(
          inArray(
            assessmentShareLinkUses.linkId,
            links.map((l) => l.link.id),
          ),
        )
        .orderBy(desc(assessmentShareLinkUses.at))
    : [];
  return {
    ok: true,
    links: links.map(({ link, createdBy }) => {
      const mine = uses.filter((u) => u.linkId === link.id);
      return {
        id: link.id,
        createdAt: link.createdAt,
        createdBy,
        expiresAt: link.expiresAt,
        revokedAt: link.revokedAt,
        state: stateOf(link, now),
        uses: mine.length,
        recentUses: mine.slice(0, SHARE_LIMITS.usesShown).map((u) => ({ at: u.at, clientAddress: u.clientAddress, userAgent: u.userAgent })),
      };
    }),
  };
}

/** Revoking twice is fine (the first time stays recorded); a link of another organisation is not-found. */
export async function revokeShareLink(
  db: Database,
  actor: Actor,
  linkId: string,
  now: Date = new Date(),
): Promise<{ ok: true } | Failure<"not-found" | "no-organisation">> {
  const scope = await reviewerScope(db, actor);
  if (!isScope(scope)) return scope;
  const [row] = await db
    .select({ id: assessmentShareLinks.id, revokedAt: assessmentShareLinks.revokedAt })
    .from(assessmentShareLinks)
    .innerJoin(assessmentInvites, eq(assessmentInvites.id, assessmentShareLinks.inviteId))
    .innerJoin(assessments, eq(assessments.id, assessmentInvites.assessmentId))
    .where(and(eq(assessmentShareLinks.id, linkId), eq(assessments.organisationId, scope.organisationId)))
    .limit(1);
  if (!row) return failure("not-found", "There is no such share link in your organisation.");
  if (!row.revokedAt) await db.update(assessmentShareLinks).set({ revokedAt: now }).where(eq(assessmentShareLinks.id, row.id));
  return { ok: true };
}

export type ShareVisitor = { clientAddress: string; userAgent: string | null };
export type SharedReportFailure = Failure<"unknown" | "expired" | "revoked">;

/**
 * The report behind a share link, for anyone holding the token. Refused links say why (unknown,
 * expired, revoked) without saying whose report it was; a valid opening is logged first.
 */
export async function openSharedReport(
  db: Database,
  token: string,
  visitor: ShareVisitor,
  deps: ReportDeps = {},
): Promise<{ ok: true; report: CandidateReportDTO; expiresAt: Date } | SharedReportFailure> {
  const now = deps.now ?? new Date();
  const unknown = failure("unknown", "This share link is not valid: check that it was copied whole, or ask the person who sent it for a new one.");
  if (!INVITE_TOKEN_PATTERN.test(token)) return unknown;
  const [link] = await db.select().from(assessmentShareLinks).where(eq(assessmentShareLinks.tokenHash, hashInviteToken(token))).limit(1);
  if (!link) return unknown;
  if (link.revokedAt) return failure("revoked", "This share link was withdrawn by the organisation that made it. Ask them for a new one if you still need the report.");
  if (link.expiresAt.getTime() <= now.getTime()) return failure("expired", "This share link has expired. Ask the organisation that sent it for a new one.");
  const report = await sharedCandidateReport(db, link.inviteId, { ...deps, now });
  if (!report) return unknown;
  await db.insert(assessmentShareLinkUses).values({
    id: randomUUID(),
    linkId: link.id,
    at: now,
    clientAddress: visitor.clientAddress.slice(0, 64),
    userAgent: visitor.userAgent ? visitor.userAgent.slice(0, SHARE_LIMITS.userAgentChars) : null,
  });
  return { ok: true, report, expiresAt: link.expiresAt };
}
