// The sign-up and sign-in forms as a person fills them in; callers assert what should follow.
// Paths are relative to the test's baseURL, which the fixtures (./fixtures.ts) point at its server.
import type { Page } from "@playwright/test";

export type Credentials = { email: string; password: string };
export type NewAccount = Credentials & { name: string };

export async function submitSignUp(page: Page, account: NewAccount) {
  await page.goto("/signup");
  await page.getByLabel("Name").fill(account.name);
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Create account" }).click();
}

export async function submitSignIn(page: Page, account: Credentials) {
  await page.goto("/signin");
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Sign in" }).click();
}
