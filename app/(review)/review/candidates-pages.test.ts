// The part 8 pages rendered as the server renders them, on both databases: the candidates list
// (rows, sort links, pager, histogram with its table), the comparison, the CSV route (200 for the
// reviewer, 401 signed out, 403 learner, 404 other organisation), the share links on the report,
// and the public shared page: works with no session, logs the opening with the forwarded address,
// refuses after revoking, and offers no form or action.
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { createAssessment } from "@/lib/assessments/assessments";
import { createInvites } from "@/lib/assessments/invites";
import { createShareLink, listShareLinks, revokeShareLink } from "@/lib/assessments/share-links";
import { builderInput, createOrganisationWithReviewer, createUser, recordAttempt, startInvite, submitInvite, TWO_LABS, type TestUser } from "@/lib/assessments/test-helpers";
import type { DatabaseHandle } from "@/lib/db/client";
import { DATABASE_KINDS, openTestDatabase } from "@/tests/support/databases";

const key = randomBytes(32);
const { current, dbModule, navigationModule, render, sessionModule } = await vi.hoisted(() => import("@/tests/support/next-page"));
const request = vi.hoisted(() => ({ headers: new Headers() }));
vi.mock("@/lib/db", dbModule);
vi.mock("next/headers", () => ({ headers: async () => request.headers }));
vi.mock("next/cache", () => ({ revalidatePath: () => {} }));
vi.mock("@/lib/auth/session", sessionModule);
vi.mock("next/navigation", navigationModule);
vi.mock("@/lib/grading/attempt-keys", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/grading/attempt-keys")>();
  return { ...actual, attemptKeyring: () => actual.keyringOf({ test: key }) };
});

const { default: CandidatesPage } = await import("./assessments/[assessmentId]/candidates/page");
const { default: ComparePage } = await import("./assessments/[assessmentId]/candidates/compare/page");
const { default: ReportPage } = await import("./assessments/[assessmentId]/candidates/[inviteId]/page");
const { GET: csvRoute } = await import("./assessments/[assessmentId]/candidates.csv/route");
const { default: SharedPage } = await import("@/app/(shared)/shared/[token]/page");
const { createShareLinkAction, revokeShareLinkAction } = await import("./assessments/[assessmentId]/candidates/[inviteId]/share-actions");
const { keyringOf } = await import("@/lib/grading/attempt-keys");
const keys = keyringOf({ test: key });

describe.each(DATABASE_KINDS)("candidates pages on %s", { timeout: 60_000 }, (kind) => {
  let handle: DatabaseHandle;
  let reviewer: TestUser;
  let assessmentId: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    handle = await openTestDatabase(kind);
    current.db = handle.db;
    ({ reviewer } = await createOrganisationWithReviewer(handle.db));
    const created = await createAssessment(handle.db, reviewer, builderInput({ title: "Platform <take-home>" }));
    if (!created.ok) throw new Error(created.error);
    assessmentId = created.assessment.id;
    const people = ["Ada", "Bo", ...Array.from({ length: 55 }, (_, i) => `Idle ${String(i).padStart(2, "0")}`)];
    const invited = await createInvites(handle.db, reviewer, assessmentId, people.map((name) => ({ name, email: `${randomUUID()}@example.com` })));
    if (!invited.ok) throw new Error(invited.error);
    for (const i of invited.invites) ids[i.name] = i.id;
    for (const [name, earned] of [["Ada", 10], ["Bo", 3]] as const) {
      const user = await startInvite(handle.db, ids[name]!, new Date(Date.now() - 30 * 60_000));
      await recordAttempt(handle.db, keys, user.id, TWO_LABS[0], [{ id: "c1", points: 10, earned }], new Date(Date.now() - 20 * 60_000));
      await recordAttempt(handle.db, keys, user.id, TWO_LABS[1], [{ id: "c2", points: 10, earned }], new Date(Date.now() - 15 * 60_000));
      await submitInvite(handle.db, ids[name]!, new Date(Date.now() - 10 * 60_000));
    }
  });
  afterAll(async () => {
    await handle?.close();
  });

  test("the list: rows of this page, sort links, the pager and the histogram with its table", async () => {
    current.user = reviewer;
    const html = await render(CandidatesPage({ params: Promise.resolve({ assessmentId }), searchParams: Promise.resolve({ sort: "score", dir: "desc" }) }));
    expect(typeof html).toBe("string");
    const page = html as string;
    expect(page.indexOf(">Ada<")).toBeLessThan(page.indexOf(">Bo<"));
    expect(page).toContain("100.0%");
    expect(page).toContain("30.0%");
    expect(page).toContain("57 of 57 candidates");
    expect(page).toContain("Page 1 of 2 (50 a page)");
    expect(page).toContain(`href="/review/assessments/${assessmentId}/candidates?sort=score&amp;dir=desc&amp;page=2"`);
    expect(page).toContain('aria-sort="descending"');
    expect(page).toContain("<svg");
    expect(page).toContain("Platform &lt;take-home&gt;");
    expect(page).not.toContain("Platform <take-home>");
    const filtered = (await render(CandidatesPage({ params: Promise.resolve({ assessmentId }), searchParams: Promise.resolve({ result: "fail" }) }))) as string;
    expect(filtered).toContain("1 of 57 candidates");
    expect(filtered).toContain(">Bo<");
    expect(filtered).not.toContain(">Ada<");
  });

  test("the comparison page, and its message when too few are ticked", async () => {
    current.user = reviewer;
    const html = (await render(ComparePage({ params: Promise.resolve({ assessmentId }), searchParams: Promise.resolve({ id: [ids.Bo!, ids.Ada!] }) }))) as string;
    expect(html.indexOf(">Bo<")).toBeLessThan(html.indexOf(">Ada<"));
    expect(html).toContain("Check c1");
    expect(html).toContain("pass 10/10");
    expect(html).toContain("fail 3/10");
    const one = (await render(ComparePage({ params: Promise.resolve({ assessmentId }), searchParams: Promise.resolve({ id: ids.Bo! }) }))) as string;
    expect(one).toContain("Pick 2 to 4 candidates");
  });

  test("the CSV route: the reviewer's file; signed out 401, learner 403, another organisation 404", async () => {
    const get = () => csvRoute(new Request("http://localhost/x"), { params: Promise.resolve({ assessmentId }) });
    current.user = reviewer;
    const ok = await get();
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(ok.headers.get("content-disposition")).toMatch(/^attachment; filename="candidates-\d{4}-\d{2}-\d{2}\.csv"$/);
    const lines = (await ok.text()).trimEnd().split("\r\n");
    expect(lines).toHaveLength(58);
    expect(lines.find((l) => l.startsWith("Ada,"))).toContain(",100.0,yes,");
    current.user = null;
    expect((await get()).status).toBe(401);
    current.user = await createUser(handle.db, "learner");
    expect((await get()).status).toBe(403);
    current.user = (await createOrganisationWithReviewer(handle.db)).reviewer;
    expect((await get()).status).toBe(404);
  });

  test("share links: listed on the report; the shared page works signed out, is logged, has no action, and stops after revoke", async () => {
    current.user = reviewer;
    const made = await createShareLink(handle.db, reviewer, assessmentId, ids.Ada!, { days: 7 });
    if (!made.ok) throw new Error(made.error);
    const token = new URL(made.link).pathname.split("/").at(-1)!;

    current.user = null;
    request.headers = new Headers({ "x-forwarded-for": "203.0.113.7", "user-agent": "HiringManager/1.0" });
    const shared = (await render(SharedPage({ params: Promise.resolve({ token }) }))) as string;
    expect(shared).toContain("Ada");
    expect(shared).toContain("100.0%");
    expect(shared).toContain("Shared report, read-only");
    expect(shared).not.toContain("<form");
    expect(shared).not.toContain("/review/");

    current.user = reviewer;
    const report = (await render(ReportPage({ params: Promise.resolve({ assessmentId, inviteId: ids.Ada! }) }))) as string;
    expect(report).toContain("Make a share link");
    expect(report).toContain("1 opened");
    expect(report).toContain("203.0.113.7");
    expect(report).toContain("HiringManager/1.0");

    await revokeShareLink(handle.db, reviewer, made.id);
    current.user = null;
    const refused = (await render(SharedPage({ params: Promise.resolve({ token }) }))) as string;
    expect(refused).toContain("This link was withdrawn");
    expect(refused).not.toContain("Ada");
    const unknown = (await render(SharedPage({ params: Promise.resolve({ token: "nope" }) }))) as string;
    expect(unknown).toContain("This link does not work");
    const listed = await listShareLinks(handle.db, reviewer, assessmentId, ids.Ada!);
    expect(listed.ok && listed.links[0]!.uses).toBe(1);
  });

  test("the share link actions: the reviewer makes and revokes; signed out, a learner or another organisation get a message and change nothing", async () => {
    const form = (fields: Record<string, string>) => {
      const data = new FormData();
      for (const [k, v] of Object.entries(fields)) data.set(k, v);
      return data;
    };
    const initial = { message: "", error: false };
    const fields = { assessmentId, inviteId: ids.Bo!, days: "3" };
    current.user = null;
    expect(await createShareLinkAction(initial, form(fields))).toMatchObject({ error: true, message: expect.stringMatching(/session has ended/) });
    current.user = await createUser(handle.db, "learner");
    expect(await createShareLinkAction(initial, form(fields))).toMatchObject({ error: true });
    current.user = (await createOrganisationWithReviewer(handle.db)).reviewer;
    expect(await createShareLinkAction(initial, form(fields))).toMatchObject({ error: true, message: "There is no such candidate in your organisation." });
    current.user = reviewer;
    expect(await createShareLinkAction(initial, form({ ...fields, days: "500" }))).toMatchObject({ error: true, message: expect.stringMatching(/^Valid for: .*90 days/) });
    const made = await createShareLinkAction(initial, form(fields));
    expect(made).toMatchObject({ error: false, link: expect.stringMatching(/\/shared\/[A-Za-z0-9_-]{43}$/) });
    const listed = await listShareLinks(handle.db, reviewer, assessmentId, ids.Bo!);
    if (!listed.ok) throw new Error(listed.error);
    expect(listed.links).toHaveLength(1);
    const linkId = listed.links[0]!.id;
    current.user = (await createOrganisationWithReviewer(handle.db)).reviewer;
    expect(await revokeShareLinkAction(initial, form({ ...fields, linkId }))).toMatchObject({ error: true });
    current.user = reviewer;
    expect(await revokeShareLinkAction(initial, form({ ...fields, linkId }))).toMatchObject({ error: false });
    const after = await listShareLinks(handle.db, reviewer, assessmentId, ids.Bo!);
    expect(after.ok && after.links[0]!.state).toBe("revoked");
  });
});
