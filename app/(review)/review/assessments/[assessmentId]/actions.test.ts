// The invite actions as the page calls them, on both databases: the links come back once (and
// work), bad pasted lines come back by number, email goes through a real SMTP server on loopback
// when SMTP_URL is set and is skipped when it is not, reset replaces the link, other
// organisations and learners are refused, and invite batches are rate limited.
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import { SMTPServer } from "smtp-server";
import { createAssessment } from "@/lib/assessments/assessments";
import { listInvites } from "@/lib/assessments/invites";
import { findInviteByToken } from "@/lib/assessments/invite-lookup";
import { builderInput, createOrganisationWithReviewer, createUser, type TestUser } from "@/lib/assessments/test-helpers";
import { tokenFromLink } from "@/lib/assessments/tokens";
import type { DatabaseHandle } from "@/lib/db/client";
import { DATABASE_KINDS, openTestDatabase } from "@/tests/support/databases";
import { formData } from "@/tests/support/next-action";

const current = vi.hoisted(() => ({
  db: null as unknown,
  user: null as { id: string; role: string } | null,
  smtp: {} as { SMTP_URL?: string; SMTP_FROM?: string },
}));
vi.mock("@/lib/db", () => ({ getDb: async () => current.db }));
vi.mock("@/lib/auth/session", () => ({ getCurrentUser: async () => current.user }));
vi.mock("next/cache", () => ({ revalidatePath: () => {} }));
// The real environment, with SMTP_URL and SMTP_FROM as each test sets them.
vi.mock("@/lib/env", async (importOriginal) => {
  const actual = await importOriginal<typeof import("@/lib/env")>();
  return { ...actual, env: new Proxy(actual.env, { get: (target, key: string) => (key in current.smtp ? current.smtp[key as "SMTP_URL"] : target[key as keyof typeof target]) }) };
});

const { inviteListAction, inviteOneAction, resetInviteAction, revokeInviteAction } = await import("./actions");

const EMPTY = { message: "", error: false, fieldErrors: {}, problems: [], links: [], emailFailures: [] };
const ROW = { message: "", error: false, links: [] };

async function withSmtp<T>(run: (messages: string[]) => Promise<T>): Promise<T> {
  const messages: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        messages.push(Buffer.concat(chunks).toString("utf8"));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  current.smtp = { SMTP_URL: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`, SMTP_FROM: "Hiring <hiring@example.com>" };
  try {
    return await run(messages);
  } finally {
    current.smtp = {};
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe.each(DATABASE_KINDS)("invite actions on %s", (kind) => {
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
    current.smtp = {};
  });

  async function assessmentFor(reviewer: TestUser) {
    const created = await createAssessment(handle.db, reviewer, builderInput());
    if (!created.ok) throw new Error(created.error);
    return created.assessment.id;
  }

  test("a pasted list answers with one working link per candidate, shown once; email is off without SMTP_URL", async () => {
    const { reviewer } = await createOrganisationWithReviewer(handle.db);
    current.user = reviewer;
    const assessmentId = await assessmentFor(reviewer);
    const state = await inviteListAction(EMPTY, formData({ assessmentId, candidates: "Ada, ada@example.com\nGrace <grace@example.com>", sendEmail: "on" }));
    expect(state).toMatchObject({ error: false, message: expect.stringContaining("Invited 2 candidates to version 1. Copy or download"), emailFailures: [] });
    expect(state.links.map((l) => l.email)).toEqual(["ada@example.com", "grace@example.com"]);
    for (const link of state.links) {
      expect(await findInviteByToken(handle.db, tokenFromLink(link.link)!)).toMatchObject({ ok: true, invite: { email: link.email } });
      expect(Date.parse(link.expiresAt)).toBeGreaterThan(Date.now());
    }

    // Every problem in one answer (a bad line and an email invited before), and nothing stored.
    const bad = await inviteListAction(EMPTY, formData({ assessmentId, candidates: "New One, new@example.com\nAda again, ada@example.com\nnope" }));
    expect(bad).toMatchObject({
      error: true,
      links: [],
      problems: [
        { line: 2, error: expect.stringContaining("already invited") },
        { line: 3, error: expect.stringContaining('"Name, email"') },
      ],
    });
    expect(await listInvites(handle.db, reviewer, assessmentId)).toMatchObject({ ok: true, total: 2 });
    const one = await inviteOneAction(EMPTY, formData({ assessmentId, name: "", email: "x" }));
    expect(one).toMatchObject({ error: true, fieldErrors: { name: "The candidate's name must not be empty.", email: expect.stringContaining("not an email") } });
  });

  test("with SMTP_URL each candidate is emailed the link they were given, through a real SMTP server", async () => {
    const { reviewer } = await createOrganisationWithReviewer(handle.db);
    current.user = reviewer;
    const assessmentId = await assessmentFor(reviewer);
    await withSmtp(async (messages) => {
      const state = await inviteOneAction(EMPTY, formData({ assessmentId, name: "Ada Lovelace", email: "ada@example.com", sendEmail: "on" }));
      expect(state).toMatchObject({ error: false, message: expect.stringContaining("emailed 1") });
      expect(messages).toHaveLength(1);
      const link = state.links[0]!.link;
      expect(messages[0]!.replace(/=\r?\n/g, "")).toContain(link);

      // Unticked: the link is made but not sent.
      const quiet = await inviteOneAction(EMPTY, formData({ assessmentId, name: "Quiet", email: "quiet@example.com" }));
      expect(quiet.message).toContain("Copy or download");
      expect(messages).toHaveLength(1);
    });
  });

  test("reset answers with a new link and the old one stops working; revoke stops it too", async () => {
    const { reviewer } = await createOrganisationWithReviewer(handle.db);
    current.user = reviewer;
    const assessmentId = await assessmentFor(reviewer);
    const made = await inviteOneAction(EMPTY, formData({ assessmentId, name: "Ada", email: "ada@example.com" }));
    const oldToken = tokenFromLink(made.links[0]!.link)!;
    const found = await findInviteByToken(handle.db, oldToken);
    if (!found.ok) throw new Error(found.error);
    const inviteId = found.invite.id;

    const reset = await resetInviteAction(ROW, formData({ assessmentId, inviteId }));
    expect(reset).toMatchObject({ error: false, message: expect.stringContaining("the old one no longer works") });
    const newToken = tokenFromLink(reset.links[0]!.link)!;
    expect(await findInviteByToken(handle.db, oldToken)).toMatchObject({ code: "unknown" });
    expect(await findInviteByToken(handle.db, newToken)).toMatchObject({ ok: true });

    expect(await revokeInviteAction(ROW, formData({ assessmentId, inviteId }))).toMatchObject({ error: false, message: "The link of ada@example.com no longer works." });
    expect(await findInviteByToken(handle.db, newToken)).toMatchObject({ code: "revoked" });
  });

  test("another organisation's reviewer gets not-found, a learner the role message, and batches are limited to 20 a minute", async () => {
    const a = await createOrganisationWithReviewer(handle.db);
    const b = await createOrganisationWithReviewer(handle.db);
    const learner = await createUser(handle.db, "learner");
    current.user = a.reviewer;
    const assessmentId = await assessmentFor(a.reviewer);
    const made = await inviteOneAction(EMPTY, formData({ assessmentId, name: "Ada", email: "ada@example.com" }));
    const found = await findInviteByToken(handle.db, tokenFromLink(made.links[0]!.link)!);
    if (!found.ok) throw new Error(found.error);

    current.user = b.reviewer;
    expect(await inviteOneAction(EMPTY, formData({ assessmentId, name: "Eve", email: "eve@example.com" }))).toMatchObject({ error: true, message: "There is no such assessment in your organisation." });
    expect(await resetInviteAction(ROW, formData({ assessmentId, inviteId: found.invite.id }))).toMatchObject({ error: true, links: [], message: "There is no such invite in your organisation." });
    expect(await revokeInviteAction(ROW, formData({ assessmentId, inviteId: found.invite.id }))).toMatchObject({ error: true });
    expect(await findInviteByToken(handle.db, tokenFromLink(made.links[0]!.link)!)).toMatchObject({ ok: true });

    current.user = learner;
    expect(await inviteListAction(EMPTY, formData({ assessmentId, candidates: "Eve, eve@example.com" }))).toMatchObject({ error: true, message: "Only reviewers and administrators can do this." });
    current.user = null;
    expect(await inviteOneAction(EMPTY, formData({ assessmentId, name: "Eve", email: "eve@example.com" }))).toMatchObject({ error: true, message: expect.stringContaining("Sign in again") });

    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-06-01T12:00:15Z") });
    current.user = a.reviewer;
    for (let i = 0; i < 20; i++) {
      expect(await inviteOneAction(EMPTY, formData({ assessmentId, name: `C ${i}`, email: `c${i}@example.com` }))).toMatchObject({ error: false });
    }
    expect(await inviteOneAction(EMPTY, formData({ assessmentId, name: "C 21", email: "c21@example.com" }))).toMatchObject({
      error: true,
      links: [],
      message: "Too many invite batches and resets (at most 20 a minute). Try again in 45 seconds.",
    });
  });
});
