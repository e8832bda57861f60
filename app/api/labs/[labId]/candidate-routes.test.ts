// The lab routes and actions as an assessment candidate reaches them (decision 017), on both
// databases: the save action and the routes refuse after the deadline with the gate's words and
// a status, before any stream or cluster; the check route hides results and hints as the
// assessment says, so they never reach the browser.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { createAssessment } from "@/lib/assessments/assessments";
import { startAssessment } from "@/lib/assessments/candidate-session";
import { inviteCandidate } from "@/lib/assessments/invites";
import { builderInput, createOrganisationWithReviewer } from "@/lib/assessments/test-helpers";
import { tokenFromLink } from "@/lib/assessments/tokens";
import type { DatabaseHandle } from "@/lib/db/client";
import { assessmentInvites, labFiles } from "@/lib/db/schema";
import { siteOrigin } from "@/lib/http/json-body";
import type { CheckEvent } from "@/lib/workspace/views";
import { DATABASE_KINDS, openTestDatabase } from "@/tests/support/databases";

const current = vi.hoisted(() => ({ db: null as unknown, user: null as { id: string } | null }));
vi.mock("@/lib/db", () => ({ getDb: async () => current.db }));
vi.mock("@/lib/auth/session", () => ({ getCurrentUser: async () => current.user }));

const { POST: sandboxRoute } = await import("./sandbox/route");
const { POST: checkRoute } = await import("./check/route");
const { POST: buildRoute } = await import("./build/route");
const { saveFileAction } = await import("@/app/(learn)/labs/[labId]/actions");

const post = (labId: string, what: string, body: unknown = {}) =>
  new Request(`${siteOrigin()}/api/labs/${labId}/${what}`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: siteOrigin() },
    body: JSON.stringify(body),
  });
const paramsOf = (labId: string) => ({ params: Promise.resolve({ labId }) });

async function events(response: Response): Promise<CheckEvent[]> {
  return (await response.text())
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as CheckEvent);
}

describe.each(DATABASE_KINDS)("the lab routes for a candidate on %s", (kind) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await openTestDatabase(kind);
    current.db = handle.db;
  }, 60_000);
  afterAll(async () => {
    await handle?.close();
  });

  async function candidate(labs: string[], settings: { showResults: boolean; showHints: boolean }) {
    const { reviewer } = await createOrganisationWithReviewer(handle.db);
    const created = await createAssessment(handle.db, reviewer, builderInput({ labs: labs.map((labId) => ({ labId, weight: 1 })), ...settings }));
    if (!created.ok) throw new Error(created.error);
    const made = await inviteCandidate(handle.db, reviewer, created.assessment.id, { name: "C", email: `c${Date.now()}${Math.random()}@example.com`.replace("0.", "") });
    if (!made.ok) throw new Error(made.error);
    const started = await startAssessment(handle.db, tokenFromLink(made.invites[0]!.link)!, null);
    if (!started.ok) throw new Error(started.error);
    return { user: { id: started.userId }, inviteId: made.invites[0]!.id };
  }

  test("after the deadline: the save action, sandbox, check and build routes refuse, nothing stored", async () => {
    const { user, inviteId } = await candidate(["deploy-the-model", "containerise-the-model"], { showResults: true, showHints: false });
    current.user = user;
    expect(await saveFileAction("containerise-the-model", "Dockerfile", "FROM python:3.12-slim\n")).toMatchObject({ ok: true });
    await handle.db.update(assessmentInvites).set({ deadlineAt: new Date(Date.now() - 1000) }).where(eq(assessmentInvites.id, inviteId));
    const before = await handle.db.select().from(labFiles).where(eq(labFiles.userId, user.id));

    const save = await saveFileAction("containerise-the-model", "Dockerfile", "FROM scratch\n");
    expect(save).toMatchObject({ ok: false, code: "assessment-closed", error: expect.stringContaining("The assessment's time is up") });
    const sandbox = await sandboxRoute(post("deploy-the-model", "sandbox", { action: "start" }), paramsOf("deploy-the-model"));
    expect(sandbox.status).toBe(409);
    expect(await sandbox.json()).toMatchObject({ code: "assessment-closed" });
    const build = await buildRoute(post("containerise-the-model", "build"), paramsOf("containerise-the-model"));
    expect(build.status).toBe(409);
    const check = await events(await checkRoute(post("containerise-the-model", "check"), paramsOf("containerise-the-model")));
    expect(check).toEqual([expect.objectContaining({ type: "error", code: "assessment-closed" })]);
    expect(await handle.db.select().from(labFiles).where(eq(labFiles.userId, user.id))).toEqual(before);
  });

  test("a lab outside the assessment is refused even before the deadline", async () => {
    const { user } = await candidate(["containerise-the-model"], { showResults: true, showHints: true });
    current.user = user;
    expect(await saveFileAction("design-the-prediction-api", "openapi.yaml", "openapi: 3.1.0\n")).toMatchObject({ ok: false, code: "not-found", error: "This lab is not part of your assessment." });
    const sandbox = await sandboxRoute(post("deploy-the-model", "sandbox", { action: "start" }), paramsOf("deploy-the-model"));
    expect(sandbox.status).toBe(404);
  });

  test("check results: hidden entirely, or shown without hints, as the assessment says", async () => {
    const hidden = await candidate(["design-the-prediction-api"], { showResults: false, showHints: false });
    current.user = hidden.user;
    const quiet = await events(await checkRoute(post("design-the-prediction-api", "check"), paramsOf("design-the-prediction-api")));
    expect(quiet.map((e) => e.type)).toEqual(["started", "done"]);
    expect(quiet[1]).toMatchObject({ type: "done", attempt: { score: 0, maxScore: 0, results: [] } });

    const noHints = await candidate(["design-the-prediction-api"], { showResults: true, showHints: false });
    current.user = noHints.user;
    const shown = await events(await checkRoute(post("design-the-prediction-api", "check"), paramsOf("design-the-prediction-api")));
    const results = shown.flatMap((e) => (e.type === "check" ? [e.result] : []));
    expect(results.some((r) => r.status === "fail")).toBe(true);
    expect(results.every((r) => r.hints === undefined)).toBe(true);
    expect(JSON.stringify(shown)).not.toContain('"hints"');

    const withHints = await candidate(["design-the-prediction-api"], { showResults: true, showHints: true });
    current.user = withHints.user;
    const helped = await events(await checkRoute(post("design-the-prediction-api", "check"), paramsOf("design-the-prediction-api")));
    expect(helped.some((e) => e.type === "check" && e.result.hints?.length)).toBe(true);
  }, 60_000);
});
