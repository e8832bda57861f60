import { expect, test } from "vitest";
import { parseEnv } from "@/lib/env";
import { authProviders } from "./options";

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
