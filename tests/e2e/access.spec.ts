import { expect, submitSignIn, submitSignUp, test } from "./support/fixtures";

const admin = { email: "ada@example.com", password: "analytical engine 1843" };
test.use({ admin });

test("a visitor who is not signed in is sent to sign in from the dashboard and the admin page", async ({ page }) => {
  await page.goto("/admin/users");
  await expect(page).toHaveURL(/\/signin\?callbackUrl=%2Fadmin%2Fusers/);
  await page.goto("/dashboard");
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
});

test("sign-up reports a weak password on its field, and does not tell whether an email has an account", async ({ page }) => {
  await submitSignUp(page, { name: "Grace", email: "grace@example.com", password: "short" });
  await expect(page.getByText("Use at least 10 characters.")).toBeVisible();
  await expect(page.getByLabel("Email")).toHaveValue("grace@example.com");

  // A taken email answers like any sign-up whose sign-in did not go through: no "already exists".
  await submitSignUp(page, { name: "Someone", email: admin.email, password: "a perfectly fine passphrase" });
  await expect(page).toHaveURL(/\/signin/);
  await expect(
    page.getByText("We could not sign you in with that email and password. If you already have an account with this email, sign in with its password."),
  ).toBeVisible();
  await expect(page.getByText(/already exists/)).toHaveCount(0);
});

test("a learner cannot open the admin page or use its action; an admin can change roles", async ({ page, browser, signUp }) => {
  await signUp(page, { name: "Linus", email: "linus@example.com", password: "penguins everywhere 91" });
  const response = await page.goto("/admin/users");
  expect(response?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "You don't have access to this page" })).toBeVisible();
  await expect(page.getByText(admin.email)).toHaveCount(0);

  const adminContext = await browser.newContext();
  const adminPage = await adminContext.newPage();
  await submitSignIn(adminPage, { email: admin.email, password: "wrong password here" });
  await expect(adminPage.getByText("That email and password don't match an account.")).toBeVisible();
  await adminPage.getByLabel("Password").fill(admin.password);
  await adminPage.getByRole("button", { name: "Sign in" }).click();
  await expect(adminPage).toHaveURL(/\/dashboard$/);
  await adminPage.goto("/admin/users");
  const row = adminPage.getByRole("row", { name: /linus@example.com/ });
  await row.getByLabel("Role for linus@example.com").selectOption("instructor");
  await row.getByRole("button", { name: "Save" }).click();
  await expect(row.getByRole("status")).toHaveText("linus@example.com is now instructor.");
  await adminContext.close();

  // The role comes from the database on every request: the learner's next page load sees it.
  await page.reload();
  expect((await page.goto("/admin/users"))?.status()).toBe(403);
});

test("unknown addresses get the 404 page", async ({ page }) => {
  for (const path of ["/no-such-page", "/learn/no-such-module", "/learn/linux/no-such-lesson"]) {
    const response = await page.goto(path);
    expect(response?.status(), path).toBe(404);
    await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  }
});
