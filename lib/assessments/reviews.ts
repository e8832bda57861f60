// Reviewers' notes and 1–5 ratings of a candidate (issue 11, part 6): each reviewer of the
// organisation keeps their own (one row per invite and reviewer, upserted) and reads everyone's,
// with names and times. Scoped like the report: a learner gets ForbiddenError, an invite of
// another organisation is `not-found`. Clearing both the rating and the notes removes the row,
// so an empty review never shows as someone's opinion.
import "server-only";
import { and, asc, eq } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { assessmentInvites, assessmentReviews, assessments, users } from "@/lib/db/schema";
import { takeUserLimit, type RateLimited } from "@/lib/rate-limit/limits";
import { failure, type Failure } from "@/lib/result";
import { isScope, reviewerScope, type Actor } from "./organisations";
import { ReviewInputSchema } from "./schema";

export type CandidateReviewDTO = { reviewerId: string; name: string; email: string; rating: number | null; notes: string; updatedAt: Date; mine: boolean };

const NOT_FOUND = failure("not-found", "There is no such candidate in your organisation.");

async function inviteInOrganisation(db: Database, organisationId: string, assessmentId: unknown, inviteId: unknown): Promise<boolean> {
  if (typeof assessmentId !== "string" || typeof inviteId !== "string" || assessmentId.length > 100 || inviteId.length > 100) return false;
  const [row] = await db
    .select({ id: assessmentInvites.id })
    .from(assessmentInvites)
    .innerJoin(assessments, eq(assessments.id, assessmentInvites.assessmentId))
    .where(and(eq(assessmentInvites.id, inviteId), eq(assessmentInvites.assessmentId, assessmentId), eq(assessments.organisationId, organisationId)))
    .limit(1);
  return Boolean(row);
}

/** Every reviewer's notes and rating of the candidate, the acting reviewer's first, then by name. */
export async function listCandidateReviews(
  db: Database,
  actor: Actor,
  assessmentId: string,
  inviteId: string,
): Promise<{ ok: true; reviews: CandidateReviewDTO[] } | Failure<"not-found" | "no-organisation">> {
  const scope = await reviewerScope(db, actor);
  if (!isScope(scope)) return scope;
  if (!(await inviteInOrganisation(db, scope.organisationId, assessmentId, inviteId))) return NOT_FOUND;
  const rows = await db
    .select({
      reviewerId: assessmentReviews.reviewerId,
      name: users.name,
      email: users.email,
      rating: assessmentReviews.rating,
      notes: assessmentReviews.notes,
      updatedAt: assessmentReviews.updatedAt,
    })
    .from(assessmentReviews)
    .innerJoin(users, eq(users.id, assessmentReviews.reviewerId))
    .where(eq(assessmentReviews.inviteId, inviteId))
    .orderBy(asc(users.name), asc(users.email));
  const reviews = rows.map((r) => ({ ...r, mine: r.reviewerId === scope.userId }));
  return { ok: true, reviews: [...reviews.filter((r) => r.mine), ...reviews.filter((r) => !r.mine)] };
}

/** Writes the acting reviewer's own notes and rating (rating 1–5 or empty, notes up to 10 000 characters). */
export async function saveCandidateReview(
  db: Database,
  actor: Actor,
  input: { assessmentId: unknown; inviteId: unknown; rating: unknown; notes: unknown },
  now: Date = new Date(),
): Promise<{ ok: true; review: { rating: number | null; notes: string; updatedAt: Date } | null } | Failure<"not-found" | "no-organisation" | "invalid-input"> | RateLimited> {
  const scope = await reviewerScope(db, actor);
  if (!isScope(scope)) return scope;
  if (!(await inviteInOrganisation(db, scope.organisationId, input.assessmentId, input.inviteId))) return NOT_FOUND;
  const parsed = ReviewInputSchema.safeParse({ rating: input.rating, notes: input.notes ?? "" });
  if (!parsed.success) return failure("invalid-input", parsed.error.issues[0]!.message);
  const allowed = await takeUserLimit(db, "review", scope.userId, now);
  if (!allowed.ok) return allowed;
  const inviteId = input.inviteId as string;
  const { rating, notes } = parsed.data;
  if (rating === null && notes === "") {
    await db.delete(assessmentReviews).where(and(eq(assessmentReviews.inviteId, inviteId), eq(assessmentReviews.reviewerId, scope.userId)));
    return { ok: true, review: null };
  }
  await db
    .insert(assessmentReviews)
    .values({ inviteId, reviewerId: scope.userId, rating, notes, updatedAt: now })
    .onConflictDoUpdate({ target: [assessmentReviews.inviteId, assessmentReviews.reviewerId], set: { rating, notes, updatedAt: now } });
  return { ok: true, review: { rating, notes, updatedAt: now } };
}
