// Invites on both databases: links stored only as hashes, the token lookup's five answers, revoke,
// extend and reset, a 1000-line paste, pages of 50, and email through a real SMTP server that the
// test runs on loopback (smtp-server), whose captured link must open the invite it was sent for.
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { eq } from "drizzle-orm";
import { SMTPServer } from "smtp-server";
import { ForbiddenError } from "@/lib/auth/authorize";
import type { DatabaseHandle } from "@/lib/db/client";
import { assessmentInvites } from "@/lib/db/schema";
import { DATABASE_KINDS, openTestDatabase } from "@/tests/support/databases";
import { createAssessment } from "./assessments";
import {
  createInvites,
  emailInvites,
  extendInvite,
  inviteCandidate,
  inviteCandidateList,
  listInvites,
  resetInvite,
  revokeInvite,
} from "./invites";
import { findInviteByToken } from "./invite-lookup";
import { PAGE_SIZE } from "./schema";
import { builderInput, createOrganisationWithReviewer, createUser, type TestUser } from "./test-helpers";
import { hashInviteToken, tokenFromLink } from "./tokens";

const DAY = 24 * 60 * 60 * 1000;

type Captured = { from: string; to: string[]; raw: string };

/** A real SMTP server on 127.0.0.1 (a free port), keeping every message it accepts. */
async function startSmtpServer(options: { rejectRecipient?: string } = {}) {
  const messages: Captured[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (address.address === options.rejectRecipient) return callback(new Error("550 mailbox unavailable"));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString("utf8"),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return { messages, url: `smtp://127.0.0.1:${port}`, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** The text body of a captured message, quoted-printable decoded when nodemailer chose it. */
function bodyOf(raw: string): string {
  const [headers, ...rest] = raw.split(/\r?\n\r?\n/);
  const body = rest.join("\n\n");
  if (!/content-transfer-encoding:\s*quoted-printable/i.test(headers ?? "")) return body;
  return body.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

describe.each(DATABASE_KINDS)("invites on %s", (kind) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await handle?.close();
  });

  async function assessmentOf(reviewer: TestUser, validity = 7) {
    const created = await createAssessment(handle.db, reviewer, builderInput({ inviteValidityDays: validity }));
    if (!created.ok) throw new Error(created.error);
    return created.assessment.id;
  }

  test("a link carries a 256-bit token that is stored only as its SHA-256, and opens its invite", async () => {
    const db = handle.db;
    const { reviewer, name: organisationName } = await createOrganisationWithReviewer(db);
    const id = await assessmentOf(reviewer);
    const now = new Date("2026-12-01T10:00:00Z");
    const result = await inviteCandidate(db, reviewer, id, { name: "Ada Lovelace", email: "Ada@Example.com" }, now);
    if (!result.ok) throw new Error(result.error);
    const [created] = result.invites;
    expect(created).toMatchObject({ name: "Ada Lovelace", email: "ada@example.com", expiresAt: new Date(now.getTime() + 7 * DAY) });
    const token = tokenFromLink(created!.link)!;
    expect(created!.link).toBe(`http://localhost:3000/take/${token}`);
    expect(Buffer.from(token, "base64url")).toHaveLength(32);

    const [row] = await db.select().from(assessmentInvites).where(eq(assessmentInvites.id, created!.id));
    expect(row!.tokenHash).toBe(hashInviteToken(token));
    expect(JSON.stringify(row)).not.toContain(token);

    const found = await findInviteByToken(db, token, now);
    expect(found).toMatchObject({
      ok: true,
      invite: { id: created!.id, name: "Ada Lovelace", organisationName, startedAt: null, version: { number: 1, settings: { title: builderInput().title } } },
    });
  });

  test("the lookup says unknown, expired, revoked and used, each with words for the candidate", async () => {
    const db = handle.db;
    const { reviewer } = await createOrganisationWithReviewer(db);
    const id = await assessmentOf(reviewer, 2);
    const now = new Date("2026-12-01T10:00:00Z");
    const made = await createInvites(db, reviewer, id, [
      { name: "Expiring", email: "e@example.com" },
      { name: "Revoked", email: "r@example.com" },
      { name: "Submitted", email: "s@example.com" },
      { name: "Started", email: "st@example.com" },
    ], now);
    if (!made.ok) throw new Error(made.error);
    const [expiring, revoked, submitted, started] = made.invites.map((i) => ({ ...i, token: tokenFromLink(i.link)! }));

    expect(await findInviteByToken(db, "x".repeat(43), now)).toMatchObject({ ok: false, code: "unknown" });
    expect(await findInviteByToken(db, "not a token", now)).toMatchObject({ ok: false, code: "unknown", error: expect.stringContaining("not valid") });

    const later = new Date(now.getTime() + 2 * DAY);
    expect(await findInviteByToken(db, expiring!.token, new Date(later.getTime() - 1))).toMatchObject({ ok: true });
    expect(await findInviteByToken(db, expiring!.token, later)).toMatchObject({ ok: false, code: "expired", expiredAt: later });

    expect(await revokeInvite(db, reviewer, revoked!.id, now)).toMatchObject({ ok: true, invite: { status: "revoked" } });
    expect(await findInviteByToken(db, revoked!.token, now)).toMatchObject({ ok: false, code: "revoked", error: expect.stringContaining("withdrawn") });

    // Parts 4–6 fill the session columns; here they are set as the candidate's flow will.
    const submittedAt = new Date(now.getTime() + 60_000);
    await db.update(assessmentInvites).set({ startedAt: now, submittedAt, status: "submitted" }).where(eq(assessmentInvites.id, submitted!.id));
    expect(await findInviteByToken(db, submitted!.token, later)).toMatchObject({ ok: false, code: "used", submittedAt });

    // A candidate who started before the expiry is held to the assessment's own deadline instead.
    await db.update(assessmentInvites).set({ startedAt: now, status: "started" }).where(eq(assessmentInvites.id, started!.id));
    expect(await findInviteByToken(db, started!.token, later)).toMatchObject({ ok: true, invite: { startedAt: now, status: "started" } });
  });

  test("extend sets a new expiry; reset makes a new link, kills the old one and clears a started session; submitted ones are kept", async () => {
    const db = handle.db;
    const { reviewer } = await createOrganisationWithReviewer(db);
    const candidate = await createUser(db, "learner");
    const id = await assessmentOf(reviewer, 3);
    const now = new Date("2026-12-01T10:00:00Z");
    const made = await createInvites(db, reviewer, id, [{ name: "Ada", email: "ada@example.com" }, { name: "Sub", email: "sub@example.com" }], now);
    if (!made.ok) throw new Error(made.error);
    const [ada, sub] = made.invites;
    const oldToken = tokenFromLink(ada!.link)!;

    const later = new Date(now.getTime() + 10 * DAY);
    expect(await findInviteByToken(db, oldToken, later)).toMatchObject({ code: "expired" });
    expect(await extendInvite(db, reviewer, ada!.id, { days: "0" }, later)).toMatchObject({ ok: false, code: "invalid-input", error: "The new validity must be at least 1." });
    expect(await extendInvite(db, reviewer, ada!.id, { days: "5" }, later)).toMatchObject({ ok: true, invite: { status: "invited", expiresAt: new Date(later.getTime() + 5 * DAY) } });
    expect(await findInviteByToken(db, oldToken, later)).toMatchObject({ ok: true });

    await db.update(assessmentInvites).set({ startedAt: later, candidateUserId: candidate.id, status: "started" }).where(eq(assessmentInvites.id, ada!.id));
    await revokeInvite(db, reviewer, ada!.id, later);
    expect(await extendInvite(db, reviewer, ada!.id, { days: 5 }, later)).toMatchObject({ ok: false, code: "revoked" });

    const reset = await resetInvite(db, reviewer, ada!.id, later);
    if (!reset.ok) throw new Error(reset.error);
    const newToken = tokenFromLink(reset.created.link)!;
    expect(newToken).not.toBe(oldToken);
    expect(reset.invite).toMatchObject({ status: "invited", startedAt: null, expiresAt: new Date(later.getTime() + 3 * DAY) });
    expect(await findInviteByToken(db, oldToken, later)).toMatchObject({ code: "unknown" });
    expect(await findInviteByToken(db, newToken, later)).toMatchObject({ ok: true, invite: { startedAt: null, candidateUserId: null, status: null } });

    await db.update(assessmentInvites).set({ startedAt: now, submittedAt: now, status: "submitted" }).where(eq(assessmentInvites.id, sub!.id));
    expect(await resetInvite(db, reviewer, sub!.id, later)).toMatchObject({ ok: false, code: "already-submitted" });
    expect(await revokeInvite(db, reviewer, sub!.id, later)).toMatchObject({ ok: false, code: "already-submitted" });
    expect(await extendInvite(db, reviewer, sub!.id, { days: 1 }, later)).toMatchObject({ ok: false, code: "already-submitted" });
  });

  test("another organisation's invites are not found and a learner is forbidden", async () => {
    const db = handle.db;
    const a = await createOrganisationWithReviewer(db);
    const b = await createOrganisationWithReviewer(db);
    const learner = await createUser(db, "learner");
    const id = await assessmentOf(a.reviewer);
    const made = await createInvites(db, a.reviewer, id, [{ name: "Ada", email: "ada@example.com" }]);
    if (!made.ok) throw new Error(made.error);
    const inviteId = made.invites[0]!.id;
    for (const change of [revokeInvite(db, b.reviewer, inviteId), extendInvite(db, b.reviewer, inviteId, { days: 3 }), resetInvite(db, b.reviewer, inviteId)]) {
      expect(await change).toMatchObject({ ok: false, code: "not-found" });
    }
    expect(await listInvites(db, b.reviewer, id)).toMatchObject({ ok: false, code: "not-found" });
    await expect(listInvites(db, learner, id)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(revokeInvite(db, learner, inviteId)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(inviteCandidateList(db, learner, id, "bad line")).rejects.toBeInstanceOf(ForbiddenError);
    expect(await findInviteByToken(db, tokenFromLink(made.invites[0]!.link)!)).toMatchObject({ ok: true });
  });

  test("a pasted list is all or nothing: bad lines and emails already invited are reported by line number", async () => {
    const db = handle.db;
    const { reviewer } = await createOrganisationWithReviewer(db);
    const id = await assessmentOf(reviewer);
    await createInvites(db, reviewer, id, [{ name: "Existing", email: "existing@example.com" }]);

    const bad = await inviteCandidateList(db, reviewer, id, "Ada, ada@example.com\nno email here\n\nBob <bob@example>\nAda Again, ADA@example.com\n");
    expect(bad).toMatchObject({
      ok: false,
      code: "invalid-input",
      problems: [
        { line: 2, error: expect.stringContaining('"Name, email"') },
        { line: 4, error: expect.stringContaining("not an email address") },
        { line: 5, error: "ada@example.com is already on line 1." },
      ],
    });
    const taken = await inviteCandidateList(db, reviewer, id, "New One, new@example.com\nExisting Again <existing@example.com>");
    expect(taken).toMatchObject({ ok: false, problems: [{ line: 2, error: expect.stringContaining("already invited") }] });
    const page = await listInvites(db, reviewer, id);
    if (!page.ok) throw new Error(page.error);
    expect(page.invites.map((i) => i.email)).toEqual(["existing@example.com"]);

    const good = await inviteCandidateList(db, reviewer, id, "name,email\nLovelace, Ada, ada@example.com\n\"Bob B\" <bob@example.com>\n");
    expect(good).toMatchObject({ ok: true, invites: [{ name: "Lovelace, Ada", email: "ada@example.com" }, { name: "Bob B", email: "bob@example.com" }] });
  });

  test("a paste of 1000 candidates is invited at once, and listed 50 a page", async () => {
    const db = handle.db;
    const { reviewer } = await createOrganisationWithReviewer(db);
    const id = await assessmentOf(reviewer);
    const text = Array.from({ length: 1000 }, (_, i) => `Candidate ${i}, candidate-${String(i).padStart(4, "0")}@example.com`).join("\n");
    const result = await inviteCandidateList(db, reviewer, id, text);
    if (!result.ok) throw new Error(result.error);
    expect(result.invites).toHaveLength(1000);
    expect(new Set(result.invites.map((i) => tokenFromLink(i.link))).size).toBe(1000);

    const first = await listInvites(db, reviewer, id, 1);
    const last = await listInvites(db, reviewer, id, 20);
    const beyond = await listInvites(db, reviewer, id, 999);
    if (!first.ok || !last.ok || !beyond.ok) throw new Error("list failed");
    expect(first).toMatchObject({ total: 1000, pages: 20, page: 1, pageSize: PAGE_SIZE });
    expect(first.invites).toHaveLength(PAGE_SIZE);
    expect(first.invites[0]!.email).toBe("candidate-0000@example.com");
    expect(last.invites.at(-1)!.email).toBe("candidate-0999@example.com");
    expect(beyond.page).toBe(20);
    const all = new Set<string>();
    for (let page = 1; page <= 20; page++) {
      const p = await listInvites(db, reviewer, id, page);
      if (p.ok) p.invites.forEach((i) => all.add(i.id));
    }
    expect(all.size).toBe(1000);
  }, 120_000);

  test("emailed links reach a real SMTP server, open the invite they were sent for, and are recorded as sent", async () => {
    const db = handle.db;
    const { reviewer, name: organisationName } = await createOrganisationWithReviewer(db);
    const id = await assessmentOf(reviewer);
    const smtp = await startSmtpServer({ rejectRecipient: "bounce@example.com" });
    try {
      const made = await createInvites(db, reviewer, id, [
        { name: "Ada Lovelace", email: "ada@example.com" },
        { name: "Grace Hopper", email: "grace@example.com" },
        { name: "Bounce", email: "bounce@example.com" },
      ]);
      if (!made.ok) throw new Error(made.error);
      const sent = await emailInvites(db, reviewer, id, made.invites, { url: smtp.url, from: "Hiring <hiring@example.com>" });
      if (!sent.ok) throw new Error(sent.error);
      expect(sent.report.sent.sort()).toEqual(["ada@example.com", "grace@example.com"]);
      expect(sent.report.failed).toEqual([{ email: "bounce@example.com", error: expect.stringContaining("mailbox unavailable") }]);

      const toAda = smtp.messages.find((m) => m.to.includes("ada@example.com"))!;
      expect(toAda.from).toBe("hiring@example.com");
      expect(toAda.raw).toMatch(/^Subject: Your assessment: Platform engineer, take-home/m);
      const body = bodyOf(toAda.raw);
      expect(body).toContain("Hello Ada Lovelace,");
      expect(body).toContain(organisationName);
      const link = /https?:\/\/\S+\/take\/[A-Za-z0-9_-]+/.exec(body)?.[0];
      expect(link).toBe(made.invites[0]!.link);
      const [row] = await db.select().from(assessmentInvites).where(eq(assessmentInvites.id, made.invites[0]!.id));
      expect(row!.tokenHash).toBe(hashInviteToken(tokenFromLink(link!)!));
      expect(await findInviteByToken(db, tokenFromLink(link!)!)).toMatchObject({ ok: true, invite: { email: "ada@example.com" } });

      const page = await listInvites(db, reviewer, id);
      if (!page.ok) throw new Error(page.error);
      const emailed = Object.fromEntries(page.invites.map((i) => [i.email, i.emailedAt !== null]));
      expect(emailed).toEqual({ "ada@example.com": true, "grace@example.com": true, "bounce@example.com": false });

      // Another organisation cannot use someone else's invite ids to send mail.
      const other = await createOrganisationWithReviewer(db);
      const before = smtp.messages.length;
      expect(await emailInvites(db, other.reviewer, id, made.invites, { url: smtp.url, from: "x@example.com" })).toMatchObject({ ok: false, code: "not-found" });
      expect(smtp.messages.length).toBe(before);
    } finally {
      await smtp.close();
    }
  });
});
