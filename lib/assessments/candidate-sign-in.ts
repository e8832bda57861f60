// Signs a browser in as an assessment candidate's hidden user (decision 017) without a provider:
// the Start action sets the same next-auth session cookie a sign-in would, encrypted with the same
// secret and carrying the claims the jwt callback checks on every request (lib/auth/options.ts:
// `uid` and the session version `sv`), so every existing lab route and action sees the candidate
// as the signed-in user, and a reset (which raises the version) ends it like "sign out everywhere".
import "server-only";
import { encode } from "next-auth/jwt";
import { sessionSecret } from "@/lib/auth/secret";
import { sessionCookieName } from "@/lib/auth/session-token";
import { env } from "@/lib/env";

export type CookieToSet = {
  name: string;
  value: string;
  options: { httpOnly: true; sameSite: "lax"; path: string; secure: boolean; expires: Date };
};

/** A session a little longer than the assessment: the reviewer's report, not the candidate, needs it after. */
const AFTER_DEADLINE_MS = 60 * 60_000;

function cookieOptions(path: string, expires: Date, siteUrl: string): CookieToSet["options"] {
  return { httpOnly: true, sameSite: "lax", path, secure: new URL(siteUrl).protocol === "https:", expires };
}

/** The next-auth session cookie for the candidate's hidden user, valid until an hour after the deadline. */
export async function candidateSessionCookie(
  user: { id: string; sessionVersion: number },
  deadlineAt: Date,
  options: { now?: Date; secret?: string; siteUrl?: string } = {},
): Promise<CookieToSet> {
  const now = options.now ?? new Date();
  const siteUrl = options.siteUrl ?? env.NEXTAUTH_URL;
  const expires = new Date(Math.max(deadlineAt.getTime(), now.getTime()) + AFTER_DEADLINE_MS);
  const maxAge = Math.ceil((expires.getTime() - now.getTime()) / 1000);
  const value = await encode({ token: { sub: user.id, uid: user.id, sv: user.sessionVersion }, secret: options.secret ?? sessionSecret(), maxAge });
  return { name: sessionCookieName(siteUrl), value, options: cookieOptions("/", expires, siteUrl) };
}

/**
 * The browser's binding to one invite: its secret, sent only to the candidate's pages (`/take`).
 * It outlives the session by a week so that "another browser" stays distinguishable from "this
 * browser, signed out" while the report is read.
 */
export function bindingCookie(name: string, secret: string, deadlineAt: Date, siteUrl: string = env.NEXTAUTH_URL): CookieToSet {
  return { name, value: secret, options: cookieOptions("/take", new Date(deadlineAt.getTime() + 7 * 24 * 60 * 60_000), siteUrl) };
}
