"use server";

// Account actions for a signed-in user. Server actions are public POST endpoints: each reads the
// user from the session itself.
import { getCurrentUser } from "@/lib/auth/session";
import { signOutEverywhere } from "@/lib/auth/users";
import { getDb } from "@/lib/db";

/** Ends every session of the signed-in user (this browser's too; the menu then signs out here). */
export async function signOutEverywhereAction(): Promise<{ ok: true } | { ok: false; error: string }> {
  return signOutEverywhere(await getDb(), await getCurrentUser());
}
