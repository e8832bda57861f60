// Share links of a candidate's report on both databases: made by a reviewer, opened with no
// account (only the token), every opening logged with address and truncated user agent, refused
// after revoking and after expiry and for unknown tokens, and scoped (another organisation cannot
// make, list or revoke; a learner gets ForbiddenError).
import { randomBytes, randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ForbiddenError } from "@/lib/auth/authorize";
import type { DatabaseHandle } from "@/lib/db/client";
import { assessmentShareLinks } from "@/lib/db/schema";
import { keyringOf } from "@/lib/grading/attempt-keys";
import { DATABASE_KINDS, openTestDatabase } from "@/tests/support/databases";
import { createAssessment } from "./assessments";
import { createInvites } from "./invites";
import { createShareLink, listShareLinks, openSharedReport, revokeShareLink, SHARE_LIMITS } from "./share-links";
import { hashInviteToken } from "./tokens";
import { builderInput, createOrganisationWithReviewer, createUser, recordAttempt, startInvite, submitInvite, TWO_LABS, type TestUser } from "./test-helpers";

const keys = keyringOf({ test: randomBytes(32) });
const DAY = 86_400_000;
const tokenOf = (link: string) => new URL(link).pathname.split("/").at(-1)!;

describe.each(DATABASE_KINDS)("share links on %s", { timeout: 60_000 }, (kind) => {
  let handle: DatabaseHandle;
  let reviewer: TestUser;
  let assessmentId: string;
  let inviteId: string;

  beforeAll(async () => {
    handle = await openTestDatabase(kind);
    ({ reviewer } = await createOrganisationWithReviewer(handle.db));
    const created = await createAssessment(handle.db, reviewer, builderInput());
    if (!created.ok) throw new Error(created.error);
    assessmentId = created.assessment.id;
    const invited = await createInvites(handle.db, reviewer, assessmentId, [{ name: "Ada", email: `${randomUUID()}@example.com` }]);
    if (!invited.ok) throw new Error(invited.error);
    inviteId = invited.invites[0]!.id;
    const user = await startInvite(handle.db, inviteId, new Date(Date.now() - 40 * 60_000));
    await recordAttempt(handle.db, keys, user.id, TWO_LABS[0], [{ id: "a", points: 10, earned: 7 }], new Date(Date.now() - 20 * 60_000));
    await submitInvite(handle.db, inviteId, new Date(Date.now() - 10 * 60_000));
  });
  afterAll(async () => {
    await handle?.close();
  });

  test("a link opens the report signed out, logs each use, and stops working once revoked", async () => {
    const made = await createShareLink(handle.db, reviewer, assessmentId, inviteId, { days: "7" });
    if (!made.ok) throw new Error(made.error);
    expect(made.link).toMatch(/\/shared\/[A-Za-z0-9_-]{43}$/);
    const token = tokenOf(made.link);
    // Only the fingerprint is stored.
    const [row] = await handle.db.select().from(assessmentShareLinks).where(eq(assessmentShareLinks.id, made.id));
    expect(row!.tokenHash).toBe(hashInviteToken(token));
    expect(JSON.stringify(row)).not.toContain(token);
    expect(made.expiresAt.getTime() - row!.createdAt.getTime()).toBe(7 * DAY);

    const opened = await openSharedReport(handle.db, token, { clientAddress: "203.0.113.9", userAgent: `Browser/${"x".repeat(1000)}` }, { keys });
    if (!opened.ok) throw new Error(opened.error);
    expect(opened.report).toMatchObject({ inviteId, name: "Ada", status: "submitted" });
    expect(opened.report.labs[0]!.score).toEqual({ earned: 7, max: 10, percent: 70 });
    await openSharedReport(handle.db, token, { clientAddress: "198.51.100.4", userAgent: null }, { keys });

    const listed = await listShareLinks(handle.db, reviewer, assessmentId, inviteId);
    if (!listed.ok) throw new Error(listed.error);
    expect(listed.links).toHaveLength(1);
    expect(listed.links[0]).toMatchObject({ id: made.id, state: "active", uses: 2, createdBy: reviewer.name });
    expect(listed.links[0]!.recentUses.map((u) => u.clientAddress).sort()).toEqual(["198.51.100.4", "203.0.113.9"]);
    const long = listed.links[0]!.recentUses.find((u) => u.clientAddress === "203.0.113.9")!;
    expect(long.userAgent).toHaveLength(SHARE_LIMITS.userAgentChars);

    expect(await revokeShareLink(handle.db, reviewer, made.id)).toEqual({ ok: true });
    expect(await openSharedReport(handle.db, token, { clientAddress: "203.0.113.9", userAgent: null }, { keys })).toMatchObject({ ok: false, code: "revoked" });
    const after = await listShareLinks(handle.db, reviewer, assessmentId, inviteId);
    expect(after.ok && after.links[0]).toMatchObject({ state: "revoked", uses: 2 });
  });

  test("a link stops working when it expires; unknown and malformed tokens are refused", async () => {
    const made = await createShareLink(handle.db, reviewer, assessmentId, inviteId, { days: 1 });
    if (!made.ok) throw new Error(made.error);
    const token = tokenOf(made.link);
    const visitor = { clientAddress: "203.0.113.9", userAgent: null };
    expect((await openSharedReport(handle.db, token, visitor, { keys, now: new Date(Date.now() + DAY - 60_000) })).ok).toBe(true);
    expect(await openSharedReport(handle.db, token, visitor, { keys, now: new Date(Date.now() + DAY + 60_000) })).toMatchObject({ ok: false, code: "expired" });
    expect(await openSharedReport(handle.db, randomBytes(32).toString("base64url"), visitor, { keys })).toMatchObject({ ok: false, code: "unknown" });
    expect(await openSharedReport(handle.db, "../../etc", visitor, { keys })).toMatchObject({ ok: false, code: "unknown" });
    // Refused openings are not logged: the one valid opening is the only use.
    const listed = await listShareLinks(handle.db, reviewer, assessmentId, inviteId);
    expect(listed.ok && listed.links.find((l) => l.id === made.id)!.uses).toBe(1);
  });

  test("days outside 1–90 are refused with a message", async () => {
    for (const days of ["0", "91", "two", "1.5"]) {
      const made = await createShareLink(handle.db, reviewer, assessmentId, inviteId, { days });
      expect(made).toMatchObject({ ok: false, code: "invalid-input" });
      expect(!made.ok && made.error).toMatch(/^Valid for: /);
    }
  });

  test("another organisation cannot make, list or revoke links; a learner gets ForbiddenError", async () => {
    const made = await createShareLink(handle.db, reviewer, assessmentId, inviteId, { days: 3 });
    if (!made.ok) throw new Error(made.error);
    const { reviewer: stranger } = await createOrganisationWithReviewer(handle.db);
    expect(await createShareLink(handle.db, stranger, assessmentId, inviteId, { days: 3 })).toMatchObject({ ok: false, code: "not-found" });
    expect(await listShareLinks(handle.db, stranger, assessmentId, inviteId)).toMatchObject({ ok: false, code: "not-found" });
    expect(await revokeShareLink(handle.db, stranger, made.id)).toMatchObject({ ok: false, code: "not-found" });
    expect((await openSharedReport(handle.db, tokenOf(made.link), { clientAddress: "x", userAgent: null }, { keys })).ok).toBe(true);
    const learner = await createUser(handle.db, "learner");
    await expect(createShareLink(handle.db, learner, assessmentId, inviteId, { days: 3 })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(listShareLinks(handle.db, learner, assessmentId, inviteId)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(revokeShareLink(handle.db, learner, made.id)).rejects.toBeInstanceOf(ForbiddenError);
  });
});
