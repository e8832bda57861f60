import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { DatabaseHandle } from "@/lib/db/client";
import { DATABASE_KINDS, openTestDatabase } from "@/tests/support/databases";
import {
  changeRole,
  createOrPromoteAdmin,
  findUserById,
  ForbiddenError,
  listUsers,
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

  test("an external identity maps to one user, linked by email", async () => {
    const first = await userForExternalAccount(handle.db, {
      provider: "github",
      providerAccountId: "42",
      email: "Octo@Example.com",
      name: "Octo",
    });
    const again = await userForExternalAccount(handle.db, {
      provider: "github",
      providerAccountId: "42",
      email: "changed@example.com",
      name: "Octo",
    });
    expect(again.id).toBe(first.id);
    const viaOidc = await userForExternalAccount(handle.db, {
      provider: "oidc",
      providerAccountId: "sub-1",
      email: "octo@example.com",
      name: "Octo",
    });
    expect(viaOidc.id).toBe(first.id);
    expect(first.role).toBe("learner");
  });
});
