import { expect, test } from "vitest";
import { defineChecks, type CheckDefinition } from "@/lib/labs/define";
import { runChecks, type CheckEnvironment } from "./grader";

const env: CheckEnvironment = { labId: "t", files: { "a.sh": "#!/bin/bash\nset -euo pipefail\n" }, namespace: null, cluster: null, dryRunAsLearner: null };
const base = { points: 5, hints: ["a hint"] };

test("results come back in definition order with points, hints only on failure", async () => {
  const checks = defineChecks([
    { ...base, id: "slow-pass", title: "Slow", kind: "custom", run: async () => { await new Promise((r) => setTimeout(r, 30)); return { status: "pass", message: "ok" }; } },
    { ...base, id: "fail", title: "Fail", kind: "custom", run: async () => ({ status: "fail", message: "nope", details: ["line 1"] }) },
    { ...base, id: "builtin", title: "Strict", kind: "shell.strictMode", params: { file: "a.sh" } },
  ]);
  const seen: string[] = [];
  const results = await runChecks({ checks }, env, (index, r) => seen.push(`${index}:${r.id}`));
  expect(seen).toEqual(["0:slow-pass", "1:fail", "2:builtin"]);
  expect(results.map((r) => [r.id, r.status, r.earned])).toEqual([["slow-pass", "pass", 5], ["fail", "fail", 0], ["builtin", "pass", 5]]);
  expect(results[1]).toMatchObject({ hints: ["a hint"], details: ["line 1"] });
  expect(results[0]!.hints).toBeUndefined();
});

test("a crashing check is a check error with details for instructors only in `internal`", async () => {
  const checks = defineChecks([{ ...base, id: "boom", title: "Boom", kind: "custom", run: async () => { throw new TypeError("cannot read x of undefined"); } }]);
  const [result] = await runChecks({ checks }, env);
  expect(result).toMatchObject({ status: "error", earned: 0 });
  expect(result!.message).toMatch(/error on our side, not in your work/);
  expect(result!.message).not.toContain("undefined");
  expect(result!.internal).toContain("TypeError: cannot read x of undefined");
});

test("a check that hangs is stopped at its timeout and its signal is aborted", async () => {
  let aborted = false;
  const checks = defineChecks([
    { ...base, id: "hang", title: "Hang", kind: "custom", timeoutMs: 100, run: (ctx) => new Promise(() => ctx.signal.addEventListener("abort", () => (aborted = true))) },
  ]);
  const started = performance.now();
  const [result] = await runChecks({ checks }, env);
  expect(performance.now() - started).toBeLessThan(1000);
  expect(result).toMatchObject({ status: "error", internal: "timeout after 100 ms" });
  expect(aborted).toBe(true);
});

test("a malformed outcome, bad params or an unknown kind are check errors, not exceptions", async () => {
  const checks = [
    { ...base, id: "weird", title: "W", kind: "custom", run: async () => ({ status: "maybe" }) },
    { ...base, id: "params", title: "P", kind: "shell.strictMode", params: {} },
    { ...base, id: "kind", title: "K", kind: "nope", params: {} },
  ] as unknown as CheckDefinition[];
  const results = await runChecks({ checks }, env);
  expect(results.map((r) => r.status)).toEqual(["error", "error", "error"]);
  expect(results[0]!.internal).toMatch(/invalid outcome/);
  expect(results[2]!.internal).toMatch(/Unknown check kind/);
});

test("a check cannot change the files other checks see", async () => {
  const checks = defineChecks([
    { ...base, id: "mutate", title: "M", kind: "custom", run: async (ctx) => { (ctx.files as Record<string, string>)["a.sh"] = "changed"; return { status: "pass", message: "" }; } },
    { ...base, id: "read", title: "R", kind: "custom", run: async (ctx) => ({ status: ctx.files["a.sh"] === "changed" ? "fail" : "pass", message: "" }) },
  ]);
  const results = await runChecks({ checks }, env);
  expect(results[0]!.status).toBe("error");
  expect(results[1]!.status).toBe("pass");
});

test("cluster checks without a sandbox fail with what to do", async () => {
  const checks = defineChecks([{ ...base, id: "exists", title: "E", kind: "k8s.exists", params: { apiVersion: "v1", kind: "Service", name: "s" } }]);
  const [result] = await runChecks({ checks }, env);
  expect(result).toMatchObject({ status: "fail", message: expect.stringContaining("Start the sandbox") });
});
