// The sign-up and sign-in forms as a person fills them in; callers assert what should follow.
import type { Page } from "@playwright/test";

export async function submitSignUp(page: Page, baseUrl: string, user: { name: string; email: string; password: string }) {
  await page.goto(`${baseUrl}/signup`);
  await page.getByLabel("Name").fill(user.name);
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Create account" }).click();
}

export async function submitSignIn(page: Page, baseUrl: string, user: { email: string; password: string }) {
  await page.goto(`${baseUrl}/signin`);
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password").fill(user.password);
  await page.getByRole("button", { name: "Sign in" }).click();
}
