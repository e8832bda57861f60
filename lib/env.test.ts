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

test("email for assessment invites is off by default and needs a sender when on", () => {
  expect(parseEnv({}).SMTP_URL).toBeUndefined();
  expect(() => parseEnv({ SMTP_URL: "http://mail.example.com" })).toThrow(/SMTP_URL: SMTP_URL must look like smtp:/);
  expect(() => parseEnv({ SMTP_URL: "smtp://mail.example.com:587" })).toThrow(/SMTP_URL needs SMTP_FROM/);
  expect(parseEnv({ SMTP_URL: "smtps://u:p@mail.example.com:465", SMTP_FROM: "Hiring <h@example.com>" })).toMatchObject({
    SMTP_URL: "smtps://u:p@mail.example.com:465",
    SMTP_FROM: "Hiring <h@example.com>",
  });
});
