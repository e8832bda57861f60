import { expect, test } from "vitest";
import { contextWith } from "./kinds/test-helpers";
import { CheckFailed, failWith, isOutcome, pass, requireFile, requireObject, requireStructured, waitFor, withKit } from "./kit";
import type { AnyObject, CheckContext, CheckOutcome } from "./types";

const settings: AnyObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings" }, data: { A: "1" } };

test("withKit turns CheckFailed into the fail outcome and leaves other errors to the grader", async () => {
  const failing = withKit(async (_ctx: CheckContext) => failWith("No Service yet.", ["line 1"]));
  expect(await failing(contextWith({}))).toEqual({ status: "fail", message: "No Service yet.", details: ["line 1"] });
  const crashing = withKit(async (_ctx: CheckContext): Promise<CheckOutcome> => {
    throw new TypeError("x is undefined");
  });
  await expect(crashing(contextWith({}))).rejects.toThrow(TypeError);
  expect(new CheckFailed("m")).toBeInstanceOf(Error);
});

test("requireObject returns the typed object or fails naming kind, name, namespace and what to do", async () => {
  const ctx = contextWith({}, [settings]);
  const cm = await requireObject(ctx, { apiVersion: "v1", kind: "ConfigMap", name: "settings" });
  expect(cm.data?.A).toBe("1");
  const reading = (c: CheckContext, hint?: string) => withKit(async () => (await requireObject(c, { apiVersion: "batch/v1", kind: "Job", name: "nightly" }, hint), pass("found")))();
  const outcome = await reading(ctx, "Apply `k8s/job.yaml`.");
  expect(outcome).toEqual({ status: "fail", message: 'There is no Job "nightly" in your namespace lab-test. Apply `k8s/job.yaml`.' });
  // A check that reads the cluster in a lab without one is a lab bug: a check error, not a fail.
  await expect(reading(contextWith({}))).rejects.toThrow(/no cluster/);
});

test("requireFile and requireStructured fail with the file, the line and what to do", async () => {
  const ctx = contextWith({ "a.yaml": "a: [1, 2\n", "b.json": '{"x": 1}', "c.yaml": "- 1\n", "empty.yaml": "  \n" });
  const outcome = (f: (ctx: CheckContext) => unknown) => withKit(async (c: CheckContext) => (f(c), { status: "pass" as const, message: "" }))(ctx);
  expect((await outcome((c) => requireFile(c, "empty.yaml"))).message).toBe("`empty.yaml` is empty. Write it in the editor, save, and check again.");
  expect((await outcome((c) => requireStructured(c, "a.yaml", { fix: "Fix it first." }))).message).toMatch(/^`a\.yaml` line \d: not valid YAML.*Fix it first\.$/);
  expect((await outcome((c) => requireStructured(c, "c.yaml", { expect: "mapping" }))).message).toContain("is not a mapping");
  expect(requireStructured<{ x: number }>(ctx, "b.json").x).toBe(1);
});

test("waitFor returns the first value, gives up at its deadline, and stops when the check is aborted", async () => {
  let calls = 0;
  expect(await waitFor(contextWith({}), async () => ++calls >= 3 && calls, { timeoutMs: 2000, intervalMs: 10 })).toBe(3);
  const started = Date.now();
  expect(await waitFor(contextWith({}), async () => null, { timeoutMs: 100, intervalMs: 30 })).toBeNull();
  expect(Date.now() - started).toBeLessThan(1000);
  const controller = new AbortController();
  const ctx = { ...contextWith({}), signal: controller.signal };
  setTimeout(() => controller.abort(), 50);
  const abortedAt = Date.now();
  expect(await waitFor(ctx, async () => null, { timeoutMs: 10_000, intervalMs: 5000 })).toBeNull();
  expect(Date.now() - abortedAt).toBeLessThan(1000);
});

test("isOutcome tells outcomes from objects and parsed files", () => {
  expect(isOutcome({ status: "fail", message: "x" })).toBe(true);
  expect(isOutcome({ status: "pass", message: "x", details: [] })).toBe(true);
  expect(isOutcome(settings)).toBe(false);
  expect(isOutcome({ status: "pass", message: "x", metadata: { name: "pod" } })).toBe(false);
  expect(isOutcome({ status: "running", message: "x" })).toBe(false);
  expect(isOutcome(null)).toBe(false);
});
