import type { Page } from "@playwright/test";
import { lessonInfo, type QuizQuestion } from "./support/content";
import { expect, test } from "./support/fixtures";

async function answer(page: Page, questions: QuizQuestion[], pick: (q: QuizQuestion) => number) {
  const quiz = page.getByRole("form", { name: "Quiz" });
  for (const [index, question] of questions.entries()) {
    const group = quiz.getByRole("group").nth(index);
    await group.getByRole("radio").nth(pick(question)).check();
  }
  await quiz.getByRole("button", { name: "Check answers" }).click();
}

test("a learner signs up, reads a lesson, fails then passes its quiz, completes it, and keeps progress across a restart", async ({ page, server }) => {
  const lesson = lessonInfo("linux");
  const total = lesson.quiz.length;

  await page.goto("/");
  await page.getByRole("link", { name: "Sign up" }).click();
  await page.getByLabel("Name").fill("Katherine");
  await page.getByLabel("Email").fill("katherine@example.com");
  await page.getByLabel("Password").fill("orbital mechanics 1962");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole("heading", { name: "Welcome, Katherine" })).toBeVisible();

  // Browse: catalogue → module → first lesson.
  await page.getByRole("link", { name: "Curriculum" }).click();
  await page.getByRole("link", { name: /Linux/ }).first().click();
  await page.getByRole("link", { name: new RegExp(lesson.title) }).first().click();
  await expect(page).toHaveURL(new RegExp(`${lesson.href}$`));
  await expect(page.getByRole("heading", { level: 1, name: lesson.title })).toBeVisible();
  await expect(page.getByRole("navigation", { name: "On this page" }).or(page.getByRole("complementary", { name: "On this page" }))).toBeVisible();

  // Before submitting, the page does not contain the answers' explanations.
  const html = await (await page.request.get(lesson.href)).text();
  for (const question of lesson.quiz) expect(html).not.toContain(question.explanation.slice(0, 40));

  // Wrong answers first: every question gets a choice that is not the answer.
  await answer(page, lesson.quiz, (q) => (q.answer + 1) % q.choices.length);
  await expect(page.getByRole("form", { name: "Quiz" }).getByRole("status")).toHaveText(`You got 0 of ${total} right.`);
  await expect(page.getByText("Not quite.").first()).toBeVisible();
  await expect(page.getByText(lesson.quiz[0]!.explanation.slice(0, 30)).first()).toBeVisible();

  await page.getByRole("button", { name: "Try again" }).click();
  await answer(page, lesson.quiz, (q) => q.answer);
  await expect(page.getByRole("form", { name: "Quiz" }).getByRole("status")).toHaveText(`You got ${total} of ${total} right.`);

  await page.getByRole("button", { name: "Mark lesson complete" }).click();
  await expect(page.getByRole("button", { name: /Completed/ })).toHaveAttribute("aria-pressed", "true");

  await page.goto("/dashboard");
  await expect(page.getByTestId("progress-linux")).toContainText("1 of");
  await expect(page.getByText(`${lesson.title}: ${total} of ${total}`)).toBeVisible();

  await server.restart();

  // Same browser session, new server process: progress and the quiz result come from the database.
  await page.goto("/dashboard");
  await expect(page.getByRole("heading", { name: "Welcome back, Katherine" })).toBeVisible();
  await expect(page.getByTestId("progress-linux")).toContainText("1 of");
  await page.goto(lesson.href);
  await expect(page.getByRole("button", { name: /Completed/ })).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByRole("form", { name: "Quiz" }).getByRole("status")).toHaveText(`You got ${total} of ${total} right.`);
  await page.goto("/learn");
  await expect(page.getByRole("progressbar", { name: /Linux/ })).toBeVisible();
});

test("a visitor can answer a quiz without an account; nothing is saved and they are invited to sign in", async ({ page }) => {
  const lesson = lessonInfo("containers");
  await page.goto(lesson.href);
  await expect(page.getByText("to save your progress and quiz results")).toBeVisible();
  await answer(page, lesson.quiz, (q) => q.answer);
  await expect(page.getByRole("form", { name: "Quiz" }).getByRole("status")).toHaveText(`You got ${lesson.quiz.length} of ${lesson.quiz.length} right.`);
});

test("the quiz action refuses answers for questions the quiz does not have", async ({ page }) => {
  const lesson = lessonInfo("kubernetes");
  await page.goto(lesson.href);
  const quiz = page.getByRole("form", { name: "Quiz" });
  // Submitting with unanswered questions is caught before the server is asked.
  await quiz.getByRole("button", { name: "Check answers" }).click();
  await expect(quiz.getByRole("alert")).toContainText("Answer every question first");
});
