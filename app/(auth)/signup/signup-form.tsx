"use client";

import { signIn } from "next-auth/react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useActionState, useEffect, useRef } from "react";
import { signUpAction, type SignUpState } from "./actions";

const initial: SignUpState = { ok: false, errors: {}, values: { name: "", email: "" } };

export function SignUpForm({ callbackUrl }: { callbackUrl: string }) {
  const [state, action, pending] = useActionState(signUpAction, initial);
  // React resets the form once the action finishes, so keep the password from the submit event
  // to sign in with it afterwards.
  const submittedPassword = useRef("");
  const router = useRouter();

  useEffect(() => {
    if (!state.ok) return;
    void (async () => {
      const result = await signIn("credentials", {
        email: state.values.email,
        password: submittedPassword.current,
        redirect: false,
      });
      if (result?.ok && !result.error) {
        window.location.assign(callbackUrl);
        return;
      }
      // Sign-up answers the same for a taken email, so this is where the owner of an existing
      // account (or a throttled visitor) ends up: the sign-in page says what to do, in words that
      // fit both.
      const error = result?.error?.startsWith("TooManyAttempts:") ? "TooManyAttempts" : "SignUpThenSignInFailed";
      router.push(`/signin?callbackUrl=${encodeURIComponent(callbackUrl)}&error=${error}`);
    })();
  }, [state, callbackUrl, router]);

  const e = state.errors;
  return (
    <form
      action={action}
      onSubmit={(event) => {
        submittedPassword.current = String(new FormData(event.currentTarget).get("password") ?? "");
      }}
      className="form"
      noValidate
    >
      {e.form ? (
        <p className="form-error" role="alert">
          {e.form}
        </p>
      ) : null}
      <div className="field">
        <label htmlFor="name">Name</label>
        <input id="name" name="name" autoComplete="name" defaultValue={state.values.name} aria-invalid={Boolean(e.name)} aria-describedby={e.name ? "name-error" : undefined} required />
        {e.name ? <p id="name-error" className="field-error">{e.name}</p> : null}
      </div>
      <div className="field">
        <label htmlFor="email">Email</label>
        <input id="email" name="email" type="email" autoComplete="email" defaultValue={state.values.email} aria-invalid={Boolean(e.email)} aria-describedby={e.email ? "email-error" : undefined} required />
        {e.email ? <p id="email-error" className="field-error">{e.email}</p> : null}
      </div>
      <div className="field">
        <label htmlFor="password">Password</label>
        <input id="password" name="password" type="password" autoComplete="new-password" aria-invalid={Boolean(e.password)} aria-describedby={e.password ? "password-error password-hint" : "password-hint"} required />
        <p id="password-hint" className="field-hint">At least 10 characters; not a common password.</p>
        {e.password ? <p id="password-error" className="field-error">{e.password}</p> : null}
      </div>
      <button type="submit" className="button" disabled={pending || state.ok}>
        {pending ? "Creating your account…" : state.ok ? "Signing you in…" : "Create account"}
      </button>
      <p className="small muted">
        Already have an account? <Link href={`/signin?callbackUrl=${encodeURIComponent(callbackUrl)}`}>Sign in</Link>
      </p>
    </form>
  );
}
