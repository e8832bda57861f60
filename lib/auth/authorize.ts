// The one role check of the data access layer. Functions that reveal or change other people's data
// take the acting user and call `assertRole` first; pages use `requireRole` (lib/auth/session.ts),
// which applies the same rule through `hasRole`. Administrators hold every role.
import { BrandedError } from "@/lib/branded-error";
import type { Role } from "@/lib/db/schema";

/** The acting user lacks the role; server actions turn it into a message, pages into the 403 page. */
export class ForbiddenError extends BrandedError {
  static override readonly brand: string = "ForbiddenError";
  override name = "ForbiddenError";
}

export function hasRole(user: { role: Role } | null | undefined, ...roles: Role[]): boolean {
  if (!user) return false;
  return user.role === "admin" || roles.includes(user.role);
}

const ROLE_NAMES: Record<Role, string> = {
  learner: "learners",
  instructor: "instructors",
  reviewer: "reviewers",
  admin: "administrators",
  candidate: "assessment candidates",
};

/** Throws ForbiddenError unless the actor is signed in with one of the roles (or is an admin). */
export function assertRole<T extends { role: Role }>(actor: T | null | undefined, ...roles: Role[]): asserts actor is T {
  if (hasRole(actor, ...roles)) return;
  const allowed = [...new Set([...roles, "admin" as const])].map((role) => ROLE_NAMES[role]);
  throw new ForbiddenError(`Only ${allowed.join(" and ")} can do this.`);
}
