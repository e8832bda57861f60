// The review pages rendered as the server renders them (server components called with their
// params, then to HTML), on both databases: what a reviewer sees, that another organisation's
// assessment is a 404, and that a learner gets the 403 page.
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { createAssessment } from "@/lib/assessments/assessments";
import { createInvites } from "@/lib/assessments/invites";
import { builderInput, createOrganisationWithReviewer, createUser, type TestUser } from "@/lib/assessments/test-helpers";
import type { DatabaseHandle } from "@/lib/db/client";
import { DATABASE_KINDS, openTestDatabase } from "@/tests/support/databases";

const { current, dbModule, navigationModule, render, sessionModule } = await vi.hoisted(() => import("@/tests/support/next-page"));
vi.mock("@/lib/db", dbModule);
vi.mock("@/lib/auth/session", sessionModule);
vi.mock("next/navigation", navigationModule);

const { default: ReviewPage } = await import("./page");
const { default: AssessmentPage } = await import("./assessments/[assessmentId]/page");
const { default: EditAssessmentPage } = await import("./assessments/[assessmentId]/edit/page");
const { default: NewAssessmentPage } = await import("./assessments/new/page");
const { default: ColleaguesPage } = await import("./colleagues/page");

describe.each(DATABASE_KINDS)("review pages on %s", (kind) => {
  let handle: DatabaseHandle;
  let reviewer: TestUser;
  let assessmentId: string;
  beforeAll(async () => {
    handle = await openTestDatabase(kind);
    current.db = handle.db;
    const org = await createOrganisationWithReviewer(handle.db, "Acme Hiring");
    reviewer = org.reviewer;
    const created = await createAssessment(handle.db, reviewer, builderInput({ title: "Platform <b>engineer</b>" }));
    if (!created.ok) throw new Error(created.error);
    assessmentId = created.assessment.id;
    const many = Array.from({ length: 51 }, (_, i) => ({ name: `Candidate ${i}`, email: `c${String(i).padStart(2, "0")}@example.com` }));
    const invited = await createInvites(handle.db, reviewer, assessmentId, many);
    if (!invited.ok) throw new Error(invited.error);
  });
  afterAll(async () => {
    await handle?.close();
  });

  test("a reviewer sees the list, the assessment with its preview and the first 50 candidates, the builder and the editor", async () => {
    current.user = reviewer;
    const list = await render(ReviewPage());
    expect(list).toContain("Acme Hiring");
    expect(list).toContain(`href="/review/assessments/${assessmentId}"`);
    expect(list).toContain("Platform &lt;b&gt;engineer&lt;/b&gt;");

    const page = (await render(AssessmentPage({ params: Promise.resolve({ assessmentId }), searchParams: Promise.resolve({}) }))) as string;
    expect(page).toContain("Candidates (51)");
    expect(page).toContain("Page 1 of 2 (50 a page)");
    expect(page.match(/Reset the invite of/g)).toHaveLength(50);
    expect(page).toContain("Email is off on this Academy (SMTP_URL is not set)");
    expect(page).toContain("What is recorded");
    expect(page).toContain("Acme Hiring invites you to");
    expect(page).toContain("an edit creates version 2");
    const second = (await render(AssessmentPage({ params: Promise.resolve({ assessmentId }), searchParams: Promise.resolve({ page: "2" }) }))) as string;
    expect(second.match(/Reset the invite of/g)).toHaveLength(1);
    expect(second).toContain("c50@example.com");

    const edit = (await render(EditAssessmentPage({ params: Promise.resolve({ assessmentId }) }))) as string;
    expect(edit).toContain('value="Platform &lt;b&gt;engineer&lt;/b&gt;"');
    expect(edit).toContain("saving creates a new version");
    const fresh = (await render(NewAssessmentPage())) as string;
    expect(fresh).toContain("Create assessment");
    expect(fresh).toContain("Deploy the model");
    const colleagues = (await render(ColleaguesPage())) as string;
    expect(colleagues).toContain("Acme Hiring: reviewers");
    expect(colleagues).toContain(reviewer.email);
  });

  test("another organisation's reviewer gets 404 for the assessment and its editor; a learner gets 403 everywhere", async () => {
    const other = await createOrganisationWithReviewer(handle.db);
    current.user = other.reviewer;
    expect(await render(AssessmentPage({ params: Promise.resolve({ assessmentId }), searchParams: Promise.resolve({}) }))).toBe(404);
    expect(await render(EditAssessmentPage({ params: Promise.resolve({ assessmentId }) }))).toBe(404);
    expect(await render(ReviewPage())).not.toContain(assessmentId);

    current.user = await createUser(handle.db, "learner");
    expect(await render(ReviewPage())).toBe(403);
    expect(await render(AssessmentPage({ params: Promise.resolve({ assessmentId }), searchParams: Promise.resolve({}) }))).toBe(403);
    expect(await render(NewAssessmentPage())).toBe(403);
    expect(await render(ColleaguesPage())).toBe(403);

    // A reviewer in no organisation is told how to get into one, and sees nothing.
    current.user = await createUser(handle.db, "reviewer");
    expect(await render(ReviewPage())).toContain("You are not a member of an organisation yet.");
    const outside = (await render(AssessmentPage({ params: Promise.resolve({ assessmentId }), searchParams: Promise.resolve({}) }))) as string;
    expect(outside).toContain("You are not a member of an organisation yet.");
    expect(outside).not.toContain("engineer");
  });
});
