// next-auth configuration: email + password always; GitHub and a generic OIDC provider when their
// environment variables are set. Sessions are signed JWTs that carry only the user id and the
// user's session version: the role is read from the database on every request
// (lib/auth/session.ts), and a token whose version is no longer the user's is refused, which is how
// "sign out everywhere" and an admin's revocation end sessions before their 30 days are up.
import "server-only";
import type { NextAuthOptions, User } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import GitHubProvider from "next-auth/providers/github";
import type { OAuthConfig } from "next-auth/providers/oauth";
import { getDb } from "@/lib/db";
import { env, type Env } from "@/lib/env";
import { clientAddress } from "./client-address";
import { signInWithPassword } from "./password-sign-in";
import { SignInSchema } from "./schema";
import { sessionSecret } from "./secret";
import { tokenIsCurrent } from "./session-token";
import { findUserById, sessionVersionOf, userForExternalAccount, type ExternalSignInCode } from "./users";

type OidcProfile = { sub: string; email?: string; email_verified?: boolean | string; name?: string; preferred_username?: string };

/** What a provider's `profile()` hands to the callbacks: next-auth's user plus whether the email is verified. */
type ProviderUser = User & { emailVerified?: boolean };

export type GitHubEmail = { email: string; primary: boolean; verified: boolean };

/**
 * GitHub: the primary address, and whether GitHub has verified it. Only the primary one counts
 * (it is where GitHub sends mail); next-auth's default takes it without looking at `verified`.
 */
export function githubPrimaryEmail(emails: unknown): { email: string | null; verified: boolean } {
  const list = Array.isArray(emails) ? (emails as Partial<GitHubEmail>[]) : [];
  const primary = list.find((e) => e.primary === true && typeof e.email === "string");
  return primary ? { email: primary.email!, verified: primary.verified === true } : { email: null, verified: false };
}

/** OIDC: `email_verified` as a boolean (some providers send the string "true"). */
export function oidcUser(profile: OidcProfile): ProviderUser {
  return {
    id: profile.sub,
    email: profile.email ?? null,
    emailVerified: profile.email_verified === true || profile.email_verified === "true",
    name: profile.name ?? profile.preferred_username ?? profile.email ?? null,
  };
}

/** Refusals of an external sign-in, as error codes for the sign-in page (app/(auth)/signin/page.tsx). */
export const EXTERNAL_SIGN_IN_ERRORS: Record<ExternalSignInCode, string> = {
  "email-not-verified": "EmailNotVerified",
  "sign-in-to-link": "SignInToLink",
  "sign-up-closed": "SignUpClosed",
};

/** The message a throttled password sign-in throws; next-auth hands it to the form as `error`. */
export const THROTTLED_PREFIX = "TooManyAttempts:";

type GitHubUser = { id: number; login: string; name?: string | null; avatar_url?: string };

/**
 * GitHub's user, with `email` set to the primary address and `email_verified` to whether GitHub
 * verified it. Without an answer from /user/emails (scope not granted) there is no address at all.
 */
export async function githubProfile(accessToken: string, fetcher: typeof fetch = fetch) {
  const headers = { Authorization: `Bearer ${accessToken}`, Accept: "application/vnd.github+json" };
  const [userResponse, emailsResponse] = await Promise.all([
    fetcher("https://api.github.com/user", { headers }),
    fetcher("https://api.github.com/user/emails", { headers }),
  ]);
  if (!userResponse.ok) throw new Error(`GitHub /user answered ${userResponse.status}`);
  const user = (await userResponse.json()) as GitHubUser & { email?: string | null };
  const primary = githubPrimaryEmail(emailsResponse.ok ? await emailsResponse.json() : []);
  return { ...user, name: user.name ?? undefined, email: primary.email ?? undefined, email_verified: primary.verified };
}

/** The sign-in methods this configuration turns on. */
export function authProviders(settings: Env = env): NextAuthOptions["providers"] {
  const list: NextAuthOptions["providers"] = [
    CredentialsProvider({
      id: "credentials",
      name: "Email and password",
      credentials: {
        email: { label: "Email", type: "email" },
        password: { label: "Password", type: "password" },
      },
      async authorize(credentials, request) {
        const parsed = SignInSchema.safeParse(credentials ?? {});
        if (!parsed.success) return null;
        const result = await signInWithPassword(await getDb(), {
          ...parsed.data,
          address: clientAddress((request?.headers ?? {}) as Record<string, string>, settings.ACADEMY_TRUSTED_PROXIES),
        });
        if (result.ok) return { id: result.user.id, email: result.user.email, name: result.user.name };
        if (result.code === "throttled") throw new Error(`${THROTTLED_PREFIX}${result.retryAfterSeconds}`);
        return null;
      },
    }),
  ];
  if (settings.GITHUB_ID && settings.GITHUB_SECRET) {
    list.push(
      GitHubProvider({
        clientId: settings.GITHUB_ID,
        clientSecret: settings.GITHUB_SECRET,
        userinfo: {
          url: "https://api.github.com/user",
          request: ({ tokens }) => githubProfile(tokens.access_token ?? ""),
        },
        profile(profile: GitHubUser & { email?: string | null; email_verified?: boolean }) {
          const user: ProviderUser = {
            id: String(profile.id),
            name: profile.name ?? profile.login,
            email: profile.email ?? null,
            image: profile.avatar_url ?? null,
            emailVerified: profile.email_verified === true,
          };
          return user;
        },
      }),
    );
  }
  if (settings.OIDC_ISSUER && settings.OIDC_CLIENT_ID && settings.OIDC_CLIENT_SECRET) {
    const oidc: OAuthConfig<OidcProfile> = {
      id: "oidc",
      name: settings.OIDC_NAME,
      type: "oauth",
      wellKnown: `${settings.OIDC_ISSUER.replace(/\/$/, "")}/.well-known/openid-configuration`,
      clientId: settings.OIDC_CLIENT_ID,
      clientSecret: settings.OIDC_CLIENT_SECRET,
      idToken: true,
      checks: ["pkce", "state"],
      authorization: { params: { scope: "openid email profile" } },
      profile: oidcUser,
    };
    list.push(oidc);
  }
  return list;
}

/** A session token that no longer matches its user (revoked, or the user is gone). */
class SessionEndedError extends Error {
  override name = "SessionEndedError";
}

/**
 * `signedInUserId`: who is signed in on the request that completes an external sign-in (the
 * route handler reads it), so that a signed-in user can link GitHub or OIDC to their account.
 */
export function authOptions(context: { signedInUserId?: string | null } = {}, settings: Env = env): NextAuthOptions {
  return {
    secret: sessionSecret(),
    session: { strategy: "jwt", maxAge: 30 * 24 * 60 * 60 },
    pages: { signIn: "/signin", error: "/signin" },
    providers: authProviders(settings),
    logger: {
      error(code, metadata) {
        // A revoked session is expected, not an error worth a stack trace.
        const cause = metadata instanceof Error ? metadata : (metadata as { error?: unknown } | undefined)?.error;
        if (code === "JWT_SESSION_ERROR" && cause instanceof SessionEndedError) return;
        console.error(`[next-auth][error][${code}]`, metadata);
      },
      warn(code) {
        console.warn(`[next-auth][warn][${code}]`);
      },
      debug() {},
    },
    callbacks: {
      async signIn({ account, user }) {
        if (!account || account.type === "credentials") return true;
        const result = await userForExternalAccount(
          await getDb(),
          {
            provider: account.provider,
            providerAccountId: account.providerAccountId,
            email: user.email ?? null,
            emailVerified: (user as ProviderUser).emailVerified === true,
            name: user.name ?? "",
          },
          { openSignup: settings.ACADEMY_OPEN_SIGNUP, signedInUserId: context.signedInUserId ?? null },
        );
        if (!result.ok) {
          const page = new URL("/signin", settings.NEXTAUTH_URL);
          page.searchParams.set("error", EXTERNAL_SIGN_IN_ERRORS[result.code]);
          return page.toString();
        }
        // From here on this object names the Academy user, as it does for a password sign-in.
        user.id = result.user.id;
        return true;
      },
      async jwt({ token, user, account }) {
        const db = await getDb();
        if (account && user) {
          token.uid = user.id;
          token.sv = (await sessionVersionOf(db, user.id)) ?? 0;
          return token;
        }
        // Every later request: the token must carry the user's current session version.
        if (!(await tokenIsCurrent(db, token))) throw new SessionEndedError("This session was ended.");
        return token;
      },
      async session({ session, token }) {
        // The browser gets the name and role for display only; the server re-checks on every request.
        const uid = typeof token.uid === "string" ? token.uid : undefined;
        const user = uid ? await findUserById(await getDb(), uid) : null;
        if (!user) return { ...session, user: undefined, uid: undefined, role: undefined };
        return { ...session, user: { name: user.name, email: user.email }, uid: user.id, role: user.role };
      },
    },
  };
}
