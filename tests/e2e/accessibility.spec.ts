import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { allLessons, lessonInfo } from "./support/content";
import { expect, test } from "./support/fixtures";

async function seriousViolations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`);
}

const pages = () => ["/", "/learn", "/learn/overview", "/learn/linux", lessonInfo("kubernetes", "probes-and-resources").href, "/signin", "/signup", "/no-such-page"];

for (const scheme of ["light", "dark"] as const) {
  test(`main pages have no serious or critical axe violations (${scheme})`, async ({ page }) => {
    await page.emulateMedia({ colorScheme: scheme });
    for (const path of pages()) {
      await page.goto(path);
      await page.waitForLoadState("networkidle");
      expect(await seriousViolations(page), `${path} (${scheme})`).toEqual([]);
    }
  });
}

test("the dashboard of a signed-in learner has no serious or critical axe violations", async ({ page, signUp }) => {
  await signUp(page, { name: "Barbara", email: "barbara@example.com", password: "abstract data types 74" });
  expect(await seriousViolations(page)).toEqual([]);
});

test("the site is usable with the keyboard: skip link, then the quiz by Tab and arrow keys", async ({ page }) => {
  const lesson = lessonInfo("linux");
  await page.goto(lesson.href);
  await page.keyboard.press("Tab");
  await expect(page.getByRole("link", { name: "Skip to content" })).toBeFocused();
  await page.keyboard.press("Enter");
  const firstRadio = page.getByRole("form", { name: "Quiz" }).getByRole("radio").first();
  await firstRadio.focus();
  await page.keyboard.press("Space");
  await expect(firstRadio).toBeChecked();
});

test("the layout adapts to a phone-sized screen without horizontal scrolling", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(lessonInfo("web-apis").href);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
});

test("every lesson has no serious or critical axe violations and fits a phone-sized screen", async ({ page }) => {
  test.setTimeout(5 * 60_000);
  const lessons = allLessons();
  expect(lessons.length).toBeGreaterThanOrEqual(40);
  await page.setViewportSize({ width: 390, height: 844 });
  for (const lesson of lessons) {
    await page.goto(lesson.href);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(lesson.title);
    expect(await seriousViolations(page), lesson.href).toEqual([]);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow, `${lesson.href} scrolls sideways`).toBeLessThanOrEqual(0);
  }
});
