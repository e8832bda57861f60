// The candidate report page rendered as the server renders it, on both databases, for candidates
// simulated as part 4 makes them (a hidden user on the invite, files saved, labs graded without a
// sandbox): what the reviewer reads (score, pass or fail, version, checks with reasons, timeline
// as SVG and table, integrity, similarity passages, diffs, the replay), the replay's action that
// loads one revision, the link from the invites list, and 404 / 403 for other organisations and
// learners.
import fs from "node:fs";
import path from "node:path";
import { randomBytes, randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { createAssessment } from "@/lib/assessments/assessments";
import { createInvites } from "@/lib/assessments/invites";
import { builderInput, createOrganisationWithReviewer, createUser, type TestUser } from "@/lib/assessments/test-helpers";
import type { DatabaseHandle } from "@/lib/db/client";
import { assessmentInvites, labAttempts } from "@/lib/db/schema";
import { gradeAttempt } from "@/lib/grading/grader";
import { saveLabFile } from "@/lib/labs/files";
import { DATABASE_KINDS, openTestDatabase } from "@/tests/support/databases";

const key = randomBytes(32);
const { current, dbModule, navigationModule, render, sessionModule } = await vi.hoisted(() => import("@/tests/support/next-page"));
vi.mock("@/lib/db", dbModule);
vi.mock("@/lib/auth/session", sessionModule);
vi.mock("next/navigation", navigationModule);
// The server's key ring, as the test's own key: the page verifies what the test's grading signed.
vi.mock("@/lib/grading/attempt-keys", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/grading/attempt-keys")>();
  return { ...actual, attemptKeyring: () => actual.keyringOf({ test: key }) };
});

const { default: ReportPage } = await import("./assessments/[assessmentId]/candidates/[inviteId]/page");
const { default: AssessmentPage } = await import("./assessments/[assessmentId]/page");
const { revisionTextAction } = await import("./assessments/[assessmentId]/candidates/[inviteId]/actions");

const API = "design-the-prediction-api";
const CI = "ci-pipeline-for-a-model";
const solution = fs.readFileSync(path.join(process.cwd(), "labs", API, "solution/openapi.yaml"), "utf8");

// Grading and rendering beside other test files on 2 cores takes more than 5 s.
describe.each(DATABASE_KINDS)("candidate report page on %s", { timeout: 60_000 }, (kind) => {
  let handle: DatabaseHandle;
  let reviewer: TestUser;
  let assessmentId: string;
  const invite: Record<string, { id: string; userId: string }> = {};
  const reportOf = (inviteId: string) => render(ReportPage({ params: Promise.resolve({ assessmentId, inviteId }) }));

  async function candidate(name: string, files: string[]) {
    const invited = await createInvites(handle.db, reviewer, assessmentId, [{ name, email: `${randomUUID()}@example.com` }]);
    if (!invited.ok) throw new Error(invited.error);
    const user = await createUser(handle.db, "learner");
    const id = invited.invites[0]!.id;
    await handle.db.update(assessmentInvites).set({ candidateUserId: user.id, startedAt: new Date(Date.now() - 20 * 60_000), status: "started" }).where(eq(assessmentInvites.id, id));
    for (const content of files) {
      const saved = await saveLabFile(handle.db, user, { labId: API, path: "openapi.yaml", content });
      if (!saved.ok) throw new Error(saved.error);
    }
    for (const lab of [API, CI]) {
      const graded = await gradeAttempt(handle.db, user, lab, undefined, { key, rateLimit: null });
      if (!graded.ok) throw new Error(graded.error);
    }
    await handle.db.update(assessmentInvites).set({ submittedAt: new Date(), status: "submitted" }).where(eq(assessmentInvites.id, id));
    invite[name] = { id, userId: user.id };
  }

  beforeAll(async () => {
    handle = await openTestDatabase(kind);
    current.db = handle.db;
    ({ reviewer } = await createOrganisationWithReviewer(handle.db, "Acme Hiring"));
    const created = await createAssessment(handle.db, reviewer, builderInput({ title: "API <design>", labs: [{ labId: API, weight: 3 }, { labId: CI, weight: 1 }], passMarkPercent: 70 }));
    if (!created.ok) throw new Error(created.error);
    assessmentId = created.assessment.id;
    await candidate("Ada", ["openapi: 3.0.3\ninfo: {}\n", solution]);
    await candidate("Bea", [solution.replaceAll("churn", "attrition")]);
  });
  afterAll(async () => {
    await handle?.close();
  });

  test("a reviewer reads the whole report: score, pass mark, version, checks with reasons, timeline, integrity, similarity, diffs and the replay", async () => {
    current.user = reviewer;
    const page = (await reportOf(invite.Ada!.id)) as string;
    expect(page).toContain("Ada");
    expect(page).toContain("API &lt;design&gt;");
    // 3 × 100 % + 1 × the empty workflow's share, over 4: at least 75 %, so a pass at 70.
    expect(page).toMatch(/<span class="report-percent">(7[5-9]|[89]\d|100)\.\d%<\/span>/);
    expect(page).toContain('<span class="badge badge-ok">Pass</span>');
    expect(page).toContain("Version 1");
    expect(page).toContain("A valid OpenAPI document");
    expect(page).toContain("The grader&#x27;s reason");
    expect(page).toContain("is an estimate");
    expect(page).toMatch(/<svg[^>]*role="img"/);
    expect(page).toContain("<caption>Attempts over time</caption>");
    expect(page).toContain("<strong>Verified</strong>");
    // Similarity: Bea handed in the same file, renamed; and both match the published solution.
    expect(page).toContain(`href="/review/assessments/${assessmentId}/candidates/${invite.Bea!.id}"`);
    expect(page).toContain("matches the lab&#x27;s published solution");
    expect(page).toContain('class="passage-pair"');
    // The final file against the starter, and the replay of Ada's two saves.
    expect(page).toContain("openapi.yaml (revision 2) against the starter");
    expect(page).toContain('class="diff-added"');
    expect(page).toContain("(2 revisions)");
    expect(page).toMatch(/type="range"[^>]*max="1"|max="1"[^>]*type="range"/);
    expect(page).toContain("Save 2 of 2");

    // The invites list links each candidate to their report.
    const list = (await render(AssessmentPage({ params: Promise.resolve({ assessmentId }), searchParams: Promise.resolve({}) }))) as string;
    expect(list).toContain(`href="/review/assessments/${assessmentId}/candidates/${invite.Ada!.id}"`);
  });

  test("the replay's action loads one revision with the text before it, for this organisation only", async () => {
    current.user = reviewer;
    const second = await revisionTextAction({ assessmentId, inviteId: invite.Ada!.id, labId: API, path: "openapi.yaml", revision: 2 });
    expect(second).toMatchObject({ ok: true, revision: 2, content: solution, previous: "openapi: 3.0.3\ninfo: {}\n", source: "save" });
    const other = await createOrganisationWithReviewer(handle.db);
    current.user = other.reviewer;
    expect(await revisionTextAction({ assessmentId, inviteId: invite.Ada!.id, labId: API, path: "openapi.yaml", revision: 2 })).toMatchObject({ ok: false, error: expect.stringContaining("no such candidate") });
    current.user = await createUser(handle.db, "learner");
    expect(await revisionTextAction({ assessmentId, inviteId: invite.Ada!.id, labId: API, path: "openapi.yaml", revision: 2 })).toMatchObject({ ok: false, error: "Only reviewers and administrators can do this." });
    current.user = null;
    expect(await revisionTextAction({ assessmentId, inviteId: invite.Ada!.id, labId: API, path: "openapi.yaml", revision: 2 })).toMatchObject({ ok: false, error: expect.stringContaining("Sign in again") });
  });

  test("an altered attempt row shows as not verified on the page", async () => {
    current.user = reviewer;
    await handle.db.execute(sql`alter table lab_attempts disable trigger lab_attempts_append_only`);
    try {
      await handle.db.update(labAttempts).set({ completed: true }).where(and(eq(labAttempts.userId, invite.Bea!.userId), eq(labAttempts.labId, CI)));
    } finally {
      await handle.db.execute(sql`alter table lab_attempts enable trigger lab_attempts_append_only`);
    }
    const page = (await reportOf(invite.Bea!.id)) as string;
    expect(page).toContain("<strong>Not verified</strong>");
    expect(page).toContain("attempt 1: its content does not match its hash (the row was changed)");
  });

  test("another organisation's reviewer and unknown ids get 404; a learner gets 403", async () => {
    current.user = (await createOrganisationWithReviewer(handle.db)).reviewer;
    expect(await reportOf(invite.Ada!.id)).toBe(404);
    current.user = reviewer;
    expect(await reportOf("no-such-invite")).toBe(404);
    current.user = await createUser(handle.db, "learner");
    expect(await reportOf(invite.Ada!.id)).toBe(403);
  });
});
