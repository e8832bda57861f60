"use server";

import { headers } from "next/headers";
import { clientAddress } from "@/lib/auth/client-address";
import { registerLearner } from "@/lib/auth/password-sign-in";
import type { FieldErrors } from "@/lib/auth/users";
import { getDb } from "@/lib/db";
import { env } from "@/lib/env";

export type SignUpState = { ok: boolean; errors: FieldErrors; values: { name: string; email: string } };

/**
 * The same answer whether or not the email already has an account (see registerLearner); the form
 * then signs in with the password, which works only for whoever owns the account.
 */
export async function signUpAction(_previous: SignUpState, form: FormData): Promise<SignUpState> {
  const values = { name: String(form.get("name") ?? ""), email: String(form.get("email") ?? "") };
  if (!env.ACADEMY_OPEN_SIGNUP) {
    return { ok: false, values, errors: { form: "Sign-up is closed on this Academy. Ask an administrator for an account." } };
  }
  const result = await registerLearner(await getDb(), {
    ...values,
    password: String(form.get("password") ?? ""),
    address: clientAddress(await headers()),
  });
  return result.ok ? { ok: true, values, errors: {} } : { ok: false, values, errors: result.errors };
}
