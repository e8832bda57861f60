import { encode } from "next-auth/jwt";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { DatabaseHandle } from "@/lib/db/client";
import { users } from "@/lib/db/schema";
import { openTestDatabase } from "@/tests/support/databases";
import { eq } from "drizzle-orm";
import { parseCookies, sessionCookieName, sessionTokenFromCookies, userFromSessionCookie } from "./session-token";

const SECRET = "session-token-test-secret-0123456789abcdef";
const SITE = "http://localhost:3000";
let handle: DatabaseHandle;

beforeAll(async () => {
  handle = await openTestDatabase("pglite");
  await handle.db.insert(users).values({ id: "u1", email: "u1@example.com", name: "Una" });
});
afterAll(async () => handle?.close());

test("the cookie is next-auth's: __Secure- prefixed behind https, reassembled from chunks", () => {
  expect(sessionCookieName("http://localhost:3000")).toBe("next-auth.session-token");
  expect(sessionCookieName("https://academy.example.com")).toBe("__Secure-next-auth.session-token");
  expect(parseCookies("a=1; b=x%20y; a=2; broken")).toEqual(new Map([["a", "1"], ["b", "x y"]]));
  expect(sessionTokenFromCookies("next-auth.session-token.0=abc; next-auth.session-token.1=def", SITE)).toBe("abcdef");
  expect(sessionTokenFromCookies("other=1", SITE)).toBeNull();
});

test("a current token names its user; a forged, foreign-secret, stale-version or unknown-user token names nobody", async () => {
  const cookie = async (token: Record<string, unknown>, secret = SECRET) => `next-auth.session-token=${await encode({ token, secret })}`;
  expect(await userFromSessionCookie(handle.db, await cookie({ uid: "u1", sv: 0 }), { secret: SECRET, siteUrl: SITE })).toMatchObject({ id: "u1", name: "Una" });
  expect(await userFromSessionCookie(handle.db, await cookie({ uid: "u1" }), { secret: SECRET, siteUrl: SITE })).toMatchObject({ id: "u1" });
  expect(await userFromSessionCookie(handle.db, await cookie({ uid: "u1", sv: 0 }, "another-secret-of-at-least-32-chars!!"), { secret: SECRET, siteUrl: SITE })).toBeNull();
  expect(await userFromSessionCookie(handle.db, "next-auth.session-token=not-a-jwt", { secret: SECRET, siteUrl: SITE })).toBeNull();
  expect(await userFromSessionCookie(handle.db, await cookie({ uid: "nobody", sv: 0 }), { secret: SECRET, siteUrl: SITE })).toBeNull();
  expect(await userFromSessionCookie(handle.db, undefined, { secret: SECRET, siteUrl: SITE })).toBeNull();
  // "Sign out everywhere" raises the version: the old token stops working.
  await handle.db.update(users).set({ sessionVersion: 1 }).where(eq(users.id, "u1"));
  expect(await userFromSessionCookie(handle.db, await cookie({ uid: "u1", sv: 0 }), { secret: SECRET, siteUrl: SITE })).toBeNull();
  expect(await userFromSessionCookie(handle.db, await cookie({ uid: "u1", sv: 1 }), { secret: SECRET, siteUrl: SITE })).toMatchObject({ id: "u1" });
  // An expired token is refused by the decoder.
  const expired = await encode({ token: { uid: "u1", sv: 1 }, secret: SECRET, maxAge: -60 });
  expect(await userFromSessionCookie(handle.db, `next-auth.session-token=${expired}`, { secret: SECRET, siteUrl: SITE })).toBeNull();
});
