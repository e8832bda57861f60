// Which checks an attempt of a lab with steps runs, and what it records: the current step only;
// a completed step stays completed; the score is the completed steps' points plus the current
// attempt's; the lab completes with its last step. A lab without steps is graded as one.
import { expect, test } from "vitest";
import type { StoredCheckResult } from "@/lib/db/schema";
import type { CheckDefinition } from "@/lib/labs/define";
import type { LabStep } from "@/lib/labs/registry";
import { attemptOutcome, gradingPlan } from "./steps";

const check = (id: string, points: number): CheckDefinition => ({ id, title: id, points, hints: ["h"], kind: "k8s.exists", params: {} }) as unknown as CheckDefinition;
const a = check("a", 5);
const b = check("b", 10);
const c = check("c", 10);
const step = (id: string, checks: CheckDefinition[]): LabStep => ({ id, title: id, checks, points: checks.reduce((s, x) => s + x.points, 0), body: "", file: "", setup: null });
const lab = { checks: [a, b, c], steps: [step("create", [a, b]), step("scale", [c])] };
const plain = { checks: [a, b, c], steps: [] };

const result = (def: CheckDefinition, pass: boolean): StoredCheckResult => ({
  id: def.id,
  title: def.title,
  status: pass ? "pass" : "fail",
  points: def.points,
  earned: pass ? def.points : 0,
  message: "",
  durationMs: 1,
});

test("a lab without steps runs every check and completes when all pass", () => {
  const plan = gradingPlan(plain, []);
  expect(plan).toEqual({ step: null, completedBefore: [], checks: [a, b, c] });
  expect(attemptOutcome(plain, plan, [result(a, true), result(b, false), result(c, true)])).toEqual({ step: null, completedSteps: [], score: 15, completed: false, unlocked: null });
  expect(attemptOutcome(plain, plan, [result(a, true), result(b, true), result(c, true)])).toMatchObject({ score: 25, completed: true });
});

test("the first step is graded alone; its partial score counts, and it completes when all its checks pass", () => {
  const plan = gradingPlan(lab, []);
  expect(plan.step?.id).toBe("create");
  expect(plan.checks).toEqual([a, b]);
  expect(attemptOutcome(lab, plan, [result(a, true), result(b, false)])).toEqual({ step: "create", completedSteps: [], score: 5, completed: false, unlocked: null });
  expect(attemptOutcome(lab, plan, [result(a, true), result(b, true)])).toEqual({ step: "create", completedSteps: ["create"], score: 15, completed: false, unlocked: "scale" });
});

test("after a step completes, the next is graded; the earlier one keeps its points whatever the cluster now says", () => {
  const plan = gradingPlan(lab, ["create"]);
  expect(plan).toMatchObject({ step: { id: "scale" }, completedBefore: ["create"], checks: [c] });
  expect(attemptOutcome(lab, plan, [result(c, false)])).toEqual({ step: "scale", completedSteps: ["create"], score: 15, completed: false, unlocked: null });
  expect(attemptOutcome(lab, plan, [result(c, true)])).toEqual({ step: "scale", completedSteps: ["create", "scale"], score: 25, completed: true, unlocked: null });
});

test("once every step is done, a check grades the last step again and takes nothing back", () => {
  const plan = gradingPlan(lab, ["scale", "create"]);
  expect(plan).toMatchObject({ step: { id: "scale" }, completedBefore: ["create", "scale"] });
  expect(attemptOutcome(lab, plan, [result(c, false)])).toEqual({ step: "scale", completedSteps: ["create", "scale"], score: 25, completed: true, unlocked: null });
});

test("recorded steps the lab no longer has are dropped, and steps complete in order", () => {
  expect(gradingPlan(lab, ["renamed", "create"])).toMatchObject({ step: { id: "scale" }, completedBefore: ["create"] });
  // A record that skipped a step (an edited chain would be caught by verification) still grades the first open one.
  expect(gradingPlan(lab, ["scale"]).step?.id).toBe("create");
});

test("a step whose checks are all missing (a fixture's narrowed registry) never completes on nothing", () => {
  const empty = { checks: [], steps: [step("create", [])] };
  expect(attemptOutcome(empty, gradingPlan(empty, []), [])).toMatchObject({ completedSteps: [], completed: false });
});
