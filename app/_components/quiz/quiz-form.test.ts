import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { expect, test } from "vitest";
import type { PublicQuestion, QuizResult } from "@/lib/content/schema";
import { QuizForm } from "./quiz-form";

const questions: PublicQuestion[] = [
  { id: "sigterm", prompt: "What comes first?", choices: ["SIGKILL", "SIGTERM"] },
  { id: "grace", prompt: "Then?", choices: ["Wait", "Nothing"] },
];

async function submit(): Promise<QuizResult> {
  throw new Error("not called while rendering");
}

test("renders each question as a radio group with a legend", () => {
  const html = renderToStaticMarkup(createElement(QuizForm, { questions, submit }));
  expect(html.match(/<fieldset/g)).toHaveLength(2);
  expect(html).toContain("<legend>1. What comes first?</legend>");
  expect(html.match(/type="radio"/g)).toHaveLength(4);
  expect(html).toContain("Check answers");
  expect(html).not.toContain("Correct");
});

test("a saved result shows the score, each answer's verdict and explanation, and Try again", () => {
  const initial: QuizResult = {
    score: 1,
    total: 2,
    results: [
      { id: "sigterm", correct: true, chosen: 1, correctChoice: 1, explanation: "SIGTERM first." },
      { id: "grace", correct: false, chosen: 1, correctChoice: 0, explanation: "It waits." },
    ],
  };
  const html = renderToStaticMarkup(createElement(QuizForm, { questions, submit, initial }));
  expect(html).toContain("You got 1 of 2 right");
  expect(html).toMatch(/<strong>Correct\.<\/strong> SIGTERM first\./);
  expect(html).toMatch(/<strong>Not quite\.<\/strong> It waits\./);
  expect(html).toContain("Correct answer");
  expect(html).toContain("Try again");
  expect(html).not.toContain("Check answers");
});

test("`backticks` in quiz text render as code", () => {
  const html = renderToStaticMarkup(
    createElement(QuizForm, { questions: [{ id: "a", prompt: "Run `ls -la`?", choices: ["`yes`", "no"] }], submit }),
  );
  expect(html).toContain("Run <code>ls -la</code>?");
  expect(html).toContain("<span><code>yes</code></span>");
});
