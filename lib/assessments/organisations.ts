// Organisations and their reviewers: the data access layer. Administrators create organisations
// and assign reviewers; reviewers add colleagues to their own. `reviewerScope` is the one way the
// rest of lib/assessments learns which organisation an acting reviewer may see.
import "server-only";
import { randomUUID } from "node:crypto";
import { and, asc, count, eq } from "drizzle-orm";
import type { ActingUser } from "@/lib/auth/acting-user";
import { assertRole } from "@/lib/auth/authorize";
import type { Database } from "@/lib/db/client";
import { organisationMembers, organisations, users, type Role } from "@/lib/db/schema";
import { failure, type Failure } from "@/lib/result";
import { EmailSchema, OrganisationNameSchema } from "./schema";

/** Who acts: the id and the role as just read from the database (lib/auth/session.ts). */
export type Actor = (ActingUser & { role: Role }) | null | undefined;

export type OrganisationFailureCode = "not-found" | "invalid-input" | "no-organisation" | "already-member" | "other-organisation" | "role-conflict";

/** The organisation an acting reviewer works in; every query of lib/assessments filters by `organisationId`. */
export type ReviewerScope = { userId: string; organisationId: string; organisationName: string };

const NO_ORGANISATION = failure(
  "no-organisation",
  "You are not a member of an organisation yet. Ask a colleague who is, or an administrator, to add you.",
);

/** Throws ForbiddenError for anyone but reviewers (and admins); `no-organisation` for a reviewer who is in none. */
export async function reviewerScope(db: Database, actor: Actor): Promise<ReviewerScope | Failure<"no-organisation">> {
  assertRole(actor, "reviewer");
  const [row] = await db
    .select({ organisationId: organisationMembers.organisationId, organisationName: organisations.name })
    .from(organisationMembers)
    .innerJoin(organisations, eq(organisations.id, organisationMembers.organisationId))
    .where(eq(organisationMembers.userId, actor.id))
    .limit(1);
  if (row) return { userId: actor.id, ...row };
  return actor.role === "admin"
    ? failure("no-organisation", "You are not a member of an organisation. As an administrator, add yourself to one under Organisations to work on its assessments.")
    : NO_ORGANISATION;
}

export function isScope(value: ReviewerScope | Failure): value is ReviewerScope {
  return "organisationId" in value;
}

export type OrganisationDTO = { id: string; name: string; members: number; createdAt: Date };
export type MemberDTO = { userId: string; name: string; email: string; role: Role; addedAt: Date };

export async function listOrganisations(db: Database, actor: Actor): Promise<OrganisationDTO[]> {
  assertRole(actor, "admin");
  const rows = await db
    .select({ id: organisations.id, name: organisations.name, createdAt: organisations.createdAt, members: count(organisationMembers.userId) })
    .from(organisations)
    .leftJoin(organisationMembers, eq(organisationMembers.organisationId, organisations.id))
    .groupBy(organisations.id)
    .orderBy(asc(organisations.name), asc(organisations.id));
  return rows.map((r) => ({ ...r, members: Number(r.members) }));
}

export async function createOrganisation(
  db: Database,
  actor: Actor,
  input: { name: unknown },
): Promise<{ ok: true; organisation: OrganisationDTO } | Failure<"invalid-input">> {
  assertRole(actor, "admin");
  const parsed = OrganisationNameSchema.safeParse(input.name);
  if (!parsed.success) return failure("invalid-input", parsed.error.issues[0]!.message);
  const [row] = await db.insert(organisations).values({ id: randomUUID(), name: parsed.data }).returning();
  return { ok: true, organisation: { id: row!.id, name: row!.name, createdAt: row!.createdAt, members: 0 } };
}

async function membersOf(db: Database, organisationId: string): Promise<MemberDTO[]> {
  return db
    .select({ userId: users.id, name: users.name, email: users.email, role: users.role, addedAt: organisationMembers.addedAt })
    .from(organisationMembers)
    .innerJoin(users, eq(users.id, organisationMembers.userId))
    .where(eq(organisationMembers.organisationId, organisationId))
    .orderBy(asc(users.name), asc(users.email));
}

/** One organisation with its members, for the admin page; null when there is none with this id. */
export async function getOrganisation(
  db: Database,
  actor: Actor,
  organisationId: string,
): Promise<{ organisation: { id: string; name: string; createdAt: Date }; members: MemberDTO[] } | null> {
  assertRole(actor, "admin");
  const [row] = await db.select().from(organisations).where(eq(organisations.id, organisationId)).limit(1);
  if (!row) return null;
  return { organisation: { id: row.id, name: row.name, createdAt: row.createdAt }, members: await membersOf(db, row.id) };
}

export type AddMemberResult = { ok: true; member: MemberDTO; promoted: boolean } | Failure<OrganisationFailureCode>;

/**
 * Makes the user with this email a reviewer of the organisation. A learner becomes a reviewer (so a
 * colleague can be added without an administrator); a reviewer or admin keeps their role. An
 * instructor is refused, because one role per user means the change would take their instructor
 * pages away: an administrator decides that on /admin/users. A user belongs to one organisation.
 */
async function addMemberByEmail(db: Database, organisationId: string, rawEmail: unknown, addedBy: string): Promise<AddMemberResult> {
  const parsed = EmailSchema.safeParse(rawEmail);
  if (!parsed.success) return failure("invalid-input", parsed.error.issues[0]!.message);
  const email = parsed.data;
  return db.transaction(async (tx) => {
    const [user] = await tx.select().from(users).where(eq(users.email, email)).limit(1).for("update");
    // An assessment candidate's hidden user is not an account anyone can add (decision 017).
    if (!user || user.role === "candidate") {
      return failure("not-found", `No Academy account uses ${email}. Ask them to sign up first, then add them again.`);
    }
    const [membership] = await tx.select().from(organisationMembers).where(eq(organisationMembers.userId, user.id)).limit(1);
    if (membership?.organisationId === organisationId) return failure("already-member", `${email} is already a member.`);
    if (membership) {
      return failure("other-organisation", `${email} reviews for another organisation; a reviewer belongs to one. An administrator can move them.`);
    }
    if (user.role === "instructor") {
      return failure(
        "role-conflict",
        `${email} is an instructor. Making them a reviewer would take their instructor pages away, so an administrator decides that on the users page.`,
      );
    }
    const promoted = user.role === "learner";
    if (promoted) await tx.update(users).set({ role: "reviewer" }).where(eq(users.id, user.id));
    const [added] = await tx
      .insert(organisationMembers)
      .values({ userId: user.id, organisationId, addedBy })
      .onConflictDoNothing({ target: organisationMembers.userId })
      .returning();
    // The row lock on the user serialises two additions of one person; this is the belt to it.
    if (!added) return failure("other-organisation", `${email} was just added to an organisation.`);
    return {
      ok: true as const,
      promoted,
      member: { userId: user.id, name: user.name, email: user.email, role: promoted ? "reviewer" : user.role, addedAt: added.addedAt },
    };
  });
}

/** An administrator assigns a reviewer to an organisation. */
export async function addOrganisationMember(db: Database, actor: Actor, organisationId: string, email: unknown): Promise<AddMemberResult> {
  assertRole(actor, "admin");
  const [org] = await db.select({ id: organisations.id }).from(organisations).where(eq(organisations.id, organisationId)).limit(1);
  if (!org) return failure("not-found", "That organisation no longer exists.");
  return addMemberByEmail(db, org.id, email, actor.id);
}

/**
 * An administrator takes a user out of an organisation. Their role stays (change it on the users
 * page); without an organisation a reviewer sees no assessments.
 */
export async function removeOrganisationMember(
  db: Database,
  actor: Actor,
  organisationId: string,
  userId: string,
): Promise<{ ok: true } | Failure<"not-found">> {
  assertRole(actor, "admin");
  const removed = await db
    .delete(organisationMembers)
    .where(and(eq(organisationMembers.userId, userId), eq(organisationMembers.organisationId, organisationId)))
    .returning({ userId: organisationMembers.userId });
  if (!removed[0]) return failure("not-found", "That user is not a member of this organisation (any more).");
  return { ok: true };
}

/** The acting reviewer's organisation and colleagues. */
export async function listColleagues(
  db: Database,
  actor: Actor,
): Promise<{ ok: true; organisation: { id: string; name: string }; members: MemberDTO[] } | Failure<"no-organisation">> {
  const scope = await reviewerScope(db, actor);
  if (!isScope(scope)) return scope;
  return { ok: true, organisation: { id: scope.organisationId, name: scope.organisationName }, members: await membersOf(db, scope.organisationId) };
}

/** A reviewer adds a colleague (an existing account, by email) to their own organisation. */
export async function addColleague(db: Database, actor: Actor, email: unknown): Promise<AddMemberResult> {
  const scope = await reviewerScope(db, actor);
  if (!isScope(scope)) return scope;
  return addMemberByEmail(db, scope.organisationId, email, scope.userId);
}
