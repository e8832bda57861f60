// The builder and colleague actions as the browser calls them (FormData in, state out), on both
// databases: field errors come back keyed by field, a save redirects to the assessment, a learner
// gets the role message instead of a crash, and a signed-out caller is told to sign in.
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import { eq } from "drizzle-orm";
import { getAssessment } from "@/lib/assessments/assessments";
import { createInvites } from "@/lib/assessments/invites";
import { createOrganisationWithReviewer, createUser, TWO_LABS } from "@/lib/assessments/test-helpers";
import type { DatabaseHandle } from "@/lib/db/client";
import { assessments, organisationMembers } from "@/lib/db/schema";
import { DATABASE_KINDS, openTestDatabase } from "@/tests/support/databases";
import { formData, RedirectSignal } from "@/tests/support/next-action";

const current = vi.hoisted(() => ({ db: null as unknown, user: null as { id: string; role: string } | null }));
vi.mock("@/lib/db", () => ({ getDb: async () => current.db }));
vi.mock("@/lib/auth/session", () => ({ getCurrentUser: async () => current.user }));
vi.mock("next/cache", () => ({ revalidatePath: () => {} }));
vi.mock("next/navigation", async () => {
  const { RedirectSignal } = await import("@/tests/support/next-action");
  return {
    redirect: (location: string) => {
      throw new RedirectSignal(location);
    },
  };
});

const { addColleagueAction, saveAssessmentAction } = await import("./actions");

const EMPTY = { message: "", error: false, fieldErrors: {} };

function builderForm(overrides: Record<string, string | string[]> = {}) {
  return formData({
    title: "Backend hire",
    introduction: "Hello.",
    labId: [...TWO_LABS],
    weight: ["3", "1"],
    timeLimitMinutes: "90",
    passMarkPercent: "70",
    showResults: "on",
    inviteValidityDays: "5",
    ...overrides,
  });
}

async function redirectOf(run: Promise<unknown>): Promise<string> {
  const error = await run.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof RedirectSignal)) throw new Error(`expected a redirect, got ${String(error)}`);
  return error.location;
}

describe.each(DATABASE_KINDS)("builder and colleague actions on %s", (kind) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await openTestDatabase(kind);
    current.db = handle.db;
  });
  afterAll(async () => {
    await handle?.close();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  test("saving the form creates the assessment from its fields, in lab order, and redirects to it", async () => {
    const { reviewer, organisationId } = await createOrganisationWithReviewer(handle.db);
    current.user = reviewer;
    const location = await redirectOf(saveAssessmentAction(EMPTY, builderForm()));
    const id = /^\/review\/assessments\/([0-9a-f-]+)$/.exec(location)?.[1];
    expect(id).toBeDefined();
    const [row] = await handle.db.select().from(assessments).where(eq(assessments.id, id!));
    expect(row?.organisationId).toBe(organisationId);
    const saved = await getAssessment(handle.db, reviewer, id!);
    if (!saved.ok) throw new Error(saved.error);
    expect(saved.assessment.current.settings).toMatchObject({
      title: "Backend hire",
      labs: [
        { labId: TWO_LABS[0], weight: 3 },
        { labId: TWO_LABS[1], weight: 1 },
      ],
      timeLimitMinutes: 90,
      passMarkPercent: 70,
      showResults: true,
      showHints: false,
      inviteValidityDays: 5,
    });

    // With a candidate on version 1, saving again makes version 2.
    await createInvites(handle.db, reviewer, id!, [{ name: "Ada", email: "ada@example.com" }]);
    await redirectOf(saveAssessmentAction(EMPTY, builderForm({ assessmentId: id!, title: "Backend hire v2", showHints: "on" })));
    const edited = await getAssessment(handle.db, reviewer, id!);
    expect(edited).toMatchObject({ ok: true, assessment: { versions: 2, current: { number: 2, settings: { title: "Backend hire v2", showHints: true } } } });
    expect(await saveAssessmentAction(EMPTY, builderForm({ assessmentId: id!, title: "Backend hire v2", showHints: "on" }))).toEqual({
      message: "Nothing changed; the assessment is as it was.",
      error: false,
      fieldErrors: {},
    });
  });

  test("bad fields come back as field errors and nothing is stored", async () => {
    const { reviewer, organisationId } = await createOrganisationWithReviewer(handle.db);
    current.user = reviewer;
    const state = await saveAssessmentAction(EMPTY, builderForm({ title: "", weight: ["3", "abc"], timeLimitMinutes: "", passMarkPercent: "-1" }));
    expect(state).toMatchObject({
      error: true,
      message: expect.stringContaining("Some fields need fixing"),
      fieldErrors: {
        title: "The title must not be empty.",
        "labs.1.weight": "The weight must be a number.",
        timeLimitMinutes: "The time limit must be at least 5.",
        passMarkPercent: "The pass mark must be at least 0.",
      },
    });
    expect(await handle.db.select().from(assessments).where(eq(assessments.organisationId, organisationId))).toEqual([]);
  });

  test("a learner is told they may not, a signed-out caller to sign in, another organisation's id is not found", async () => {
    const learner = await createUser(handle.db, "learner");
    current.user = learner;
    expect(await saveAssessmentAction(EMPTY, builderForm())).toEqual({ message: "Only reviewers and administrators can do this.", error: true, fieldErrors: {} });
    current.user = null;
    expect(await saveAssessmentAction(EMPTY, builderForm())).toMatchObject({ error: true, message: expect.stringContaining("Sign in again") });

    const a = await createOrganisationWithReviewer(handle.db);
    const b = await createOrganisationWithReviewer(handle.db);
    current.user = a.reviewer;
    const location = await redirectOf(saveAssessmentAction(EMPTY, builderForm()));
    current.user = b.reviewer;
    const id = location.split("/").at(-1)!;
    expect(await saveAssessmentAction(EMPTY, builderForm({ assessmentId: id, title: "mine now" }))).toMatchObject({ error: true, message: "There is no such assessment in your organisation." });
  });

  test("a reviewer adds a colleague by email; at most 10 a minute", async () => {
    const { reviewer, organisationId } = await createOrganisationWithReviewer(handle.db);
    const colleague = await createUser(handle.db, "learner");
    current.user = reviewer;
    // Limits count per clock minute: hold the clock so the count cannot roll over mid-test.
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-06-01T12:00:10Z") });
    expect(await addColleagueAction({ message: "", error: false }, formData({ email: colleague.email }))).toEqual({
      message: `${colleague.email} is now a member of your organisation (their account became a reviewer account).`,
      error: false,
    });
    const [member] = await handle.db.select().from(organisationMembers).where(eq(organisationMembers.userId, colleague.id));
    expect(member?.organisationId).toBe(organisationId);
    for (let i = 1; i < 10; i++) await addColleagueAction({ message: "", error: false }, formData({ email: `nobody-${i}@example.com` }));
    expect(await addColleagueAction({ message: "", error: false }, formData({ email: "one-more@example.com" }))).toMatchObject({
      error: true,
      message: "Too many colleague additions (at most 10 a minute). Try again in 50 seconds.",
    });
  });
});
