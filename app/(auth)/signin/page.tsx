import type { Metadata } from "next";
import { safeCallbackUrl } from "@/lib/auth/callback-url";
import { env } from "@/lib/env";
import { SignInForm } from "./signin-form";

export const metadata: Metadata = { title: "Sign in" };

const ERRORS: Record<string, string> = {
  OAuthSignin: "Could not start signing in with that provider. Try again.",
  OAuthCallback: "The provider's answer could not be used. Try again.",
  OAuthAccountNotLinked: "This email is already linked to another sign-in method.",
  AccessDenied: "Access was denied. The provider must share a verified email address.",
  SessionRequired: "Sign in to see that page.",
};

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<{ callbackUrl?: string; error?: string }>;
}) {
  const { callbackUrl, error } = await searchParams;
  const providers = [
    ...(env.GITHUB_ID ? [{ id: "github", name: "GitHub" }] : []),
    ...(env.OIDC_ISSUER ? [{ id: "oidc", name: env.OIDC_NAME }] : []),
  ];
  return (
    <section className="stack">
      <h1>Sign in</h1>
      <SignInForm
        callbackUrl={safeCallbackUrl(callbackUrl, "/dashboard")}
        providers={providers}
        initialError={error ? (ERRORS[error] ?? "Signing in failed. Try again.") : undefined}
      />
    </section>
  );
}
