// Invite link tokens: 256 random bits, base64url in the link, only their SHA-256 stored. A leaked
// database therefore holds no usable link, and looking a token up is a plain index lookup of its
// hash (no comparison of secrets that could leak timing).
import "server-only";
import { createHash, randomBytes } from "node:crypto";
import { env } from "@/lib/env";

/** 32 bytes in base64url without padding: 43 characters. */
export const INVITE_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function hashInviteToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export function newInviteToken(): { token: string; hash: string } {
  const token = randomBytes(32).toString("base64url");
  return { token, hash: hashInviteToken(token) };
}

/** Where a candidate opens their invite (the candidate's pages: issue 11, part 4). */
export const INVITE_PATH = "/take/";

export function inviteLink(token: string, baseUrl: string = env.NEXTAUTH_URL): string {
  return new URL(`${INVITE_PATH}${token}`, baseUrl).toString();
}

/** The token of an invite link (or a bare token), or null when it does not look like one. */
export function tokenFromLink(link: string): string | null {
  const match = /\/take\/([A-Za-z0-9_-]+)\/?$/.exec(link.trim());
  const token = match ? match[1]! : link.trim();
  return INVITE_TOKEN_PATTERN.test(token) ? token : null;
}
