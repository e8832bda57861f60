import { expect, test } from "@playwright/test";
import { submitSignIn, submitSignUp } from "./support/forms";
import { createAdmin, makeDataDir, startServer, type AcademyServer } from "../../scripts/support/academy-server";

let server: AcademyServer;
const admin = { email: "ada@example.com", password: "analytical engine 1843" };

test.beforeAll(async () => {
  const dataDir = makeDataDir();
  createAdmin(dataDir, admin.email, admin.password);
  server = await startServer({ dataDir });
});

test.afterEach(async ({}, testInfo) => {
  // A failed test shows what the server said, which the browser never sees.
  if (testInfo.status !== testInfo.expectedStatus) console.log(`--- server output ---\n${server?.logs().slice(-6000)}`);
});

test.afterAll(async () => {
  await server?.stop();
});

async function signUp(page: import("@playwright/test").Page, name: string, email: string, password: string) {
  await submitSignUp(page, server.url, { name, email, password });
}

test("a visitor who is not signed in is sent to sign in from the dashboard and the admin page", async ({ page }) => {
  await page.goto(`${server.url}/admin/users`);
  await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fadmin%2Fusers/);
  await page.goto(`${server.url}/dashboard`);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
});

test("sign-up reports a weak password and a taken email on their fields", async ({ page }) => {
  await signUp(page, "Grace", "grace@example.com", "short");
  await expect(page.getByText("Use at least 10 characters.")).toBeVisible();
  await expect(page.getByLabel("Email")).toHaveValue("grace@example.com");

  await signUp(page, "Someone", admin.email, "a perfectly fine passphrase");
  await expect(page.getByText("An account with this email already exists. Sign in instead.")).toBeVisible();
});

test("a learner cannot open the admin page or use its action; an admin can change roles", async ({ page, browser }) => {
  await signUp(page, "Linus", "linus@example.com", "penguins everywhere 91");
  await expect(page).toHaveURL(/\/dashboard$/);
  const response = await page.goto(`${server.url}/admin/users`);
  expect(response?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "You don't have access to this page" })).toBeVisible();
  await expect(page.getByText(admin.email)).toHaveCount(0);

  const adminContext = await browser.newContext();
  const adminPage = await adminContext.newPage();
  await submitSignIn(adminPage, server.url, { email: admin.email, password: "wrong password here" });
  await expect(adminPage.getByText("That email and password don't match an account.")).toBeVisible();
  await adminPage.getByLabel("Password").fill(admin.password);
  await adminPage.getByRole("button", { name: "Sign in" }).click();
  await expect(adminPage).toHaveURL(/\/dashboard$/);
  await adminPage.goto(`${server.url}/admin/users`);
  const row = adminPage.getByRole("row", { name: /linus@example.com/ });
  await row.getByLabel("Role for linus@example.com").selectOption("instructor");
  await row.getByRole("button", { name: "Save" }).click();
  await expect(row.getByRole("status")).toHaveText("linus@example.com is now instructor.");
  await adminContext.close();

  // The role comes from the database on every request: the learner's next page load sees it.
  await page.reload();
  expect((await page.goto(`${server.url}/admin/users`))?.status()).toBe(403);
});

test("unknown addresses get the 404 page", async ({ page }) => {
  for (const path of ["/no-such-page", "/learn/no-such-module", "/learn/linux/no-such-lesson"]) {
    const response = await page.goto(`${server.url}${path}`);
    expect(response?.status(), path).toBe(404);
    await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  }
});
