// Users and roles: the data access layer. Every function that reveals or changes other users
// takes the acting user and checks the role here, not in pages.
import "server-only";
import { randomUUID } from "node:crypto";
import { and, asc, count, eq } from "drizzle-orm";
import { BrandedError } from "@/lib/branded-error";
import type { Database } from "@/lib/db/client";
import { accounts, users, type Role, type UserRow } from "@/lib/db/schema";
import { hashPassword, verifyPassword } from "./password";
import { SignUpSchema, type SignUpInput } from "./schema";

/** What pages and components get to see of a user: never the password hash. */
export type UserDTO = { id: string; email: string; name: string; role: Role; createdAt: Date };

export function toUserDTO(row: UserRow): UserDTO {
  return { id: row.id, email: row.email, name: row.name, role: row.role, createdAt: row.createdAt };
}

export type FieldErrors = Partial<Record<"name" | "email" | "password" | "form", string>>;
export type SignUpResult = { ok: true; user: UserDTO } | { ok: false; errors: FieldErrors };

export async function signUp(db: Database, input: SignUpInput, role: Role = "learner"): Promise<SignUpResult> {
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
  const passwordHash = await hashPassword(password);
  const inserted = await db
    .insert(users)
    .values({ id: randomUUID(), email, name, passwordHash, role })
    .onConflictDoNothing({ target: users.email })
    .returning();
  const row = inserted[0];
  if (!row) return { ok: false, errors: { email: "An account with this email already exists. Sign in instead." } };
  return { ok: true, user: toUserDTO(row) };
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

/**
 * Finds or creates the user behind an external identity (GitHub, OIDC). An identity seen before
 * maps to its user; a new one is linked to the user with the same verified email, or creates a learner.
 */
export async function userForExternalAccount(
  db: Database,
  identity: { provider: string; providerAccountId: string; email: string; name: string },
): Promise<UserDTO> {
  const linked = await db
    .select({ user: users })
    .from(accounts)
    .innerJoin(users, eq(accounts.userId, users.id))
    .where(and(eq(accounts.provider, identity.provider), eq(accounts.providerAccountId, identity.providerAccountId)))
    .limit(1);
  if (linked[0]) return toUserDTO(linked[0].user);

  const email = identity.email.trim().toLowerCase();
  return db.transaction(async (tx) => {
    await tx
      .insert(users)
      .values({ id: randomUUID(), email, name: identity.name || email, passwordHash: null })
      .onConflictDoNothing({ target: users.email });
    const row = (await tx.select().from(users).where(eq(users.email, email)).limit(1))[0];
    if (!row) throw new Error(`Could not create a user for ${identity.provider} account ${identity.providerAccountId}`);
    await tx
      .insert(accounts)
      .values({ provider: identity.provider, providerAccountId: identity.providerAccountId, userId: row.id })
      .onConflictDoNothing();
    return toUserDTO(row);
  });
}

export class ForbiddenError extends BrandedError {
  static override readonly brand: string = "ForbiddenError";
  override name = "ForbiddenError";
}

export function hasRole(user: Pick<UserDTO, "role"> | null | undefined, ...roles: Role[]): boolean {
  if (!user) return false;
  return user.role === "admin" || roles.includes(user.role);
}

function assertAdmin(actor: UserDTO | null): asserts actor is UserDTO {
  if (!actor || actor.role !== "admin") throw new ForbiddenError("Only administrators can manage users.");
}

export async function listUsers(db: Database, actor: UserDTO | null): Promise<UserDTO[]> {
  assertAdmin(actor);
  const rows = await db.select().from(users).orderBy(asc(users.createdAt), asc(users.email));
  return rows.map(toUserDTO);
}

export type RoleChangeResult = { ok: true; user: UserDTO } | { ok: false; error: string };

export async function changeRole(
  db: Database,
  actor: UserDTO | null,
  userId: string,
  role: Role,
): Promise<RoleChangeResult> {
  assertAdmin(actor);
  return db.transaction(async (tx) => {
    const target = (await tx.select().from(users).where(eq(users.id, userId)).limit(1))[0];
    if (!target) return { ok: false, error: "That user no longer exists." };
    if (target.role === "admin" && role !== "admin") {
      const [admins] = await tx.select({ n: count() }).from(users).where(eq(users.role, "admin"));
      if ((admins?.n ?? 0) <= 1) return { ok: false, error: "At least one administrator must remain." };
    }
    const [updated] = await tx.update(users).set({ role }).where(eq(users.id, userId)).returning();
    return updated ? { ok: true, user: toUserDTO(updated) } : { ok: false, error: "That user no longer exists." };
  });
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
