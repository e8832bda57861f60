import { expect, test } from "vitest";
import { gradeQuiz, gradeQuizSubmission, publicQuiz } from "./quiz";
import { writeCurriculum } from "./test-fixtures";

const root = writeCurriculum();
const options = { root, cacheDir: null };

test("publicQuiz gives the questions without answers or explanations", () => {
  const questions = publicQuiz({ moduleSlug: "linux", slug: "signals" }, options);
  expect(questions).toEqual([
    { id: "first", prompt: "First?", choices: ["a", "b"] },
    { id: "second", prompt: "Second?", choices: ["a", "b", "c"] },
  ]);
  expect(publicQuiz({ moduleSlug: "linux", slug: "nope" }, options)).toBeNull();
});

test("gradeQuiz scores the answers and explains each question", () => {
  expect(gradeQuiz("linux", "signals", { first: 0, second: 1 }, options)).toEqual({
    score: 1,
    total: 2,
    results: [
      { id: "first", correct: true, chosen: 0, correctChoice: 0, explanation: "Because a." },
      { id: "second", correct: false, chosen: 1, correctChoice: 2, explanation: "Because c." },
    ],
  });
});

test("an unanswered question counts as wrong", () => {
  const result = gradeQuiz("linux", "signals", { second: 2 }, options);
  expect(result).toMatchObject({ score: 1, total: 2, results: [{ id: "first", correct: false, chosen: null }, { correct: true }] });
});

test("answers that the form could not have sent give an error, not a crash", () => {
  expect(gradeQuiz("linux", "signals", { nope: 0 }, options)).toEqual({
    error: 'This quiz has no question "nope"; reload the page and try again.',
  });
  expect(gradeQuiz("linux", "signals", { first: 2 }, options)).toEqual({
    error: 'Question "first" has no choice 2; reload the page and try again.',
  });
  expect(gradeQuiz("linux", "signals", { first: -1 }, options)).toHaveProperty("error");
  expect(gradeQuiz("linux", "signals", { first: "0" }, options)).toHaveProperty("error");
  expect(gradeQuiz("linux", "signals", null, options)).toHaveProperty("error");
  expect(gradeQuiz("linux", "nope", { first: 0 }, options)).toEqual({ error: "There is no lesson linux/nope." });
});

test("an empty or partial submission reveals no answer it did not earn", () => {
  const empty = gradeQuiz("linux", "signals", {}, options);
  expect(empty).toMatchObject({ score: 0, total: 2 });
  if ("error" in empty) throw new Error(empty.error);
  for (const result of empty.results) {
    expect(result).toEqual({ id: result.id, correct: false, chosen: null, correctChoice: null, explanation: null });
  }
  const partial = gradeQuiz("linux", "signals", { second: 0 }, options);
  if ("error" in partial) throw new Error(partial.error);
  expect(partial.results[0]).toMatchObject({ id: "first", correctChoice: null, explanation: null });
  expect(partial.results[1]).toMatchObject({ id: "second", correctChoice: 2, explanation: "Because c." });
});

test("a new submission must answer every question, as the form does", () => {
  expect(gradeQuizSubmission("linux", "signals", {}, options)).toEqual({
    error: "Answer every question first: 2 still have no answer.",
  });
  expect(gradeQuizSubmission("linux", "signals", { first: 1 }, options)).toEqual({
    error: "Answer every question first: 1 still has no answer.",
  });
  expect(gradeQuizSubmission("linux", "signals", { first: 0, second: 2 }, options)).toMatchObject({ score: 2, total: 2 });
});
