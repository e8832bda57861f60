import { expect, test } from "vitest";
import { dockerfileKinds, isIgnored, parseDockerignore } from "./kinds/dockerfile";
import { ValueRule, judgeValue } from "./kinds/kind";
import { contextWith } from "./kinds/test-helpers";
import { learnerPattern, patternProblem } from "./pattern";

// Review finding H2: inputs that made the old regexes backtrack for seconds. On RE2 each takes
// milliseconds; the bound here is loose so a busy machine does not fail it.
const FAST_MS = 1_500;

function timed<T>(work: () => T): { value: T; ms: number } {
  const started = performance.now();
  const value = work();
  return { value, ms: performance.now() - started };
}

test("an exponential pattern from a lab runs in linear time on crafted text", () => {
  const { value, ms } = timed(() => judgeValue(`${"a".repeat(50_000)}!`, ValueRule.parse({ path: "x", matches: "^(a+)+$" })));
  expect(value).toContain("expected text matching");
  expect(ms).toBeLessThan(FAST_MS);
});

test("dockerfile install detection is linear on `RUN go go go …`", async () => {
  const text = `FROM python:3.12-slim\nRUN ${"go ".repeat(21_000)}\nCOPY . .\n`;
  const spec = dockerfileKinds["dockerfile.dependenciesFirst"];
  const started = performance.now();
  const outcome = await spec.run(spec.params.parse({ manifests: ["requirements.txt"] }), contextWith({ Dockerfile: text }));
  expect(outcome.status).not.toBe("error");
  expect(performance.now() - started).toBeLessThan(FAST_MS);
});

test("a learner's .dockerignore becomes an RE2 pattern: `*a*a*a…` stays linear", () => {
  const rules = parseDockerignore(`${"*a".repeat(30)}b\n`);
  const { value, ms } = timed(() => isIgnored(rules, "a".repeat(20_000)));
  expect(value).toBe(false);
  expect(ms).toBeLessThan(FAST_MS);
  expect(isIgnored(parseDockerignore("**/*.pyc\n!keep.pyc\n"), "src/x.pyc")).toBe(true);
});

test("patterns RE2 cannot run (backreferences, lookaround) are refused with a reason", () => {
  expect(patternProblem("(a)\\1")).toContain("RE2");
  expect(patternProblem("x(?=y)")).toContain("RE2");
  expect(patternProblem("^\\d+\\.\\d+$")).toBeNull();
  expect(ValueRule.safeParse({ path: "x", matches: "(?<=a)b" }).success).toBe(false);
  expect(learnerPattern("^(\\d+)\\.(\\d+)$").exec("3.12")).toEqual(["3.12", "3", "12"]);
  expect(learnerPattern("A", "i").test("a")).toBe(true);
  expect(learnerPattern("^b", "m").test("a\nb")).toBe(true);
});
