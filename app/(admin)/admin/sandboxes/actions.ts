"use server";

import { revalidatePath } from "next/cache";
import { getCurrentUser } from "@/lib/auth/session";
import { ForbiddenError } from "@/lib/auth/users";
import { getDb } from "@/lib/db";
import { adminDeleteSandbox } from "@/lib/sandbox/admin";

export type DeleteState = { message: string; error: boolean };

export async function deleteSandboxAction(_previous: DeleteState, form: FormData): Promise<DeleteState> {
  const sandboxId = String(form.get("sandboxId") ?? "");
  try {
    const result = await adminDeleteSandbox(await getDb(), await getCurrentUser(), sandboxId);
    revalidatePath("/admin/sandboxes");
    return result.ok ? { message: `Deleted ${result.sandbox.namespace}.`, error: false } : { message: result.error, error: true };
  } catch (error) {
    if (error instanceof ForbiddenError) return { message: error.message, error: true };
    throw error;
  }
}
