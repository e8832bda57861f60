// Reviewers' notes and ratings on both databases: each reviewer upserts their own and sees
// everyone's with names and times; validated (rating 1–5 whole or empty, notes at most 10 000
// characters); another organisation's candidate is not found, a learner is forbidden.
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ForbiddenError } from "@/lib/auth/authorize";
import type { DatabaseHandle } from "@/lib/db/client";
import { assessmentReviews, organisationMembers } from "@/lib/db/schema";
import { DATABASE_KINDS, openTestDatabase } from "@/tests/support/databases";
import { createAssessment } from "./assessments";
import { createInvites } from "./invites";
import { listCandidateReviews, saveCandidateReview } from "./reviews";
import { builderInput, createOrganisationWithReviewer, createUser } from "./test-helpers";

describe.each(DATABASE_KINDS)("reviewers' notes and ratings on %s", (kind) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await openTestDatabase(kind);
  }, 60_000);
  afterAll(async () => {
    await handle?.close();
  });

  async function candidate() {
    const org = await createOrganisationWithReviewer(handle.db);
    const created = await createAssessment(handle.db, org.reviewer, builderInput());
    if (!created.ok) throw new Error(created.error);
    const invited = await createInvites(handle.db, org.reviewer, created.assessment.id, [{ name: "Ada", email: `${randomUUID()}@example.com` }]);
    if (!invited.ok) throw new Error(invited.error);
    const colleague = await createUser(handle.db, "reviewer", "Zed Colleague");
    await handle.db.insert(organisationMembers).values({ userId: colleague.id, organisationId: org.organisationId });
    return { ...org, colleague, assessmentId: created.assessment.id, inviteId: invited.invites[0]!.id };
  }

  test("each reviewer writes their own (upsert) and reads everyone's with names and times; clearing both removes it", async () => {
    const { reviewer, colleague, assessmentId, inviteId } = await candidate();
    const t1 = new Date("2026-12-03T10:00:00Z");
    const t2 = new Date("2026-12-03T11:00:00Z");
    expect(await saveCandidateReview(handle.db, reviewer, { assessmentId, inviteId, rating: "4", notes: "  Solid Dockerfile.\r\nSlow on k8s.  " }, t1)).toEqual({
      ok: true,
      review: { rating: 4, notes: "Solid Dockerfile.\nSlow on k8s.", updatedAt: t1 },
    });
    await saveCandidateReview(handle.db, colleague, { assessmentId, inviteId, rating: "", notes: "Ask about probes." }, t1);
    // The first reviewer changes their mind: still one row, the new rating and time.
    await saveCandidateReview(handle.db, reviewer, { assessmentId, inviteId, rating: 5, notes: "Solid." }, t2);
    expect(await handle.db.select().from(assessmentReviews).where(eq(assessmentReviews.inviteId, inviteId))).toHaveLength(2);

    const forColleague = await listCandidateReviews(handle.db, colleague, assessmentId, inviteId);
    expect(forColleague).toEqual({
      ok: true,
      reviews: [
        { reviewerId: colleague.id, name: "Zed Colleague", email: colleague.email, rating: null, notes: "Ask about probes.", updatedAt: t1, mine: true },
        { reviewerId: reviewer.id, name: reviewer.name, email: reviewer.email, rating: 5, notes: "Solid.", updatedAt: t2, mine: false },
      ],
    });
    expect(await saveCandidateReview(handle.db, colleague, { assessmentId, inviteId, rating: null, notes: "   " })).toEqual({ ok: true, review: null });
    const after = await listCandidateReviews(handle.db, reviewer, assessmentId, inviteId);
    expect(after.ok && after.reviews.map((r) => r.reviewerId)).toEqual([reviewer.id]);
  });

  test("a rating is a whole number from 1 to 5 or empty, notes at most 10 000 characters; a refusal stores nothing", async () => {
    const { reviewer, assessmentId, inviteId } = await candidate();
    for (const rating of ["0", "6", "3.5", "four", -1]) {
      expect(await saveCandidateReview(handle.db, reviewer, { assessmentId, inviteId, rating, notes: "" })).toMatchObject({
        ok: false,
        code: "invalid-input",
        error: expect.stringMatching(/rating must be/),
      });
    }
    expect(await saveCandidateReview(handle.db, reviewer, { assessmentId, inviteId, rating: "3", notes: "x".repeat(10_001) })).toMatchObject({
      ok: false,
      code: "invalid-input",
      error: "The notes must be at most 10000 characters.",
    });
    expect(await saveCandidateReview(handle.db, reviewer, { assessmentId, inviteId, rating: "3", notes: 42 })).toMatchObject({ ok: false, code: "invalid-input" });
    expect(await handle.db.select().from(assessmentReviews).where(eq(assessmentReviews.inviteId, inviteId))).toEqual([]);
    expect(await saveCandidateReview(handle.db, reviewer, { assessmentId, inviteId, rating: "3", notes: "x".repeat(10_000) })).toMatchObject({ ok: true });
  });

  test("another organisation's candidate is not found, a learner is forbidden", async () => {
    const { reviewer, assessmentId, inviteId } = await candidate();
    await saveCandidateReview(handle.db, reviewer, { assessmentId, inviteId, rating: 2, notes: "Private." });
    const stranger = (await createOrganisationWithReviewer(handle.db)).reviewer;
    expect(await listCandidateReviews(handle.db, stranger, assessmentId, inviteId)).toMatchObject({ ok: false, code: "not-found" });
    expect(await saveCandidateReview(handle.db, stranger, { assessmentId, inviteId, rating: 1, notes: "" })).toMatchObject({ ok: false, code: "not-found" });
    // The right invite under another assessment id is not found either.
    expect(await listCandidateReviews(handle.db, reviewer, randomUUID(), inviteId)).toMatchObject({ ok: false, code: "not-found" });
    const learner = await createUser(handle.db, "learner");
    await expect(listCandidateReviews(handle.db, learner, assessmentId, inviteId)).rejects.toThrow(ForbiddenError);
    await expect(saveCandidateReview(handle.db, learner, { assessmentId, inviteId, rating: 1, notes: "" })).rejects.toThrow(ForbiddenError);
    const rows = await handle.db.select().from(assessmentReviews).where(eq(assessmentReviews.inviteId, inviteId));
    expect(rows.map((r) => [r.reviewerId, r.rating])).toEqual([[reviewer.id, 2]]);
  });
});
