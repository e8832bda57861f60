import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { expect, test } from "vitest";
import type { AttemptView } from "@/lib/workspace/views";
import { ChecksList, checkLabel, scoreText, waitingText } from "./checks-list";
import type { CheckResult } from "./types";

const checks = [
  { id: "pinned", title: "The base image is pinned", points: 10 },
  { id: "user", title: "Runs as a non-root user", points: 5 },
];

const failed: CheckResult = {
  id: "pinned",
  title: "The base image is pinned",
  status: "fail",
  points: 10,
  earned: 0,
  message: "`FROM python` has no tag.",
  hints: ["Use a digest."],
  durationMs: 3,
};

function attempt(results: CheckResult[], overrides: Partial<AttemptView> = {}): AttemptView {
  return {
    id: 1,
    seq: 1,
    labId: "lab",
    createdAt: "2026-12-01T10:00:00.000Z",
    score: 0,
    maxScore: 15,
    completed: false,
    durationMs: 10,
    filesSha256: "ab".repeat(32),
    results,
    step: null,
    completedSteps: [],
    ...overrides,
  };
}

test("a check's label says what happened to it, or that it waits while grading runs", () => {
  expect(checkLabel("pass", false)).toBe("Passed");
  expect(checkLabel("fail", true)).toBe("Failed");
  expect(checkLabel("error", false)).toBe("Check error");
  expect(checkLabel(undefined, true)).toBe("Waiting");
  expect(checkLabel(undefined, false)).toBe("Not run");
});

test("the score says how many checks pass, or that the lab is complete", () => {
  const passed = { ...failed, id: "user", status: "pass" as const, earned: 5 };
  expect(scoreText(attempt([failed, passed], { score: 5 }))).toBe("Score: 5 of 15 points — 1 of 2 checks pass.");
  expect(scoreText(attempt([passed], { score: 15, completed: true }))).toBe("Score: 15 of 15 points — lab complete. Well done.");
});

test("between runs the last attempt is shown with its reasons, hints and score", () => {
  const last = attempt([failed]);
  const html = renderToStaticMarkup(
    createElement(ChecksList, { grading: false, error: "", checks, results: last.results, showingLastAttempt: true, lastAttempt: last }),
  );
  expect(html).toContain("Your last attempt,");
  expect(html).toMatch(/data-testid="check-pinned".*Failed.*0\/10 pts.*<code>FROM python<\/code> has no tag\..*Hint:.*Use a digest\./);
  expect(html).toMatch(/data-testid="check-user".*Not run.*5 pts/);
  expect(html).toMatch(/data-testid="score"[^>]*>Score: 0 of 15 points — 0 of 1 checks pass\./);
});

test("while grading runs, progress is counted, unfinished checks wait, and no score is shown", () => {
  const html = renderToStaticMarkup(
    createElement(ChecksList, { grading: true, error: "", checks, results: [failed], showingLastAttempt: false, lastAttempt: attempt([]) }),
  );
  expect(html).toContain('aria-busy="true"');
  expect(html).toContain("Checking your work: 1 of 2 checks done…");
  expect(html).toMatch(/data-testid="check-user".*Waiting/);
  expect(html).not.toContain('data-testid="score"');
  expect(html).not.toContain("Your last attempt");
});

test("a check that waits shows what it waits for, for how long, and what it found last; the status line names it once", () => {
  const waiting = { user: { what: "the rollout of model-server", elapsedSeconds: 12, seconds: 60, message: "1 of 2 replicas `available`." } };
  const html = renderToStaticMarkup(
    createElement(ChecksList, { grading: true, error: "", checks, results: [failed], waiting, showingLastAttempt: false, lastAttempt: null }),
  );
  expect(html).toContain("Checking your work: 1 of 2 checks done… Waiting for the rollout of model-server (up to 60 s).");
  expect(html).toMatch(/data-testid="check-user".*Waiting.*data-testid="check-user-waiting".*Waiting for the rollout of model-server \(12 s of 60 s\).*1 of 2 replicas <code>available<\/code>\./);
  expect(html).toContain('class="check-row check-waiting"');
  expect(waitingText({ what: "the Job churn-scoring", elapsedSeconds: 0, seconds: 40 })).toBe("Waiting for the Job churn-scoring (0 s of 40 s)");
});

test("in a lab with steps the score speaks of the step: its checks, or that it is complete", () => {
  const passed = { ...failed, id: "user", status: "pass" as const, earned: 5 };
  expect(scoreText(attempt([failed, passed], { score: 5, step: "create" }))).toBe("Score: 5 of 15 points — 1 of 2 checks of this step pass.");
  expect(scoreText(attempt([passed], { score: 5, step: "create", completedSteps: ["create"] }))).toBe("Score: 5 of 15 points — step complete: the next step is open.");
  expect(scoreText(attempt([passed], { score: 15, step: "scale", completedSteps: ["create", "scale"], completed: true }))).toBe(
    "Score: 15 of 15 points — lab complete. Well done.",
  );
});

test("the heading names the current step; the next step's setup is shown while it runs, and its failure as an alert", () => {
  const html = renderToStaticMarkup(
    createElement(ChecksList, { grading: true, error: "", checks, results: [], showingLastAttempt: false, lastAttempt: null, stepTitle: "Scale it down", progress: "Setting up the lab: ConfigMap web-debug…" }),
  );
  expect(html).toContain("Checks of this step: Scale it down");
  expect(html).toContain("Setting up the lab: ConfigMap web-debug…");
  const failedSetup = renderToStaticMarkup(
    createElement(ChecksList, { grading: false, error: "", checks, results: [], showingLastAttempt: false, lastAttempt: null, setupError: "The next step's starting objects could not be created." }),
  );
  expect(failedSetup).toMatch(/role="alert">The next step&#x27;s starting objects could not be created\./);
});
