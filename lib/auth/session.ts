// The current user, for pages, route handlers and server actions. Each call re-reads the user
// (and so the role) from the database; nothing trusts a role stored in the browser.
import "server-only";
import { getServerSession } from "next-auth";
import { forbidden, redirect } from "next/navigation";
import { cache } from "react";
import { getDb } from "@/lib/db";
import type { Role } from "@/lib/db/schema";
import { authOptions } from "./options";
import { hasRole } from "./authorize";
import { findUserById, type UserDTO } from "./users";

export const getCurrentUser = cache(async (): Promise<UserDTO | null> => {
  const session = (await getServerSession(authOptions())) as { uid?: string } | null;
  if (!session?.uid) return null;
  return findUserById(await getDb(), session.uid);
});

/**
 * For pages: sends visitors who are not signed in to the sign-in page, then back. An assessment
 * candidate (the hidden per-invite user, decision 017) gets the 403 page: every page that calls
 * this is outside the assessment, whose pages (app/take) use lib/assessments/candidate-session.
 */
export async function requireUser(returnTo: string): Promise<UserDTO> {
  const user = await getCurrentUser();
  if (!user) redirect(`/signin?callbackUrl=${encodeURIComponent(returnTo)}`);
  if (user.role === "candidate") forbidden();
  return user;
}

/** For pages and actions: a signed-in user without one of the roles gets the 403 page. */
export async function requireRole(returnTo: string, ...roles: Role[]): Promise<UserDTO> {
  const user = await requireUser(returnTo);
  if (!hasRole(user, ...roles)) forbidden();
  return user;
}
