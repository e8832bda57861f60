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
  EmailNotVerified:
    "The provider did not confirm that your email address is verified. Verify it with the provider, or sign in with your email and password.",
  SignInToLink:
    "An Academy account already uses this email. Sign in with your email and password first, then choose the provider again to link it to your account.",
  SignUpClosed: "Sign-up is closed on this Academy, and no account uses this email. Ask an administrator for an account.",
  SignUpThenSignInFailed:
    "We could not sign you in with that email and password. If you already have an account with this email, sign in with its password.",
  TooManyAttempts: "Too many sign-in attempts. Wait a few minutes, then try again.",
  CredentialsSignin: "That email and password don't match an account. Check them and try again.",
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
        callbackUrl={safeCallbackUrl(callbackUrl, "/dashboard", env.NEXTAUTH_URL)}
        providers={providers}
        initialError={error ? (ERRORS[error] ?? "Signing in failed. Try again.") : undefined}
      />
    </section>
  );
}
