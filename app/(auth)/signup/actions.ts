"use server";

import { getDb } from "@/lib/db";
import { env } from "@/lib/env";
import { signUp, type FieldErrors } from "@/lib/auth/users";

export type SignUpState = { ok: boolean; errors: FieldErrors; values: { name: string; email: string } };

export async function signUpAction(_previous: SignUpState, form: FormData): Promise<SignUpState> {
  const values = { name: String(form.get("name") ?? ""), email: String(form.get("email") ?? "") };
  if (!env.ACADEMY_OPEN_SIGNUP) {
    return { ok: false, values, errors: { form: "Sign-up is closed on this Academy. Ask an administrator for an account." } };
  }
  const result = await signUp(await getDb(), { ...values, password: String(form.get("password") ?? "") });
  return result.ok ? { ok: true, values, errors: {} } : { ok: false, values, errors: result.errors };
}
