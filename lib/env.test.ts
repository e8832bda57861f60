import path from "node:path";
import { expect, test } from "vitest";
import { parseEnv } from "./env";

test("defaults need no configuration", () => {
  const env = parseEnv({});
  expect(env.ACADEMY_DATA_DIR).toBe(path.resolve(".academy-data"));
  expect(env.ACADEMY_OPEN_SIGNUP).toBe(true);
  expect(env.DATABASE_URL).toBeUndefined();
});

test("a bad value names the variable to fix", () => {
  expect(() => parseEnv({ DATABASE_URL: "mysql://x" })).toThrow(/DATABASE_URL: DATABASE_URL must start with postgres/);
  expect(() => parseEnv({ ACADEMY_OPEN_SIGNUP: "maybe" })).toThrow(/ACADEMY_OPEN_SIGNUP/);
  expect(() => parseEnv({ NEXTAUTH_SECRET: "short" })).toThrow(/NEXTAUTH_SECRET/);
});

test("providers must be configured completely", () => {
  expect(() => parseEnv({ GITHUB_ID: "x" })).toThrow(/GITHUB_ID and GITHUB_SECRET/);
  expect(() => parseEnv({ OIDC_ISSUER: "https://id.example.com" })).toThrow(/OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET/);
  expect(parseEnv({ ACADEMY_OPEN_SIGNUP: "false" }).ACADEMY_OPEN_SIGNUP).toBe(false);
});
