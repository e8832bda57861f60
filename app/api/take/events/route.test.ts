// POST /api/take/events on both databases: the candidate's own recorder is accepted; no session
// is 401, anyone but a candidate 403, another origin 403, a large body 413, after the deadline 409.
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { createAssessment } from "@/lib/assessments/assessments";
import { startAssessment } from "@/lib/assessments/candidate-session";
import { inviteCandidate } from "@/lib/assessments/invites";
import { builderInput, createOrganisationWithReviewer, createUser } from "@/lib/assessments/test-helpers";
import { tokenFromLink } from "@/lib/assessments/tokens";
import type { DatabaseHandle } from "@/lib/db/client";
import { assessmentEvents, assessmentInvites } from "@/lib/db/schema";
import { siteOrigin } from "@/lib/http/json-body";
import { DATABASE_KINDS, openTestDatabase } from "@/tests/support/databases";

const current = vi.hoisted(() => ({ db: null as unknown, user: null as { id: string } | null }));
vi.mock("@/lib/db", () => ({ getDb: async () => current.db }));
vi.mock("@/lib/auth/session", () => ({ getCurrentUser: async () => current.user }));

const { POST } = await import("./route");

const post = (body: unknown, origin = siteOrigin()) =>
  new Request(`${siteOrigin()}/api/take/events`, { method: "POST", headers: { "content-type": "application/json", origin }, body: JSON.stringify(body) });
const heartbeat = { labId: "containerise-the-model", events: [{ kind: "active", ms: 1000 }, { kind: "focus-lost" }] };

describe.each(DATABASE_KINDS)("POST /api/take/events on %s", (kind) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await openTestDatabase(kind);
    current.db = handle.db;
  }, 60_000);
  afterAll(async () => {
    await handle?.close();
  });

  test("the candidate's own heartbeat is stored; others and bad requests are refused with a status and words", async () => {
    const { reviewer } = await createOrganisationWithReviewer(handle.db);
    const created = await createAssessment(handle.db, reviewer, builderInput());
    if (!created.ok) throw new Error(created.error);
    const made = await inviteCandidate(handle.db, reviewer, created.assessment.id, { name: "C", email: `${randomUUID()}@example.com` });
    if (!made.ok) throw new Error(made.error);
    const started = await startAssessment(handle.db, tokenFromLink(made.invites[0]!.link)!, null, new Date(Date.now() - 60_000));
    if (!started.ok) throw new Error(started.error);

    current.user = null;
    expect((await POST(post(heartbeat))).status).toBe(401);
    current.user = await createUser(handle.db, "learner");
    const learner = await POST(post(heartbeat));
    expect(learner.status).toBe(403);
    expect(await learner.json()).toMatchObject({ code: "forbidden" });
    current.user = reviewer;
    expect((await POST(post(heartbeat))).status).toBe(403);

    current.user = { id: started.userId };
    expect((await POST(post(heartbeat, "https://evil.example"))).status).toBe(403);
    expect((await POST(post({ labId: "containerise-the-model", events: [{ kind: "paste", chars: 500, path: "x".repeat(9000) }] }))).status).toBe(413);
    expect((await POST(post({ labId: "containerise-the-model", events: [{ kind: "typing" }] }))).status).toBe(400);
    const ok = await POST(post(heartbeat));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ok: true, stored: 2 });
    expect(await handle.db.select().from(assessmentEvents).where(eq(assessmentEvents.inviteId, started.inviteId))).toHaveLength(2);

    await handle.db.update(assessmentInvites).set({ deadlineAt: new Date(Date.now() - 1000) }).where(eq(assessmentInvites.id, started.inviteId));
    const late = await POST(post(heartbeat));
    expect(late.status).toBe(409);
    expect(await late.json()).toMatchObject({ code: "assessment-closed" });
  });
});
