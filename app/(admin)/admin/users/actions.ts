"use server";

import { revalidatePath } from "next/cache";
import { RoleChangeSchema } from "@/lib/auth/schema";
import { getCurrentUser } from "@/lib/auth/session";
import { changeRole, ForbiddenError, revokeSessions } from "@/lib/auth/users";
import { getDb } from "@/lib/db";

export type RoleFormState = { message: string; error: boolean };

export async function changeRoleAction(_previous: RoleFormState, form: FormData): Promise<RoleFormState> {
  const parsed = RoleChangeSchema.safeParse({ userId: form.get("userId"), role: form.get("role") });
  if (!parsed.success) return { message: "Choose one of the listed roles.", error: true };
  try {
    // Server actions are public POST endpoints: changeRole re-checks that the caller is an admin.
    const result = await changeRole(await getDb(), await getCurrentUser(), parsed.data.userId, parsed.data.role);
    if (!result.ok) return { message: result.error, error: true };
    revalidatePath("/admin/users");
    return { message: `${result.user.email} is now ${result.user.role}.`, error: false };
  } catch (error) {
    if (error instanceof ForbiddenError) return { message: error.message, error: true };
    throw error;
  }
}

/** Ends every session of a user; they must sign in again on each device. */
export async function revokeSessionsAction(_previous: RoleFormState, form: FormData): Promise<RoleFormState> {
  const userId = form.get("userId");
  if (typeof userId !== "string" || !userId) return { message: "Choose a user.", error: true };
  try {
    const result = await revokeSessions(await getDb(), await getCurrentUser(), userId);
    if (!result.ok) return { message: result.error, error: true };
    return { message: `Every session of ${result.user.email} has ended.`, error: false };
  } catch (error) {
    if (error instanceof ForbiddenError) return { message: error.message, error: true };
    throw error;
  }
}
