// Users and roles: the data access layer. Every function that reveals or changes other users
// takes the acting user and checks the role here, not in pages.
import "server-only";
import { randomUUID } from "node:crypto";
import { and, asc, eq, ne, or, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { accounts, users, type Role, type UserRow } from "@/lib/db/schema";
import { assertRole } from "./authorize";
import { hashPassword, verifyPassword } from "./password";
import { SignUpSchema, type SignUpInput } from "./schema";

/** What pages and components get to see of a user: never the password hash. */
export type UserDTO = { id: string; email: string; name: string; role: Role; createdAt: Date };

export function toUserDTO(row: UserRow): UserDTO {
  return { id: row.id, email: row.email, name: row.name, role: row.role, createdAt: row.createdAt };
}

export type FieldErrors = Partial<Record<"name" | "email" | "password" | "form", string>>;
export type SignUpResult = { ok: true; user: UserDTO } | { ok: false; errors: FieldErrors };

/** Creates a user with a password; `taken` when the email already has an account. */
export async function insertPasswordUser(
  db: Database,
  input: SignUpInput,
  role: Role = "learner",
): Promise<SignUpResult | { ok: false; taken: true }> {
  const parsed = SignUpSchema.safeParse(input);
  if (!parsed.success) {
    const errors: FieldErrors = {};
    for (const issue of parsed.error.issues) {
      const field = issue.path[0] as keyof FieldErrors;
      errors[field] ??= issue.message;
    }
    return { ok: false, errors };
  }
  const { name, email, password } = parsed.data;
  // Hashed before knowing whether the email is taken, so both cases cost the same time.
  const passwordHash = await hashPassword(password);
  const inserted = await db
    .insert(users)
    .values({ id: randomUUID(), email, name, passwordHash, role })
    .onConflictDoNothing({ target: users.email })
    .returning();
  const row = inserted[0];
  return row ? { ok: true, user: toUserDTO(row) } : { ok: false, taken: true };
}

/**
 * Creates a user for trusted callers (`admin:create`, tests), saying when the email is taken. The
 * public sign-up form uses `registerLearner` (lib/auth/password-sign-in.ts), which does not.
 */
export async function signUp(db: Database, input: SignUpInput, role: Role = "learner"): Promise<SignUpResult> {
  const result = await insertPasswordUser(db, input, role);
  if ("taken" in result) return { ok: false, errors: { email: "An account with this email already exists. Sign in instead." } };
  return result;
}

export async function findUserById(db: Database, id: string): Promise<UserDTO | null> {
  const rows = await db.select().from(users).where(eq(users.id, id)).limit(1);
  return rows[0] ? toUserDTO(rows[0]) : null;
}

/** Checks an email + password; null when either is wrong (without saying which). */
export async function verifyCredentials(db: Database, email: string, password: string): Promise<UserDTO | null> {
  const rows = await db.select().from(users).where(eq(users.email, email.trim().toLowerCase())).limit(1);
  const row = rows[0];
  if (!row?.passwordHash) {
    // Spend the same time as a real check so response time does not reveal which emails exist.
    await hashPassword(password);
    return null;
  }
  return (await verifyPassword(password, row.passwordHash)) ? toUserDTO(row) : null;
}

/** An identity a provider vouched for, as lib/auth/options.ts reads it from GitHub or OIDC. */
export type ExternalIdentity = {
  provider: string;
  providerAccountId: string;
  email: string | null;
  /** The provider says the person proved they own `email` (OIDC `email_verified`, GitHub `verified`). */
  emailVerified: boolean;
  name: string;
};

export type ExternalSignInCode = "email-not-verified" | "sign-in-to-link" | "sign-up-closed";
export type ExternalSignInResult = { ok: true; user: UserDTO } | { ok: false; code: ExternalSignInCode; error: string };

/**
 * Finds or creates the user behind an external identity (GitHub, OIDC):
 * - an identity seen before maps to its user;
 * - while signed in, a new identity is linked to the signed-in user (they proved who they are);
 * - otherwise the provider must vouch for the email. It is linked to an existing user with that
 *   email only if that user has neither a password nor a role above learner: anyone else must sign
 *   in the usual way first and then link, so a provider that lets people claim any address cannot
 *   hand out someone's account (admins included);
 * - a new email creates a learner, unless sign-up is closed.
 */
export async function userForExternalAccount(
  db: Database,
  identity: ExternalIdentity,
  options: { openSignup: boolean; signedInUserId?: string | null },
): Promise<ExternalSignInResult> {
  const linked = await db
    .select({ user: users })
    .from(accounts)
    .innerJoin(users, eq(accounts.userId, users.id))
    .where(and(eq(accounts.provider, identity.provider), eq(accounts.providerAccountId, identity.providerAccountId)))
    .limit(1);
  if (linked[0]) return { ok: true, user: toUserDTO(linked[0].user) };

  if (options.signedInUserId) {
    const current = await findUserById(db, options.signedInUserId);
    // An assessment candidate's hidden user never gets a way to sign in (decision 017): linking an
    // identity to it would let that identity sign in as the candidate later.
    if (current && current.role !== "candidate") {
      await linkIdentity(db, identity, current.id);
      return { ok: true, user: current };
    }
  }

  const email = identity.email?.trim().toLowerCase() ?? "";
  if (!email || !identity.emailVerified) {
    return {
      ok: false,
      code: "email-not-verified",
      error: "The provider did not confirm that this email address is verified. Verify it there, or sign in with your password.",
    };
  }
  const existing = (await db.select().from(users).where(eq(users.email, email)).limit(1))[0];
  if (existing) {
    if (existing.passwordHash !== null || existing.role !== "learner") return signInToLink();
    await linkIdentity(db, identity, existing.id);
    return { ok: true, user: toUserDTO(existing) };
  }
  if (!options.openSignup) {
    return { ok: false, code: "sign-up-closed", error: "Sign-up is closed on this Academy. Ask an administrator for an account." };
  }
  return db.transaction(async (tx) => {
    const [created] = await tx
      .insert(users)
      .values({ id: randomUUID(), email, name: identity.name || email, passwordHash: null })
      .onConflictDoNothing({ target: users.email })
      .returning();
    // Someone created this email in the meantime: treat it as the existing account it now is.
    if (!created) return signInToLink();
    await tx
      .insert(accounts)
      .values({ provider: identity.provider, providerAccountId: identity.providerAccountId, userId: created.id })
      .onConflictDoNothing();
    return { ok: true as const, user: toUserDTO(created) };
  });
}

function signInToLink(): ExternalSignInResult {
  return {
    ok: false,
    code: "sign-in-to-link",
    error:
      "An Academy account already uses this email. Sign in with your email and password first, then choose this provider again to link it.",
  };
}

async function linkIdentity(db: Database, identity: ExternalIdentity, userId: string): Promise<void> {
  await db
    .insert(accounts)
    .values({ provider: identity.provider, providerAccountId: identity.providerAccountId, userId })
    .onConflictDoNothing();
}

export { ForbiddenError, hasRole } from "./authorize";

export async function listUsers(db: Database, actor: UserDTO | null): Promise<UserDTO[]> {
  assertRole(actor, "admin");
  // Assessment candidates are hidden per-invite users (decision 017): they belong to a reviewer's
  // report, not to the people an administrator manages.
  const rows = await db.select().from(users).where(ne(users.role, "candidate")).orderBy(asc(users.createdAt), asc(users.email));
  return rows.map(toUserDTO);
}

export type RoleChangeResult = { ok: true; user: UserDTO } | { ok: false; error: string };

export async function changeRole(
  db: Database,
  actor: UserDTO | null,
  userId: string,
  role: Role,
): Promise<RoleChangeResult> {
  assertRole(actor, "admin");
  return db.transaction(async (tx) => {
    // Lock the target and every admin row, in one statement and in id order, before counting: two
    // admins demoting each other at once then run one after the other, and the second sees the
    // first's change (under PostgreSQL's read committed a plain count would let both through).
    const locked = await tx
      .select()
      .from(users)
      .where(or(eq(users.id, userId), eq(users.role, "admin")))
      .orderBy(asc(users.id))
      .for("update");
    const target = locked.find((row) => row.id === userId);
    if (!target) return { ok: false, error: "That user no longer exists." };
    // Both ways are refused: a candidate is a hidden per-invite user, and nobody becomes one by a form.
    if (target.role === "candidate" || role === "candidate") return { ok: false, error: "Assessment candidates have no role to change." };
    if (target.role === "admin" && role !== "admin") {
      const admins = locked.filter((row) => row.role === "admin").length;
      if (admins <= 1) return { ok: false, error: "At least one administrator must remain." };
    }
    const [updated] = await tx.update(users).set({ role }).where(eq(users.id, userId)).returning();
    return updated ? { ok: true, user: toUserDTO(updated) } : { ok: false, error: "That user no longer exists." };
  });
}

/** The number a session token must carry to be accepted; null when the user is gone. */
export async function sessionVersionOf(db: Database, userId: string): Promise<number | null> {
  const [row] = await db.select({ v: users.sessionVersion }).from(users).where(eq(users.id, userId)).limit(1);
  return row ? row.v : null;
}

async function bumpSessionVersion(db: Database, userId: string): Promise<UserDTO | null> {
  const [row] = await db
    .update(users)
    .set({ sessionVersion: sql`${users.sessionVersion} + 1` })
    .where(eq(users.id, userId))
    .returning();
  return row ? toUserDTO(row) : null;
}

/** "Sign out everywhere": ends every session of the signed-in user, this one included. */
export async function signOutEverywhere(db: Database, actor: UserDTO | null): Promise<{ ok: true } | { ok: false; error: string }> {
  if (!actor) return { ok: false, error: "You are not signed in." };
  await bumpSessionVersion(db, actor.id);
  return { ok: true };
}

/** An administrator ends every session of a user (a lost laptop, a departed employee). */
export async function revokeSessions(db: Database, actor: UserDTO | null, userId: string): Promise<RoleChangeResult> {
  assertRole(actor, "admin");
  const user = await bumpSessionVersion(db, userId);
  return user ? { ok: true, user } : { ok: false, error: "That user no longer exists." };
}

/** Used by the `admin:create` command: creates an administrator, or promotes an existing user. */
export async function createOrPromoteAdmin(
  db: Database,
  input: { email: string; name: string; password: string },
): Promise<{ user: UserDTO; created: boolean } | { errors: FieldErrors }> {
  const email = input.email.trim().toLowerCase();
  const existing = (await db.select().from(users).where(eq(users.email, email)).limit(1))[0];
  if (existing) {
    const [updated] = await db.update(users).set({ role: "admin" }).where(eq(users.id, existing.id)).returning();
    return { user: toUserDTO(updated ?? existing), created: false };
  }
  const result = await signUp(db, input, "admin");
  return result.ok ? { user: result.user, created: true } : { errors: result.errors };
}
