// The candidate's actions and pages as the server runs them, on both databases, with each
// "browser" a cookie jar: Start sets a next-auth session cookie that the server's own session
// reading accepts as the hidden user, and the binding cookie; the same browser continues, another
// is refused; a signed-in learner is not signed out by accident; Submit freezes and grades; each
// unusable link has its page; the lab page shows only the assessment's labs.
import { renderToStaticMarkup } from "react-dom/server";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { createAssessment } from "@/lib/assessments/assessments";
import { inviteCandidate, resetInvite } from "@/lib/assessments/invites";
import { builderInput, createOrganisationWithReviewer, createUser } from "@/lib/assessments/test-helpers";
import { tokenFromLink } from "@/lib/assessments/tokens";
import { userFromSessionCookie } from "@/lib/auth/session-token";
import type { DatabaseHandle } from "@/lib/db/client";
import { assessmentInvites, users } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { DATABASE_KINDS, openTestDatabase } from "@/tests/support/databases";

class Redirect extends Error {
  constructor(readonly to: string) {
    super(`redirect ${to}`);
  }
}
class NotFound extends Error {}

type Jar = Map<string, string>;
const current = vi.hoisted(() => ({ db: null as unknown, jar: new Map<string, string>() as Jar, after: [] as Array<() => Promise<unknown>> }));
const SECRET = "test-session-secret-for-candidate-cookies";

vi.mock("@/lib/db", () => ({ getDb: async () => current.db }));
vi.mock("@/lib/auth/secret", () => ({ sessionSecret: () => SECRET }));
// The signed-in user as the server reads it: the session cookie in the jar, decoded and checked.
vi.mock("@/lib/auth/session", async () => {
  const { userFromSessionCookie: fromCookie } = await import("@/lib/auth/session-token");
  const { env: settings } = await import("@/lib/env");
  return {
    getCurrentUser: async () =>
      fromCookie(current.db as never, [...current.jar].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("; "), { secret: SECRET, siteUrl: settings.NEXTAUTH_URL }),
  };
});
vi.mock("next/headers", () => ({
  cookies: async () => ({
    get: (name: string) => (current.jar.has(name) ? { name, value: current.jar.get(name)! } : undefined),
    set: (name: string, value: string) => void current.jar.set(name, value),
  }),
}));
vi.mock("next/server", () => ({ after: (work: () => Promise<unknown>) => void current.after.push(work) }));
vi.mock("next/navigation", () => ({
  redirect: (to: string) => {
    throw new Redirect(to);
  },
  notFound: () => {
    throw new NotFound();
  },
  useRouter: () => ({ push: () => {}, refresh: () => {} }),
}));

const { startAction, submitAction } = await import("./actions");
const { default: TakePage } = await import("./[token]/page");
const { default: LabPage } = await import("./[token]/labs/[labId]/page");

const LABS = ["design-the-prediction-api", "containerise-the-model"];

function formOf(token: string): FormData {
  const form = new FormData();
  form.set("token", token);
  return form;
}

/** Runs an action in a browser (a jar): its answer, or where it redirected. */
async function act(jar: Jar, action: typeof startAction, token: string): Promise<{ error: string; signedIn?: string } | { redirect: string }> {
  current.jar = jar;
  try {
    return await action({ error: "" }, formOf(token));
  } catch (error) {
    if (error instanceof Redirect) return { redirect: error.to };
    throw error;
  }
}

async function render(jar: Jar, page: Promise<React.ReactNode>): Promise<string | 404> {
  current.jar = jar;
  try {
    return renderToStaticMarkup(await page);
  } catch (error) {
    if (error instanceof NotFound) return 404;
    throw error;
  }
}

const cookieHeader = (jar: Jar) => [...jar].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join("; ");

describe.each(DATABASE_KINDS)("the candidate's pages on %s", (kind) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await openTestDatabase(kind);
    current.db = handle.db;
  }, 60_000);
  afterAll(async () => {
    await handle?.close();
  });

  async function invite(overrides: Parameters<typeof builderInput>[0] = {}) {
    const { reviewer } = await createOrganisationWithReviewer(handle.db);
    const created = await createAssessment(handle.db, reviewer, builderInput({ labs: LABS.map((labId) => ({ labId, weight: 1 })), timeLimitMinutes: 45, ...overrides }));
    if (!created.ok) throw new Error(created.error);
    const made = await inviteCandidate(handle.db, reviewer, created.assessment.id, { name: "Grace Hopper", email: `g${Math.random()}@example.com`.replace("0.", "") });
    if (!made.ok) throw new Error(made.error);
    return { reviewer, token: tokenFromLink(made.invites[0]!.link)!, inviteId: made.invites[0]!.id };
  }

  test("Start signs the browser in as the hidden candidate, whom the server's session reading accepts", async () => {
    const { token, inviteId } = await invite();
    const browser: Jar = new Map();
    expect(await render(browser, TakePage({ params: Promise.resolve({ token }) }))).toContain("Start the assessment");
    expect(await act(browser, startAction, token)).toEqual({ error: "", signedIn: `/take/${token}` });
    const [row] = await handle.db.select().from(assessmentInvites).where(eq(assessmentInvites.id, inviteId));
    const user = await userFromSessionCookie(handle.db, cookieHeader(browser), { secret: SECRET, siteUrl: env.NEXTAUTH_URL });
    expect(user).toMatchObject({ id: row!.candidateUserId, role: "candidate", name: "Grace Hopper" });
    expect(browser.has(`academy-take-${inviteId}`)).toBe(true);
    const page = await render(browser, TakePage({ params: Promise.resolve({ token }) }));
    expect(page).toContain("Time left:");
    expect(page).toContain(`/take/${token}/labs/design-the-prediction-api`);
    expect(page).not.toContain('href="/learn');
  });

  test("the same browser (two tabs) continues; another browser is refused and told to ask for a reset", async () => {
    const { token, inviteId, reviewer } = await invite();
    const browser: Jar = new Map();
    await act(browser, startAction, token);
    const [before] = await handle.db.select().from(assessmentInvites).where(eq(assessmentInvites.id, inviteId));
    expect(await act(browser, startAction, token)).toEqual({ error: "", signedIn: `/take/${token}` });
    const [after] = await handle.db.select().from(assessmentInvites).where(eq(assessmentInvites.id, inviteId));
    expect(after!.startedAt).toEqual(before!.startedAt);
    expect(after!.candidateUserId).toBe(before!.candidateUserId);

    const other: Jar = new Map();
    expect(await act(other, startAction, token)).toEqual({ error: expect.stringContaining("reset your link") });
    expect(await render(other, TakePage({ params: Promise.resolve({ token }) }))).toContain("This assessment is open in another browser");
    expect(await render(other, LabPage({ params: Promise.resolve({ token, labId: LABS[0]! }) }))).toContain("open in another browser");

    // After a reset the old browser's session is over, and the new link starts anywhere.
    const reset = await resetInvite(handle.db, reviewer, inviteId);
    if (!reset.ok) throw new Error(reset.error);
    expect(await userFromSessionCookie(handle.db, cookieHeader(browser), { secret: SECRET, siteUrl: env.NEXTAUTH_URL })).toBeNull();
    expect(await act(other, startAction, tokenFromLink(reset.created.link)!)).toEqual({ error: "", signedIn: expect.stringMatching(/^\/take\//) });
  });

  test("a browser signed in as a learner is not signed out by Start", async () => {
    const { token } = await invite();
    const learner = await createUser(handle.db, "learner");
    const { candidateSessionCookie } = await import("@/lib/assessments/candidate-sign-in");
    const cookie = await candidateSessionCookie({ id: learner.id, sessionVersion: 0 }, new Date(Date.now() + 60_000), { secret: SECRET });
    const browser: Jar = new Map([[cookie.name, cookie.value]]);
    expect(await act(browser, startAction, token)).toEqual({ error: expect.stringContaining(`signed in to Academy as ${learner.email}`) });
  });

  test("the lab page: the assessment's labs only, hints and results as configured", async () => {
    const { token } = await invite({ showResults: false, showHints: false });
    const browser: Jar = new Map();
    await act(browser, startAction, token);
    const page = await render(browser, LabPage({ params: Promise.resolve({ token, labId: LABS[0]! }) }));
    expect(page).toContain("Time left:");
    expect(page).toContain("This assessment does not show check results");
    expect(page).not.toContain("Breadcrumb");
    expect(page).not.toMatch(/href="\/(learn|labs)/);
    expect(await render(browser, LabPage({ params: Promise.resolve({ token, labId: "deploy-the-model" }) }))).toBe(404);
    expect(await render(browser, LabPage({ params: Promise.resolve({ token, labId: "no-such-lab" }) }))).toBe(404);
  });

  test("a lab's links into the course are plain text on the assessment's lab page", async () => {
    const { token } = await invite({ labs: [{ labId: "deploy-the-model", weight: 1 }] });
    const browser: Jar = new Map();
    await act(browser, startAction, token);
    const page = await render(browser, LabPage({ params: Promise.resolve({ token, labId: "deploy-the-model" }) }));
    // deploy-the-model's instructions link to the containerise lab; here only its words remain.
    expect(page).toContain("containerise lab");
    expect(page).not.toContain('href="/labs/containerise-the-model"');
  }, 60_000);

  test("Submit freezes and grades; a second submit and the link afterwards say it was submitted", async () => {
    const { token, inviteId } = await invite();
    const browser: Jar = new Map();
    await act(browser, startAction, token);
    expect(await act(browser, submitAction, token)).toEqual({ redirect: `/take/${token}` });
    const [row] = await handle.db.select().from(assessmentInvites).where(eq(assessmentInvites.id, inviteId));
    expect(row).toMatchObject({ status: "submitted", submission: { reason: "candidate", labs: [{ labId: LABS[0] }, { labId: LABS[1] }] } });
    expect(await act(browser, submitAction, token)).toEqual({ redirect: `/take/${token}` });
    expect(await render(browser, TakePage({ params: Promise.resolve({ token }) }))).toContain("This assessment has been submitted");
    // Another browser cannot submit someone's assessment.
    const second = await invite();
    await act(new Map(), startAction, second.token);
    expect(await act(new Map(), submitAction, second.token)).toEqual({ error: expect.stringContaining("another browser") });
  }, 60_000);

  test("after the deadline the page shows the submission and submits it after answering", async () => {
    const { token, inviteId } = await invite();
    const browser: Jar = new Map();
    await act(browser, startAction, token);
    await handle.db.update(assessmentInvites).set({ deadlineAt: new Date(Date.now() - 1000) }).where(eq(assessmentInvites.id, inviteId));
    current.after = [];
    expect(await render(browser, TakePage({ params: Promise.resolve({ token }) }))).toContain("Your work is being submitted");
    expect(current.after).toHaveLength(1);
    await current.after[0]!();
    const [row] = await handle.db.select().from(assessmentInvites).where(eq(assessmentInvites.id, inviteId));
    expect(row).toMatchObject({ status: "submitted", submission: { reason: "deadline" } });
  }, 60_000);

  test("unknown, expired and revoked links each have their page", async () => {
    expect(await render(new Map(), TakePage({ params: Promise.resolve({ token: "x".repeat(43) }) }))).toContain("This link does not work");
    const { token, inviteId } = await invite();
    await handle.db.update(assessmentInvites).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(assessmentInvites.id, inviteId));
    expect(await render(new Map(), TakePage({ params: Promise.resolve({ token }) }))).toContain("This invite has expired");
    expect(await act(new Map(), startAction, token)).toEqual({ error: expect.stringContaining("expired") });
    await handle.db.update(assessmentInvites).set({ revokedAt: new Date() }).where(eq(assessmentInvites.id, inviteId));
    expect(await render(new Map(), TakePage({ params: Promise.resolve({ token }) }))).toContain("This invite was withdrawn");
    // Nothing was made for a link that could not start.
    const candidates = await handle.db.select().from(users).where(eq(users.name, "Grace Hopper"));
    const [row] = await handle.db.select().from(assessmentInvites).where(eq(assessmentInvites.id, inviteId));
    expect(row!.candidateUserId).toBeNull();
    expect(candidates.every((u) => u.role === "candidate")).toBe(true);
  });
});
