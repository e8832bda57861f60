// GitHub/OIDC sign-in against a real OpenID provider (the `oidc-provider` package, started here on
// loopback with its built-in login and consent pages), driven in Chromium through next-auth's real
// redirects: the account-linking rules of lib/auth/users.ts (userForExternalAccount), closed
// sign-up, session revocation, the sign-in limits and the same-origin callback URL, end to end.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test, type Browser, type Page } from "@playwright/test";
import Provider from "oidc-provider";
import { createAdmin, makeDataDir, startServer, type AcademyServer } from "../../scripts/support/academy-server";
import { submitSignIn } from "./support/forms";

const admin = { email: "ada@example.com", password: "analytical engine 1843" };

/** Identities at the provider, by the login typed on its sign-in page. */
const identities: Record<string, { email: string; email_verified: boolean; name: string }> = {
  // Claims the admin's address without having verified it (a self-service IdP, Entra's mutable email).
  mallory: { email: admin.email, email_verified: false, name: "Mallory" },
  // The admin's own, verified identity at the provider.
  "ada-idp": { email: admin.email, email_verified: true, name: "Ada at the IdP" },
  newbie: { email: "newbie@example.com", email_verified: true, name: "Newbie" },
  outsider: { email: "outsider@example.com", email_verified: true, name: "Outsider" },
};

let issuer: string;
let idp: http.Server;
let server: AcademyServer;
let closedServer: AcademyServer;

test.beforeAll(async () => {
  // The provider's address must be known before the Academy servers start (OIDC_ISSUER), and the
  // servers' callback addresses before the provider is configured: listen first, configure after.
  idp = http.createServer();
  await new Promise<void>((resolve) => idp.listen(0, "127.0.0.1", resolve));
  issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
  const oidcEnv = { OIDC_ISSUER: issuer, OIDC_CLIENT_ID: "academy", OIDC_CLIENT_SECRET: "academy-client-secret", OIDC_NAME: "Company SSO" };

  const dataDir = makeDataDir();
  createAdmin(dataDir, admin.email, admin.password);
  server = await startServer({ dataDir, env: oidcEnv });
  closedServer = await startServer({ env: { ...oidcEnv, ACADEMY_OPEN_SIGNUP: "false" } });

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: "academy",
        client_secret: "academy-client-secret",
        redirect_uris: [server, closedServer].map((s) => `${s.url}/api/auth/callback/oidc`),
        grant_types: ["authorization_code"],
        response_types: ["code"],
      },
    ],
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    // next-auth reads the ID token's claims (idToken: true), so put the scope's claims there.
    conformIdTokenClaims: false,
    cookies: { keys: ["test-only-cookie-key"] },
    async findAccount(_ctx, id) {
      return { accountId: id, claims: async () => ({ sub: id, ...identities[id] }) };
    },
  });
  idp.on("request", provider.callback());
});

test.afterEach(async ({}, testInfo) => {
  if (testInfo.status !== testInfo.expectedStatus) {
    console.log(`--- server output ---\n${server?.logs().slice(-4000)}\n--- closed-sign-up server ---\n${closedServer?.logs().slice(-2000)}`);
  }
});

test.afterAll(async () => {
  await server?.stop();
  await closedServer?.stop();
  await new Promise((resolve) => idp?.close(resolve));
});

/** Clicks "Company SSO" on the sign-in page and signs in at the provider as `login`. */
async function signInWithSso(page: Page, academy: AcademyServer, login: string, callbackUrl = "/dashboard") {
  await page.goto(`${academy.url}/signin?callbackUrl=${encodeURIComponent(callbackUrl)}`);
  await page.getByRole("button", { name: "Company SSO" }).click();
  const loginField = page.locator('input[name="login"]');
  const consent = page.getByRole("button", { name: "Continue" });
  // The provider shows its sign-in page, then its consent page, unless this browser has been there
  // before: then it redirects straight back. Done when back on Academy, past the sign-in page
  // (or on it with an error).
  await expect(async () => {
    const url = new URL(page.url());
    if (url.origin === issuer) {
      if (await loginField.isVisible()) {
        await loginField.fill(login);
        await page.locator('input[name="password"]').fill("any password: the test provider accepts it");
        await page.getByRole("button", { name: "Sign-in" }).click();
      } else if (await consent.isVisible()) {
        await consent.click();
      }
    }
    const now = new URL(page.url());
    expect(now.origin).toBe(academy.url);
    expect(now.pathname !== "/signin" || now.searchParams.has("error"), now.href).toBe(true);
  }).toPass({ timeout: 30_000 });
  await page.waitForLoadState("load");
}

async function sessionOf(page: Page, academy: AcademyServer): Promise<{ role?: string; user?: { email?: string } }> {
  const response = await page.request.get(`${academy.url}/api/auth/session`);
  return (await response.json()) as { role?: string; user?: { email?: string } };
}

/** A page in a context of its own (no cookies), with relative paths going to `academy`. */
async function freshPage(browser: Browser, academy: AcademyServer = server): Promise<Page> {
  const context = await browser.newContext({ baseURL: academy.url });
  return context.newPage();
}

test("an unverified email at the provider does not get the admin's account", async ({ browser }) => {
  const page = await freshPage(browser);
  await signInWithSso(page, server, "mallory");
  await expect(page).toHaveURL(/\/signin\?error=EmailNotVerified/);
  await expect(page.getByText("did not confirm that your email address is verified")).toBeVisible();
  expect(await sessionOf(page, server)).toEqual({});
  await page.context().close();
});

test("a verified email is not linked silently to a password account; after a password sign-in it is", async ({ browser }) => {
  const page = await freshPage(browser);
  await signInWithSso(page, server, "ada-idp");
  await expect(page).toHaveURL(/\/signin\?error=SignInToLink/);
  await expect(page.getByText("Sign in with your email and password first")).toBeVisible();
  expect(await sessionOf(page, server)).toEqual({});

  // The owner signs in with the password, then chooses the provider again: now it is linked.
  await submitSignIn(page, admin);
  await expect(page).toHaveURL(/\/dashboard$/);
  await signInWithSso(page, server, "ada-idp");
  await expect(page).toHaveURL(/\/dashboard$/);
  await page.context().close();

  const other = await freshPage(browser);
  await signInWithSso(other, server, "ada-idp");
  await expect(other).toHaveURL(/\/dashboard$/);
  expect(await sessionOf(other, server)).toMatchObject({ role: "admin", user: { email: admin.email } });
  await other.context().close();
});

test("a new verified identity creates a learner, and sign out everywhere ends its other sessions", async ({ browser }) => {
  const first = await freshPage(browser);
  await signInWithSso(first, server, "newbie");
  await expect(first).toHaveURL(/\/dashboard$/);
  expect(await sessionOf(first, server)).toMatchObject({ role: "learner", user: { email: "newbie@example.com" } });

  const second = await freshPage(browser);
  await signInWithSso(second, server, "newbie");
  expect(await sessionOf(second, server)).toMatchObject({ user: { email: "newbie@example.com" } });

  await first.getByTestId("signed-in-as").click(); // the account menu
  await first.getByRole("button", { name: "Sign out everywhere" }).click();
  await expect(first.getByRole("link", { name: "Sign in" })).toBeVisible();
  // The other browser's cookie is still there, but its session has ended.
  expect(await sessionOf(second, server)).toEqual({});
  await second.goto(`${server.url}/dashboard`);
  await expect(second).toHaveURL(/\/signin/);
  await first.context().close();
  await second.context().close();
});

test("an admin ends a user's sessions from the users page", async ({ browser }) => {
  const learner = await freshPage(browser);
  await signInWithSso(learner, server, "newbie");
  expect(await sessionOf(learner, server)).toMatchObject({ user: { email: "newbie@example.com" } });

  const adminPage = await freshPage(browser);
  await submitSignIn(adminPage, admin);
  await expect(adminPage).toHaveURL(/\/dashboard$/);
  await adminPage.goto(`${server.url}/admin/users`);
  const row = adminPage.getByRole("row", { name: /newbie@example.com/ });
  await row.getByRole("button", { name: "Sign newbie@example.com out everywhere" }).click();
  await expect(row.getByText("Every session of newbie@example.com has ended.")).toBeVisible();

  expect(await sessionOf(learner, server)).toEqual({});
  // The admin's own session is untouched.
  expect(await sessionOf(adminPage, server)).toMatchObject({ role: "admin" });
  await learner.context().close();
  await adminPage.context().close();
});

test("with sign-up closed, a new identity at the provider creates no account", async ({ browser }) => {
  const page = await freshPage(browser);
  await signInWithSso(page, closedServer, "outsider");
  await expect(page).toHaveURL(/\/signin\?error=SignUpClosed/);
  await expect(page.getByText("Sign-up is closed on this Academy")).toBeVisible();
  expect(await sessionOf(page, closedServer)).toEqual({});
  await page.context().close();
});

test("a callback URL that leads off the site is replaced by the dashboard", async ({ browser }) => {
  const page = await freshPage(browser);
  await page.goto(`${server.url}/signin?callbackUrl=/%09/evil.example/pwned`);
  await page.getByLabel("Email").fill(admin.email);
  await page.getByLabel("Password").fill(admin.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(`${server.url}/dashboard`);
  await page.context().close();
});

test("repeated wrong passwords are stopped with the wait in seconds", async ({ browser }) => {
  const page = await freshPage(browser);
  await submitSignIn(page, { email: "guess-target@example.com", password: "wrong guess 0" });
  await expect(page.getByText("That email and password don't match an account.")).toBeVisible();
  for (let i = 1; i < 8; i++) {
    await page.getByLabel("Password").fill(`wrong guess ${i}`);
    await page.getByRole("button", { name: "Sign in" }).click();
    if (await page.getByText(/Too many sign-in attempts/).isVisible({ timeout: 3_000 }).catch(() => false)) break;
  }
  await expect(page.getByText(/^Too many sign-in attempts\. Try again in \d+ seconds?\.$/)).toBeVisible();
  await page.context().close();
});
