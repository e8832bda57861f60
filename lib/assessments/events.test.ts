// The candidate's recorded events on both databases (decision 017, part 5): stored for the
// candidate's own invite only, with the server's time; active time clamped to the wall time since
// the previous heartbeat; refused after the deadline and after the submission; refused for anyone
// who is not a candidate; small pastes ignored, unknown files refused; at most 60 requests a minute.
import { randomUUID } from "node:crypto";
import { asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { DatabaseHandle } from "@/lib/db/client";
import { assessmentEvents, assessmentInvites } from "@/lib/db/schema";
import { DATABASE_KINDS, openTestDatabase } from "@/tests/support/databases";
import { createAssessment } from "./assessments";
import { startAssessment } from "./candidate-session";
import { clampActiveMs, recordCandidateEvents } from "./events";
import { inviteCandidate } from "./invites";
import { TERMINAL_PASTE_PATH } from "./schema";
import { builderInput, createOrganisationWithReviewer, createUser } from "./test-helpers";
import { tokenFromLink } from "./tokens";

const LAB = "containerise-the-model";
const OTHER = "deploy-the-model";
const SECOND = 1000;

test("active time is cut to the wall time since the previous heartbeat, or since Start", () => {
  const start = new Date("2026-12-03T10:00:00Z");
  const now = new Date("2026-12-03T10:01:00Z");
  expect(clampActiveMs(15 * SECOND, null, start, now)).toBe(15 * SECOND);
  expect(clampActiveMs(15 * SECOND, new Date("2026-12-03T10:00:50Z"), start, now)).toBe(10 * SECOND);
  expect(clampActiveMs(3_600_000, null, start, now)).toBe(60 * SECOND);
  // A previous heartbeat before Start (it cannot be) never widens the window.
  expect(clampActiveMs(90 * SECOND, new Date("2026-12-03T09:00:00Z"), start, now)).toBe(60 * SECOND);
  expect(clampActiveMs(15 * SECOND, now, start, now)).toBe(0);
});

describe.each(DATABASE_KINDS)("recorded candidate events on %s", (kind) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await openTestDatabase(kind);
  }, 60_000);
  afterAll(async () => {
    await handle?.close();
  });

  async function candidate(startedAt: Date, labId?: string) {
    const { reviewer } = await createOrganisationWithReviewer(handle.db);
    const created = await createAssessment(handle.db, reviewer, builderInput(labId ? { labs: [{ labId, weight: 1 }] } : {}));
    if (!created.ok) throw new Error(created.error);
    const made = await inviteCandidate(handle.db, reviewer, created.assessment.id, { name: "C", email: `${randomUUID()}@example.com` });
    if (!made.ok) throw new Error(made.error);
    const started = await startAssessment(handle.db, tokenFromLink(made.invites[0]!.link)!, null, startedAt);
    if (!started.ok) throw new Error(started.error);
    return { user: { id: started.userId }, inviteId: started.inviteId, reviewer };
  }
  const rowsOf = (inviteId: string) => handle.db.select().from(assessmentEvents).where(eq(assessmentEvents.inviteId, inviteId)).orderBy(asc(assessmentEvents.at), asc(assessmentEvents.kind));

  test("a candidate's pastes, focus changes and active time are stored for their own invite, at the server's time, never the text", async () => {
    const start = new Date(Date.now() - 10 * 60_000);
    const { user, inviteId } = await candidate(start);
    const other = await candidate(start);
    const at = new Date(start.getTime() + 60 * SECOND);
    const result = await recordCandidateEvents(
      handle.db,
      user,
      { labId: LAB, events: [{ kind: "paste", chars: 450, path: "Dockerfile" }, { kind: "paste", chars: 12, path: "Dockerfile" }, { kind: "focus-lost" }, { kind: "focus-back" }, { kind: "active", ms: 15 * SECOND }] },
      at,
    );
    expect(result).toEqual({ ok: true, stored: 4 });
    const rows = await rowsOf(inviteId);
    expect(rows.map((r) => [r.kind, r.labId, r.amount, r.path, r.at.getTime()])).toEqual([
      ["active", LAB, 15 * SECOND, null, at.getTime()],
      ["focus-back", LAB, null, null, at.getTime()],
      ["focus-lost", LAB, null, null, at.getTime()],
      ["paste", LAB, 450, "Dockerfile", at.getTime()],
    ]);
    // Focus changes on the assessment's own page have no lab.
    expect(await recordCandidateEvents(handle.db, user, { labId: null, events: [{ kind: "focus-lost" }] }, at)).toEqual({ ok: true, stored: 1 });
    expect(await rowsOf(other.inviteId)).toEqual([]);
  });

  test("active time: at most the wall time since the previous heartbeat of that lab, each lab counted on its own", async () => {
    const start = new Date(Date.now() - 10 * 60_000);
    const { user, inviteId } = await candidate(start);
    const t = (s: number) => new Date(start.getTime() + s * SECOND);
    // The first heartbeat claims more than has passed since Start.
    await recordCandidateEvents(handle.db, user, { labId: LAB, events: [{ kind: "active", ms: 60 * SECOND }] }, t(20));
    // A tampered browser claims an hour 15 s later.
    await recordCandidateEvents(handle.db, user, { labId: LAB, events: [{ kind: "active", ms: 3_600_000 }] }, t(35));
    // Another lab has its own window.
    await recordCandidateEvents(handle.db, user, { labId: OTHER, events: [{ kind: "active", ms: 10 * SECOND }] }, t(36));
    // Nothing since the last one (same instant): nothing stored.
    expect(await recordCandidateEvents(handle.db, user, { labId: LAB, events: [{ kind: "active", ms: 5 * SECOND }] }, t(35))).toEqual({ ok: true, stored: 0 });
    const rows = await rowsOf(inviteId);
    expect(rows.map((r) => [r.labId, r.amount])).toEqual([
      [LAB, 20 * SECOND],
      [LAB, 15 * SECOND],
      [OTHER, 10 * SECOND],
    ]);
  });

  test("refused after the deadline and after the submission, with the gate's words; nothing stored", async () => {
    const start = new Date(Date.now() - 10 * 60_000);
    const late = await candidate(start);
    await handle.db.update(assessmentInvites).set({ deadlineAt: new Date(Date.now() - SECOND) }).where(eq(assessmentInvites.id, late.inviteId));
    expect(await recordCandidateEvents(handle.db, late.user, { labId: LAB, events: [{ kind: "active", ms: 15 * SECOND }] })).toMatchObject({
      ok: false,
      code: "assessment-closed",
      error: expect.stringContaining("The assessment's time is up"),
    });
    const done = await candidate(start);
    await handle.db.update(assessmentInvites).set({ status: "submitted", submittedAt: new Date() }).where(eq(assessmentInvites.id, done.inviteId));
    expect(await recordCandidateEvents(handle.db, done.user, { labId: null, events: [{ kind: "focus-lost" }] })).toMatchObject({ ok: false, code: "assessment-closed" });
    expect(await rowsOf(late.inviteId)).toEqual([]);
    expect(await rowsOf(done.inviteId)).toEqual([]);
  });

  test("a paste into the terminal of a lab with a sandbox is recorded as such", async () => {
    const { user, inviteId } = await candidate(new Date(Date.now() - 60_000), "deploy-the-model");
    expect(await recordCandidateEvents(handle.db, user, { labId: "deploy-the-model", events: [{ kind: "paste", chars: 900, path: TERMINAL_PASTE_PATH }] })).toMatchObject({ ok: true });
    expect((await rowsOf(inviteId)).map((r) => [r.kind, r.amount, r.path])).toEqual([["paste", 900, "terminal"]]);
  });

  test("anyone but a candidate is forbidden; bad input is refused with words, nothing stored", async () => {
    const start = new Date(Date.now() - 10 * 60_000);
    const { user, inviteId, reviewer } = await candidate(start);
    const learner = await createUser(handle.db, "learner");
    for (const actor of [learner, reviewer]) {
      expect(await recordCandidateEvents(handle.db, actor, { labId: LAB, events: [{ kind: "focus-lost" }] })).toMatchObject({ ok: false, code: "forbidden" });
    }
    expect(await recordCandidateEvents(handle.db, user, { labId: LAB, events: [{ kind: "paste", chars: 500, path: "secrets.txt" }] })).toMatchObject({
      ok: false,
      code: "invalid-input",
      error: '"secrets.txt" is not an editable file of this lab.',
    });
    expect(await recordCandidateEvents(handle.db, user, { labId: LAB, events: [{ kind: "paste", chars: 500, path: TERMINAL_PASTE_PATH }] })).toMatchObject({
      ok: false,
      code: "invalid-input",
      error: "This lab has no terminal to paste into.",
    });
    expect(await recordCandidateEvents(handle.db, user, { labId: null, events: [{ kind: "active", ms: 1000 }] })).toMatchObject({ ok: false, code: "invalid-input" });
    expect(await recordCandidateEvents(handle.db, user, { labId: LAB, events: [] })).toMatchObject({ ok: false, code: "invalid-input" });
    expect(await recordCandidateEvents(handle.db, user, { labId: LAB, events: [{ kind: "active", ms: -5 }] })).toMatchObject({ ok: false, code: "invalid-input" });
    expect(await recordCandidateEvents(handle.db, user, { labId: LAB, events: [{ kind: "paste", chars: 500, path: "Dockerfile", text: "secret" }] })).toMatchObject({ ok: true });
    // A lab that is not in the candidate's version: the gate's not-found.
    expect(await recordCandidateEvents(handle.db, user, { labId: "design-the-prediction-api", events: [{ kind: "focus-lost" }] })).toMatchObject({ ok: false, code: "not-found" });
    expect((await rowsOf(inviteId)).map((r) => [r.kind, r.path])).toEqual([["paste", "Dockerfile"]]);
  });

  test("at most 60 requests a minute per candidate; the refusal says how long to wait and stores nothing", async () => {
    const { user, inviteId } = await candidate(new Date(Date.now() - 10 * 60_000));
    const now = new Date();
    for (let i = 0; i < 60; i += 1) {
      expect(await recordCandidateEvents(handle.db, user, { labId: LAB, events: [{ kind: "focus-lost" }] }, now)).toMatchObject({ ok: true });
    }
    expect(await recordCandidateEvents(handle.db, user, { labId: LAB, events: [{ kind: "focus-back" }] }, now)).toMatchObject({
      ok: false,
      code: "rate-limited",
      error: expect.stringContaining("Too many recorded events (at most 60 a minute)"),
    });
    expect((await rowsOf(inviteId)).filter((r) => r.kind === "focus-back")).toEqual([]);
  });
});
