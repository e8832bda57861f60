"use server";

import { revalidatePath } from "next/cache";
import { RoleChangeSchema } from "@/lib/auth/schema";
import { getCurrentUser } from "@/lib/auth/session";
import { changeRole, ForbiddenError } from "@/lib/auth/users";
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
