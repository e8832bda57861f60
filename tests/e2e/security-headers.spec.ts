// Every kind of page, opened in Chromium, runs under its Content-Security-Policy without a single
// violation (the lab room with the Monaco editor and its workers included), and carries the other
// security headers. The JSON routes refuse requests another site could send.
import type { Page, Response } from "@playwright/test";
import { lessonInfo } from "./support/content";
import { expect, test } from "./support/fixtures";

const admin = { email: "warden@example.com", password: "headers all the way 2026" };
test.use({ admin });
const password = "policy and nonces 2026";

type Violation = string;

/** Collects CSP violations of `page`: the `securitypolicyviolation` events and the console's reports. */
async function watchViolations(page: Page): Promise<Violation[]> {
  const violations: Violation[] = [];
  await page.exposeFunction("__reportCspViolation", (text: string) => violations.push(text));
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      const report = (window as unknown as { __reportCspViolation: (text: string) => void }).__reportCspViolation;
      void report(`${event.violatedDirective} blocked ${event.blockedURI || "inline"} (${event.sourceFile}:${event.lineNumber})`);
    });
  });
  page.on("console", (message) => {
    if (/Content Security Policy|Refused to (load|execute|apply|connect|create|frame)/i.test(message.text())) violations.push(`console: ${message.text()}`);
  });
  return violations;
}

/** The headers every page must have, whatever kind it is. */
function expectPageHeaders(response: Response | null, label: string) {
  expect(response, label).not.toBeNull();
  const headers = response!.headers();
  const csp = headers["content-security-policy"] ?? "";
  expect(csp, `${label}: CSP`).toContain("frame-ancestors 'none'");
  expect(csp, `${label}: CSP`).toContain("object-src 'none'");
  expect(csp, `${label}: CSP`).toContain("base-uri 'none'");
  const scriptSrc = csp.split(";").find((d) => d.trim().startsWith("script-src")) ?? "";
  expect(scriptSrc, `${label}: script-src`).toMatch(/'nonce-[A-Za-z0-9+/=]{16,}'|'sha256-/);
  expect(scriptSrc, `${label}: script-src`).not.toContain("'unsafe-inline'");
  expect(scriptSrc, `${label}: script-src`).not.toContain("'unsafe-eval'");
  expect(headers["x-content-type-options"], label).toBe("nosniff");
  expect(headers["x-frame-options"], label).toBe("DENY");
  expect(headers["referrer-policy"], label).toBe("strict-origin-when-cross-origin");
  expect(headers["permissions-policy"], label).toContain("camera=()");
  // The test server is plain http: no HSTS (it would pin a site that has no https).
  expect(headers["strict-transport-security"], label).toBeUndefined();
}

async function visit(page: Page, violations: Violation[], url: string, label: string, ready: (page: Page) => Promise<void>) {
  const response = await page.goto(url);
  expectPageHeaders(response, label);
  await ready(page);
  // Give late scripts, styles, fonts and workers their chance to be refused.
  await page.waitForLoadState("networkidle");
  expect(violations, `CSP violations on ${label}`).toEqual([]);
}

test("every kind of page runs under its CSP without a violation and has the security headers", async ({ page, browser, signUp, signIn }) => {
  const violations = await watchViolations(page);
  const lesson = lessonInfo("kubernetes");

  // Signed out: the prerendered pages (hashes) and the rendered-per-request ones (nonces).
  await visit(page, violations, "/", "home", async (p) => {
    await expect(p.getByRole("link", { name: "Academy" })).toBeVisible();
  });
  await visit(page, violations, "/learn", "curriculum", async (p) => {
    await expect(p.getByRole("heading", { level: 1 })).toBeVisible();
  });
  await visit(page, violations, lesson.href, "lesson", async (p) => {
    await expect(p.getByRole("heading", { level: 1, name: lesson.title })).toBeVisible();
  });
  // The theme script ran (it sets data-theme before first paint) and React hydrated: the toggle works.
  await expect(page.locator("html")).toHaveAttribute("data-theme", /light|dark/);
  const before = await page.locator("html").getAttribute("data-theme");
  await page.getByRole("button", { name: /Dark mode|Light mode/ }).click();
  await expect(page.locator("html")).not.toHaveAttribute("data-theme", before!);

  const missing = await page.goto("/no-such-page");
  expect(missing?.status()).toBe(404);
  expectPageHeaders(missing, "404");
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await page.waitForLoadState("networkidle");
  expect(violations, "CSP violations on the 404 page").toEqual([]);

  await visit(page, violations, "/signin", "sign-in", async (p) => {
    await expect(p.getByRole("button", { name: "Sign in", exact: true })).toBeVisible();
  });
  await visit(page, violations, "/signup", "sign-up", async (p) => {
    await expect(p.getByRole("button", { name: "Create account" })).toBeVisible();
  });

  // Signed in: the dashboard and the lab room with the editor, its workers and its icon font.
  await signUp(page, { name: "Csp Learner", email: "csp-learner@example.com", password });
  expect(violations, "CSP violations while signing up").toEqual([]);
  await visit(page, violations, "/dashboard", "dashboard", async (p) => {
    await expect(p.getByRole("heading", { level: 1 })).toBeVisible();
  });
  await visit(page, violations, "/labs/containerise-the-model", "lab", async (p) => {
    await expect(p.getByTestId("code-editor").locator(".monaco-editor")).toBeVisible();
    await expect(p.getByTestId("code-editor").locator(".view-lines")).toContainText("FROM");
    // Typing starts Monaco's workers (blob: URLs importing from /monaco) and autosaves.
    await p.getByTestId("code-editor").locator(".view-lines").click();
    await p.keyboard.press("Control+End");
    await p.keyboard.type("\n# under a content security policy\n");
    await expect(p.getByTestId("save-status")).toHaveText("All changes saved");
  });
  await page.screenshot({ path: test.info().outputPath("lab-under-csp.png"), fullPage: false });

  // The admin pages, as an administrator.
  const adminContext = await browser.newContext();
  const adminPage = await adminContext.newPage();
  const adminViolations = await watchViolations(adminPage);
  await signIn(adminPage, admin);
  await visit(adminPage, adminViolations, "/admin/users", "admin", async (p) => {
    await expect(p.getByText(admin.email).first()).toBeVisible();
  });
  await adminContext.close();
});

test("static files carry nosniff and cannot be framed", async ({ page }) => {
  for (const url of ["/monaco/vs/loader.js", "/robots.txt"]) {
    const response = await page.request.get(url);
    expect(response.status(), url).toBe(200);
    expect(response.headers()["x-content-type-options"], url).toBe("nosniff");
    expect(response.headers()["x-frame-options"], url).toBe("DENY");
  }
});

test("the JSON routes refuse other origins, other content types and oversized bodies, in words", async ({ page, server, signUp }) => {
  await signUp(page, { name: "Csrf Target", email: "csrf-target@example.com", password });
  const url = "/api/labs/deploy-the-model/sandbox";
  const origin = new URL(server.url).origin;

  // What a form on another site can send: text/plain from a foreign origin.
  const foreign = await page.request.post(url, { headers: { origin: "http://evil.example", "content-type": "text/plain" }, data: '{"action":"stop","x":"="}' });
  expect(foreign.status()).toBe(403);
  expect(await foreign.json()).toMatchObject({ code: "cross-origin", error: expect.stringContaining("http://evil.example") });
  // Another port of the same host is same-site for cookies, but not the same origin.
  const sibling = await page.request.post(url, { headers: { origin: origin.replace(/:\d+$/, ":1"), "content-type": "application/json" }, data: '{"action":"stop"}' });
  expect(sibling.status()).toBe(403);
  const noOrigin = await page.request.post(url, { headers: { "content-type": "application/json" }, data: '{"action":"stop"}' });
  expect(noOrigin.status()).toBe(403);

  const plain = await page.request.post(url, { headers: { origin, "content-type": "text/plain" }, data: '{"action":"stop"}' });
  expect(plain.status()).toBe(415);
  expect((await plain.json()).error).toContain("application/json");

  const huge = await page.request.post(url, { headers: { origin, "content-type": "application/json" }, data: JSON.stringify({ action: "stop", pad: "x".repeat(20 * 1024 * 1024) }) });
  expect(huge.status()).toBe(413);
  expect((await huge.json()).error).toMatch(/^The request body is 20\.1 MiB; this endpoint accepts at most 1 KiB\.$/);

  const unknown = await page.request.post(url, { headers: { origin, "content-type": "application/json" }, data: '{"action":"explode"}' });
  expect(unknown.status()).toBe(400);

  // Grading too: it takes `{}` as JSON from the site itself.
  const check = await page.request.post("/api/labs/containerise-the-model/check", { headers: { "content-type": "text/plain" }, data: "" });
  expect(check.status()).toBe(403);
});
