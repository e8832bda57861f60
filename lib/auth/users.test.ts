import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { eq, inArray } from "drizzle-orm";
import type { DatabaseHandle } from "@/lib/db/client";
import { users } from "@/lib/db/schema";
import { DATABASE_KINDS, openTestDatabase } from "@/tests/support/databases";
import {
  changeRole,
  createOrPromoteAdmin,
  findUserById,
  ForbiddenError,
  listUsers,
  revokeSessions,
  sessionVersionOf,
  signOutEverywhere,
  signUp,
  userForExternalAccount,
  verifyCredentials,
} from "./users";

describe.each(DATABASE_KINDS)("users on %s", (kind) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await handle?.close();
  });

  test("sign-up stores a learner with a hashed password that verifies", async () => {
    const result = await signUp(handle.db, { name: "Ada", email: " Ada@Example.com ", password: "correct horse battery" });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.user.email).toBe("ada@example.com");
    expect(result.user.role).toBe("learner");
    expect(await verifyCredentials(handle.db, "ADA@example.com", "correct horse battery")).toMatchObject({
      id: result.user.id,
    });
    expect(await verifyCredentials(handle.db, "ada@example.com", "wrong horse battery")).toBeNull();
    expect(await verifyCredentials(handle.db, "nobody@example.com", "correct horse battery")).toBeNull();
  });

  test("sign-up with a taken email or a weak password gives field errors", async () => {
    await signUp(handle.db, { name: "Taken", email: "taken@example.com", password: "a long enough pass" });
    const taken = await signUp(handle.db, { name: "Other", email: "TAKEN@example.com", password: "another long pass" });
    expect(taken).toEqual({ ok: false, errors: { email: expect.stringContaining("already exists") } });
    const weak = await signUp(handle.db, { name: "Weak", email: "weak@example.com", password: "short" });
    expect(weak).toEqual({ ok: false, errors: { password: expect.stringContaining("at least 10") } });
    const bad = await signUp(handle.db, { name: "", email: "not-an-email", password: "password123" });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(Object.keys(bad.errors).sort()).toEqual(["email", "name", "password"]);
  });

  test("only an admin lists users and changes roles; the last admin stays", async () => {
    const admin = await createOrPromoteAdmin(handle.db, {
      email: "root@example.com",
      name: "Root",
      password: "a very good admin password",
    });
    if (!("user" in admin)) throw new Error("admin not created");
    const learner = await signUp(handle.db, { name: "L", email: "learner@example.com", password: "studying hard 1" });
    if (!learner.ok) throw new Error("learner not created");

    await expect(listUsers(handle.db, learner.user)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(listUsers(handle.db, null)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(changeRole(handle.db, learner.user, learner.user.id, "admin")).rejects.toBeInstanceOf(ForbiddenError);

    const emails = (await listUsers(handle.db, admin.user)).map((u) => u.email);
    expect(emails).toContain("learner@example.com");

    const promoted = await changeRole(handle.db, admin.user, learner.user.id, "reviewer");
    expect(promoted).toMatchObject({ ok: true, user: { role: "reviewer" } });
    expect((await findUserById(handle.db, learner.user.id))?.role).toBe("reviewer");

    const demoteSelf = await changeRole(handle.db, admin.user, admin.user.id, "learner");
    expect(demoteSelf).toEqual({ ok: false, error: "At least one administrator must remain." });
  });

  const open = { openSignup: true };

  test("an external identity maps to one user, linked by email", async () => {
    const first = await userForExternalAccount(
      handle.db,
      { provider: "github", providerAccountId: "42", email: "Octo@Example.com", emailVerified: true, name: "Octo" },
      open,
    );
    const again = await userForExternalAccount(
      handle.db,
      { provider: "github", providerAccountId: "42", email: "changed@example.com", emailVerified: true, name: "Octo" },
      open,
    );
    if (!first.ok || !again.ok) throw new Error("external sign-in refused");
    expect(again.user.id).toBe(first.user.id);
    const viaOidc = await userForExternalAccount(
      handle.db,
      { provider: "oidc", providerAccountId: "sub-1", email: "octo@example.com", emailVerified: true, name: "Octo" },
      open,
    );
    if (!viaOidc.ok) throw new Error("external sign-in refused");
    expect(viaOidc.user.id).toBe(first.user.id);
    expect(first.user.role).toBe("learner");
  });

  test("an unverified email is never linked or used to create an account", async () => {
    const owner = await signUp(handle.db, { name: "Owner", email: "owner@example.com", password: "a long secret phrase" });
    if (!owner.ok) throw new Error("owner not created");
    for (const email of ["owner@example.com", "fresh-unverified@example.com", null]) {
      const result = await userForExternalAccount(
        handle.db,
        { provider: "oidc", providerAccountId: `attacker-${email}`, email, emailVerified: false, name: "Mallory" },
        open,
      );
      expect(result).toMatchObject({ ok: false, code: "email-not-verified" });
    }
    expect((await listUsers(handle.db, await anAdmin())).map((u) => u.email)).not.toContain("fresh-unverified@example.com");
  });

  test("a verified email is not linked silently to an account with a password or a role above learner", async () => {
    const withPassword = await signUp(handle.db, { name: "P", email: "has-password@example.com", password: "a password of mine" });
    if (!withPassword.ok) throw new Error("user not created");
    const adminViaSso = await userForExternalAccount(
      handle.db,
      { provider: "github", providerAccountId: "admin-gh", email: "sso-admin@example.com", emailVerified: true, name: "Boss" },
      open,
    );
    if (!adminViaSso.ok) throw new Error("admin not created");
    await changeRole(handle.db, await anAdmin(), adminViaSso.user.id, "admin");

    for (const email of ["has-password@example.com", "sso-admin@example.com"]) {
      const result = await userForExternalAccount(
        handle.db,
        { provider: "oidc", providerAccountId: `other-idp-${email}`, email, emailVerified: true, name: "Someone" },
        open,
      );
      expect(result).toEqual({ ok: false, code: "sign-in-to-link", error: expect.stringContaining("Sign in with your email and password first") });
    }

    // Signed in (with the password), the same identity is linked, and from then on signs in directly.
    const identity = { provider: "oidc", providerAccountId: "other-idp-has-password@example.com", email: "has-password@example.com", emailVerified: true, name: "P" };
    const linked = await userForExternalAccount(handle.db, identity, { ...open, signedInUserId: withPassword.user.id });
    expect(linked).toMatchObject({ ok: true, user: { id: withPassword.user.id } });
    expect(await userForExternalAccount(handle.db, identity, open)).toMatchObject({ ok: true, user: { id: withPassword.user.id } });
  });

  test("with sign-up closed, a new external identity creates no account; linked ones still sign in", async () => {
    const closed = { openSignup: false };
    const linkedBefore = await userForExternalAccount(
      handle.db,
      { provider: "github", providerAccountId: "early-bird", email: "early@example.com", emailVerified: true, name: "Early" },
      open,
    );
    if (!linkedBefore.ok) throw new Error("not created");
    const refused = await userForExternalAccount(
      handle.db,
      { provider: "github", providerAccountId: "stranger", email: "stranger@example.com", emailVerified: true, name: "Stranger" },
      closed,
    );
    expect(refused).toMatchObject({ ok: false, code: "sign-up-closed" });
    expect((await listUsers(handle.db, await anAdmin())).map((u) => u.email)).not.toContain("stranger@example.com");
    const again = await userForExternalAccount(
      handle.db,
      { provider: "github", providerAccountId: "early-bird", email: "early@example.com", emailVerified: true, name: "Early" },
      closed,
    );
    expect(again).toMatchObject({ ok: true, user: { id: linkedBefore.user.id } });
  });

  test("sessions: sign out everywhere and an admin's revocation raise the session version", async () => {
    const user = await signUp(handle.db, { name: "S", email: "sessions@example.com", password: "revocable tokens 7" });
    if (!user.ok) throw new Error("user not created");
    const before = await sessionVersionOf(handle.db, user.user.id);
    expect(await signOutEverywhere(handle.db, user.user)).toEqual({ ok: true });
    expect(await sessionVersionOf(handle.db, user.user.id)).toBe((before ?? 0) + 1);
    expect(await signOutEverywhere(handle.db, null)).toMatchObject({ ok: false });

    await expect(revokeSessions(handle.db, user.user, user.user.id)).rejects.toBeInstanceOf(ForbiddenError);
    expect(await revokeSessions(handle.db, await anAdmin(), user.user.id)).toMatchObject({ ok: true });
    expect(await sessionVersionOf(handle.db, user.user.id)).toBe((before ?? 0) + 2);
    expect(await sessionVersionOf(handle.db, "no-such-user")).toBeNull();
  });

  async function anAdmin() {
    const admin = await createOrPromoteAdmin(handle.db, { email: "root@example.com", name: "Root", password: "a very good admin password" });
    if (!("user" in admin)) throw new Error("admin not created");
    return admin.user;
  }
});

// PGlite runs one transaction at a time, so the race exists only on PostgreSQL; this runs there.
describe("the last administrator on postgres", () => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await openTestDatabase("postgres");
  });
  afterAll(async () => {
    await handle?.close();
  });

  test("two admins demoting each other at the same moment leave one admin", { timeout: 30_000 }, async () => {
    const a = await createOrPromoteAdmin(handle.db, { email: "a@example.com", name: "A", password: "admin password a 1" });
    const b = await createOrPromoteAdmin(handle.db, { email: "b@example.com", name: "B", password: "admin password b 2" });
    if (!("user" in a) || !("user" in b)) throw new Error("admins not created");
    // Several rounds: without the row locks, most rounds end with no admin at all.
    for (let round = 0; round < 10; round++) {
      await handle.db.update(users).set({ role: "admin" }).where(inArray(users.id, [a.user.id, b.user.id]));

      const results = await Promise.all([
        changeRole(handle.db, a.user, b.user.id, "learner"),
        changeRole(handle.db, b.user, a.user.id, "learner"),
      ]);
      expect(results.filter((r) => r.ok), `round ${round}`).toHaveLength(1);
      expect(results.filter((r) => !r.ok)).toEqual([{ ok: false, error: "At least one administrator must remain." }]);
      const admins = await handle.db.select().from(users).where(eq(users.role, "admin"));
      expect(admins, `round ${round}`).toHaveLength(1);
    }
  });
});
