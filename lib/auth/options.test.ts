import { expect, test } from "vitest";
import { parseEnv } from "@/lib/env";
import { authProviders, githubPrimaryEmail, githubProfile, oidcUser } from "./options";

test("email and password is always on; GitHub and OIDC switch on by their variables", () => {
  expect(authProviders(parseEnv({})).map((p) => p.id)).toEqual(["credentials"]);

  const github = authProviders(parseEnv({ GITHUB_ID: "id", GITHUB_SECRET: "secret" }));
  expect(github.map((p) => p.id)).toEqual(["credentials", "github"]);

  const oidc = authProviders(
    parseEnv({ OIDC_ISSUER: "https://id.example.com/realms/academy/", OIDC_CLIENT_ID: "academy", OIDC_CLIENT_SECRET: "s", OIDC_NAME: "Company SSO" }),
  );
  const provider = oidc.find((p) => p.id === "oidc") as { name: string; wellKnown?: string } | undefined;
  expect(provider?.name).toBe("Company SSO");
  expect(provider?.wellKnown).toBe("https://id.example.com/realms/academy/.well-known/openid-configuration");
});

test("GitHub: only the primary address counts, and only GitHub's word makes it verified", async () => {
  expect(githubPrimaryEmail([
    { email: "old@example.com", primary: false, verified: true },
    { email: "main@example.com", primary: true, verified: false },
  ])).toEqual({ email: "main@example.com", verified: false });
  expect(githubPrimaryEmail([{ email: "main@example.com", primary: true, verified: true }])).toEqual({ email: "main@example.com", verified: true });
  expect(githubPrimaryEmail([{ email: "other@example.com", primary: false, verified: true }])).toEqual({ email: null, verified: false });
  expect(githubPrimaryEmail({ message: "Requires authentication" })).toEqual({ email: null, verified: false });

  // The profile request asks both endpoints and ignores the public `email` of /user.
  const answers: Record<string, unknown> = {
    "https://api.github.com/user": { id: 7, login: "octo", name: null, email: "public@example.com" },
    "https://api.github.com/user/emails": [{ email: "admin@example.com", primary: true, verified: false }],
  };
  const fetcher = (async (url: string) => new Response(JSON.stringify(answers[url]), { status: 200 })) as unknown as typeof fetch;
  const profile = await githubProfile("token", fetcher);
  expect(profile).toMatchObject({ id: 7, login: "octo", email: "admin@example.com", email_verified: false });

  const github = authProviders(parseEnv({ GITHUB_ID: "id", GITHUB_SECRET: "secret" })).find((p) => p.id === "github") as unknown as {
    options: { profile(p: unknown): { id: string; email: string | null; emailVerified: boolean } };
  };
  expect(github.options.profile(profile)).toMatchObject({ id: "7", name: "octo", email: "admin@example.com", emailVerified: false });
});

test("OIDC: email_verified is read, and only true (or \"true\") counts", () => {
  expect(oidcUser({ sub: "s", email: "a@example.com", email_verified: true })).toMatchObject({ id: "s", email: "a@example.com", emailVerified: true });
  expect(oidcUser({ sub: "s", email: "a@example.com", email_verified: "true" }).emailVerified).toBe(true);
  expect(oidcUser({ sub: "s", email: "a@example.com", email_verified: false }).emailVerified).toBe(false);
  expect(oidcUser({ sub: "s", email: "a@example.com" }).emailVerified).toBe(false);
});
