// The report's notes action as the form calls it, on both databases: the form's fields are saved
// as the reviewer's own; a bad rating, a signed-out reviewer, a learner and another organisation
// get words, not an error page.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { createAssessment } from "@/lib/assessments/assessments";
import { createInvites } from "@/lib/assessments/invites";
import { listCandidateReviews } from "@/lib/assessments/reviews";
import { builderInput, createOrganisationWithReviewer, createUser } from "@/lib/assessments/test-helpers";
import type { DatabaseHandle } from "@/lib/db/client";
import { DATABASE_KINDS, openTestDatabase } from "@/tests/support/databases";
import { formData } from "@/tests/support/next-action";

const current = vi.hoisted(() => ({ db: null as unknown, user: null as { id: string; role: string } | null }));
vi.mock("@/lib/db", () => ({ getDb: async () => current.db }));
vi.mock("@/lib/auth/session", () => ({ getCurrentUser: async () => current.user }));
vi.mock("next/cache", () => ({ revalidatePath: () => {} }));

const { saveReviewAction } = await import("./actions");
const EMPTY = { message: "", error: false };

describe.each(DATABASE_KINDS)("the report's notes action on %s", (kind) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await openTestDatabase(kind);
    current.db = handle.db;
  }, 60_000);
  afterAll(async () => {
    await handle?.close();
  });

  test("saves the reviewer's own notes and rating; refusals come back in words", async () => {
    const { reviewer } = await createOrganisationWithReviewer(handle.db);
    const created = await createAssessment(handle.db, reviewer, builderInput());
    if (!created.ok) throw new Error(created.error);
    const assessmentId = created.assessment.id;
    const invited = await createInvites(handle.db, reviewer, assessmentId, [{ name: "Ada", email: `${randomUUID()}@example.com` }]);
    if (!invited.ok) throw new Error(invited.error);
    const inviteId = invited.invites[0]!.id;
    const form = (rating: string, notes: string) => formData({ assessmentId, inviteId, rating, notes });

    current.user = reviewer;
    expect(await saveReviewAction(EMPTY, form("4", "Good."))).toEqual({ message: "Your notes and rating are saved.", error: false });
    expect(await saveReviewAction(EMPTY, form("9", "Good."))).toEqual({ message: "The rating must be a whole number from 1 to 5 (or empty for no rating).", error: true });
    const saved = await listCandidateReviews(handle.db, reviewer, assessmentId, inviteId);
    expect(saved.ok && saved.reviews.map((r) => [r.rating, r.notes])).toEqual([[4, "Good."]]);

    current.user = null;
    expect(await saveReviewAction(EMPTY, form("3", "x"))).toMatchObject({ error: true, message: expect.stringContaining("Sign in again") });
    current.user = await createUser(handle.db, "learner");
    expect(await saveReviewAction(EMPTY, form("3", "x"))).toMatchObject({ error: true });
    current.user = (await createOrganisationWithReviewer(handle.db)).reviewer;
    expect(await saveReviewAction(EMPTY, form("3", "x"))).toEqual({ message: "There is no such candidate in your organisation.", error: true });
    const after = await listCandidateReviews(handle.db, reviewer, assessmentId, inviteId);
    expect(after.ok && after.reviews.map((r) => [r.rating, r.notes])).toEqual([[4, "Good."]]);
  });
});
