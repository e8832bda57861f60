// next-auth configuration: email + password always; GitHub and a generic OIDC provider when their
// environment variables are set. Sessions are signed JWTs that carry only the user id: the role
// is read from the database on every request (lib/auth/session.ts), so a role change applies at once.
import "server-only";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import GitHubProvider from "next-auth/providers/github";
import type { OAuthConfig } from "next-auth/providers/oauth";
import { getDb } from "@/lib/db";
import { env, type Env } from "@/lib/env";
import { SignInSchema } from "./schema";
import { sessionSecret } from "./secret";
import { findUserById, userForExternalAccount, verifyCredentials } from "./users";

type OidcProfile = { sub: string; email?: string; email_verified?: boolean; name?: string; preferred_username?: string };

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
      async authorize(credentials) {
        const parsed = SignInSchema.safeParse(credentials ?? {});
        if (!parsed.success) return null;
        const user = await verifyCredentials(await getDb(), parsed.data.email, parsed.data.password);
        return user ? { id: user.id, email: user.email, name: user.name } : null;
      },
    }),
  ];
  if (settings.GITHUB_ID && settings.GITHUB_SECRET) {
    list.push(GitHubProvider({ clientId: settings.GITHUB_ID, clientSecret: settings.GITHUB_SECRET }));
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
      profile(profile) {
        return {
          id: profile.sub,
          email: profile.email ?? null,
          name: profile.name ?? profile.preferred_username ?? profile.email ?? null,
        };
      },
    };
    list.push(oidc);
  }
  return list;
}

export function authOptions(): NextAuthOptions {
  return {
    secret: sessionSecret(),
    session: { strategy: "jwt", maxAge: 30 * 24 * 60 * 60 },
    pages: { signIn: "/signin", error: "/signin" },
    providers: authProviders(),
    callbacks: {
      async signIn({ account, user }) {
        if (!account || account.type === "credentials") return true;
        // External identities must come with an email to map them onto an Academy account.
        return Boolean(user.email);
      },
      async jwt({ token, user, account }) {
        if (account && user) {
          if (account.type === "credentials") {
            token.uid = user.id;
          } else {
            const dbUser = await userForExternalAccount(await getDb(), {
              provider: account.provider,
              providerAccountId: account.providerAccountId,
              email: user.email ?? "",
              name: user.name ?? "",
            });
            token.uid = dbUser.id;
          }
        }
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
