import type { Metadata } from "next";
import { env } from "@/lib/env";
import { safeCallbackUrl } from "@/lib/auth/callback-url";
import { SignUpForm } from "./signup-form";

export const metadata: Metadata = { title: "Create an account" };

export default async function SignUpPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string }> }) {
  const { callbackUrl } = await searchParams;
  return (
    <section className="stack">
      <h1>Create your Academy account</h1>
      {env.ACADEMY_OPEN_SIGNUP ? (
        <SignUpForm callbackUrl={safeCallbackUrl(callbackUrl, "/dashboard", env.NEXTAUTH_URL)} />
      ) : (
        <p role="alert">Sign-up is closed on this Academy. Ask an administrator for an account.</p>
      )}
    </section>
  );
}
