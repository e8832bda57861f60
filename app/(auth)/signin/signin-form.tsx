"use client";

import { signIn } from "next-auth/react";
import Link from "next/link";
import { useState, type FormEvent } from "react";

// Set by the credentials provider (lib/auth/options.ts, THROTTLED_PREFIX) when the attempt was refused.
const THROTTLED = /^TooManyAttempts:(\d+)$/;

function signInErrorMessage(error: string | null | undefined): string {
  const throttled = error ? THROTTLED.exec(error) : null;
  if (throttled) {
    const seconds = Number(throttled[1]);
    return `Too many sign-in attempts. Try again in ${seconds} second${seconds === 1 ? "" : "s"}.`;
  }
  return "That email and password don't match an account. Check them and try again.";
}

export function SignInForm({
  callbackUrl,
  providers,
  initialError,
}: {
  callbackUrl: string;
  providers: { id: string; name: string }[];
  initialError?: string;
}) {
  const [error, setError] = useState(initialError ?? "");
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError("");
    const result = await signIn("credentials", {
      email: String(form.get("email") ?? ""),
      password: String(form.get("password") ?? ""),
      redirect: false,
    });
    if (result?.ok && !result.error) {
      window.location.assign(callbackUrl);
      return;
    }
    setPending(false);
    setError(signInErrorMessage(result?.error));
  }

  return (
    <div className="stack">
      <form onSubmit={onSubmit} className="form">
        {error ? (
          <p className="form-error" role="alert">
            {error}
          </p>
        ) : null}
        <div className="field">
          <label htmlFor="email">Email</label>
          <input id="email" name="email" type="email" autoComplete="email" required />
        </div>
        <div className="field">
          <label htmlFor="password">Password</label>
          <input id="password" name="password" type="password" autoComplete="current-password" required />
        </div>
        <button type="submit" className="button" disabled={pending}>
          {pending ? "Signing in…" : "Sign in"}
        </button>
      </form>
      {providers.length > 0 ? (
        <div className="stack">
          <p className="muted">Or continue with</p>
          {providers.map((p) => (
            <button key={p.id} type="button" className="button button-quiet" onClick={() => signIn(p.id, { callbackUrl })}>
              {p.name}
            </button>
          ))}
        </div>
      ) : null}
      <p className="small muted">
        New here? <Link href={`/signup?callbackUrl=${encodeURIComponent(callbackUrl)}`}>Create an account</Link>
      </p>
    </div>
  );
}
