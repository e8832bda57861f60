import { expect, test } from "vitest";
import { failWith, requireObject } from "@/lib/checks/kit";
import { contextWith } from "@/lib/checks/kinds/test-helpers";
import { defineChecks, type CheckDefinition } from "./define";

const base = { points: 5, hints: ["a hint"], kind: "custom" as const };

test("a custom check ends with a fail outcome through the kit; other throws stay errors for the grader", async () => {
  const [early, missing, crash] = defineChecks([
    { ...base, id: "early", title: "E", run: async () => failWith("Not yet: write the file.", ["line 3"]) },
    { ...base, id: "missing", title: "M", needsCluster: true, run: async (ctx) => (await requireObject(ctx, { apiVersion: "v1", kind: "Service", name: "web" }), { status: "pass", message: "" }) },
    { ...base, id: "crash", title: "C", run: async () => { throw new TypeError("bug"); } },
  ]) as Array<Extract<CheckDefinition, { kind: "custom" }>>;
  expect(await early!.run(contextWith({}))).toEqual({ status: "fail", message: "Not yet: write the file.", details: ["line 3"] });
  expect(await missing!.run(contextWith({}, []))).toMatchObject({ status: "fail", message: expect.stringContaining('There is no Service "web" in your namespace lab-test') });
  await expect(crash!.run(contextWith({}))).rejects.toThrow(TypeError);
});

test("definitions are frozen, and a custom check without run is left for content:check to report", () => {
  const [check] = defineChecks([{ ...base, id: "x", title: "X" } as unknown as CheckDefinition]);
  expect(Object.isFrozen(check)).toBe(true);
  expect(Object.isFrozen(check!.hints)).toBe(true);
  expect((check as { run?: unknown }).run).toBeUndefined();
});
