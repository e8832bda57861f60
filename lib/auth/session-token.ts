// The next-auth session outside next-auth's own request handling: which cookie carries it, and
// whether a decoded token still names a current session. The jwt callback (options.ts) and the
// terminal service (lib/terminal), which authenticates a WebSocket upgrade that never reaches a
// Next route, use the same rules from here.
import "server-only";
import { decode, type JWT } from "next-auth/jwt";
import type { Database } from "@/lib/db/client";
import { findUserById, sessionVersionOf, type UserDTO } from "./users";

/** next-auth v4's cookie name: `__Secure-` prefixed when the site is served over https. */
export function sessionCookieName(siteUrl: string): string {
  return `${new URL(siteUrl).protocol === "https:" ? "__Secure-" : ""}next-auth.session-token`;
}

/** Parses a Cookie header into name → value (the first of a repeated name wins, as in browsers). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? "").split(";")) {
    const at = part.indexOf("=");
    if (at <= 0) continue;
    const name = part.slice(0, at).trim();
    if (!cookies.has(name)) {
      const raw = part.slice(at + 1).trim();
      try {
        cookies.set(name, decodeURIComponent(raw));
      } catch {
        cookies.set(name, raw);
      }
    }
  }
  return cookies;
}

/** The session token in a Cookie header; next-auth splits a large one into `.0`, `.1`, … chunks. */
export function sessionTokenFromCookies(header: string | undefined, siteUrl: string): string | null {
  const cookies = parseCookies(header);
  const name = sessionCookieName(siteUrl);
  const whole = cookies.get(name);
  if (whole) return whole;
  const chunks: string[] = [];
  for (let i = 0; cookies.has(`${name}.${i}`); i++) chunks.push(cookies.get(`${name}.${i}`)!);
  return chunks.length ? chunks.join("") : null;
}

/**
 * True when the token carries its user's current session version. Tokens made before versions
 * existed carry none and count as version 0; a token of a deleted user is never current.
 */
export async function tokenIsCurrent(db: Database, token: JWT): Promise<boolean> {
  const uid = typeof token.uid === "string" ? token.uid : null;
  const current = uid ? await sessionVersionOf(db, uid) : null;
  const carried = typeof token.sv === "number" ? token.sv : 0;
  return current !== null && carried === current;
}

/**
 * The signed-in user of a request's Cookie header, or null: no cookie, a token that does not
 * decrypt with `secret` (forged, or signed before a secret rotation), an expired one, or one
 * whose session was ended ("sign out everywhere", an admin's revocation).
 */
export async function userFromSessionCookie(db: Database, cookieHeader: string | undefined, options: { secret: string; siteUrl: string }): Promise<UserDTO | null> {
  const raw = sessionTokenFromCookies(cookieHeader, options.siteUrl);
  if (!raw) return null;
  let token: JWT | null;
  try {
    token = await decode({ token: raw, secret: options.secret });
  } catch {
    return null;
  }
  if (!token || !(await tokenIsCurrent(db, token))) return null;
  return findUserById(db, token.uid as string);
}
