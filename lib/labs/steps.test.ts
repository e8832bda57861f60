// content:check's rules for a lab's steps (docs/lab-format.md, "Steps"), each reported at its file
// and line: every check in exactly one step, step ids unique, checks that exist, each step's text
// in steps/<id>.mdx and no text without a step, step setup only with a sandbox and not on the first
// step, step solutions for real steps and lab files, fixtures that name their step.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { formatProblem } from "@/lib/content/check";
import { checkLabs } from "./check";
import { defineChecks, type CheckDefinition } from "./define";
import { getLab, sandboxSetup, unlockedSteps } from "./registry";
import { stepSolution } from "./steps";

let dir: string;

const LAB_MDX = `---
title: Stepped lab
module: kubernetes
summary: A lab for tests.
difficulty: beginner
minutes: 10
sandbox: small
files:
  - path: k8s/app.yaml
    language: yaml
    apply: true
steps:
  - id: create
    title: Create it
    checks: [exists, three]
  - id: scale
    title: Scale it
    checks: [one]
    setup: steps/scale/setup
---

Introduction.
`;

const ref = { apiVersion: "apps/v1", kind: "Deployment", name: "web" };
const checks: readonly CheckDefinition[] = defineChecks([
  { id: "exists", title: "Exists", points: 5, hints: ["h"], kind: "k8s.exists", params: ref },
  { id: "three", title: "Three", points: 5, hints: ["h"], kind: "k8s.field", params: { ...ref, path: "spec.replicas", equals: 3 } },
  { id: "one", title: "One", points: 5, hints: ["h"], kind: "k8s.field", params: { ...ref, path: "spec.replicas", equals: 1 } },
]);
const CHECKS_TS = `export const checks = defineChecks([\n  { id: "exists" },\n  { id: "three" },\n  { id: "one" },\n]);\n`;
const deployment = (replicas: number) => `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: ${replicas}\n`;

function write(rel: string, text: string) {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), text);
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "labs-steps-"));
  write("content/kubernetes/index.mdx", "---\ntitle: Kubernetes\n---\n");
  write("labs/index.ts", 'export const LAB_REGISTRY = {\n  "stepped-lab": stepped,\n};\n');
  write("labs/stepped-lab/lab.mdx", LAB_MDX);
  write("labs/stepped-lab/checks.ts", CHECKS_TS);
  write("labs/stepped-lab/starter/k8s/app.yaml", deployment(1));
  write("labs/stepped-lab/solution/k8s/app.yaml", deployment(1));
  write("labs/stepped-lab/solution/steps/create/k8s/app.yaml", deployment(3));
  write("labs/stepped-lab/steps/create.mdx", "Create the Deployment with three replicas.\n");
  write("labs/stepped-lab/steps/scale.mdx", "Scale it to one.\n");
  write("labs/stepped-lab/steps/scale/setup/config.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: debug\n");
});

afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const lines = (registry: Record<string, readonly CheckDefinition[]> = { "stepped-lab": checks }) =>
  checkLabs({ root: path.join(dir, "labs"), contentRoot: path.join(dir, "content"), registry }).problems.map((p) => formatProblem(p, dir));

const mdx = (from: string, to: string) => write("labs/stepped-lab/lab.mdx", LAB_MDX.replace(from, to));

test("a complete lab with steps has no problems, and loads with its steps, their text and setup", () => {
  expect(lines()).toEqual([]);
  const lab = getLab("stepped-lab", { root: path.join(dir, "labs"), registry: { "stepped-lab": checks } })!;
  expect(lab.steps.map((s) => [s.id, s.title, s.checks.map((c) => c.id), s.points, s.setup])).toEqual([
    ["create", "Create it", ["exists", "three"], 10, null],
    ["scale", "Scale it", ["one"], 5, "steps/scale/setup"],
  ]);
  expect(lab.steps[0]!.body).toBe("Create the Deployment with three replicas.\n");
  // The setup of a sandbox follows the learner's progress: the scale step's objects once it is unlocked.
  expect(sandboxSetup(lab, []).map((f) => f.file)).toEqual([]);
  expect(sandboxSetup(lab, ["create"]).map((f) => f.file)).toEqual(["steps/scale/setup/config.yaml"]);
  expect(unlockedSteps(lab, ["create", "scale"]).map((s) => s.id)).toEqual(["create", "scale"]);
  // Step solutions: the overlay for create, solution/ as it is for scale.
  expect(stepSolution(lab, "create").files["k8s/app.yaml"]).toBe(deployment(3));
  expect(stepSolution(lab, "scale")).toEqual({ files: { "k8s/app.yaml": deployment(1) }, removeObjects: [] });
});

test("a check in no step, in two steps, or a step naming an unknown check", () => {
  mdx("checks: [one]", "checks: [one, three, ghost]");
  expect(lines()).toEqual([
    'labs/stepped-lab/lab.mdx:18:1 — check "three" is in steps "create" and "scale"; each check is in exactly one step',
    'labs/stepped-lab/lab.mdx:18:1 — step "scale" names check "ghost", which is not in checks.ts (its checks: exists, three, one)',
  ]);
  mdx("checks: [exists, three]", "checks: [exists]");
  expect(lines()).toEqual(['labs/stepped-lab/checks.ts:3:1 — check "three" is in no step: add it to the `checks` of one step in lab.mdx']);
});

test("a missing step text, a text without a step, and step text with frontmatter", () => {
  fs.rmSync(path.join(dir, "labs/stepped-lab/steps/scale.mdx"));
  write("labs/stepped-lab/steps/old.mdx", "Gone.\n");
  write("labs/stepped-lab/steps/create.mdx", "---\ntitle: x\n---\nText\n");
  expect(lines()).toEqual([
    "labs/stepped-lab/steps/create.mdx:1:1 — steps/create.mdx has frontmatter; a step's title and checks are in lab.mdx, its file is only the text",
    'labs/stepped-lab/lab.mdx:16:1 — step "scale" has no text: add steps/scale.mdx (MDX, no frontmatter)',
    "labs/stepped-lab/steps/old.mdx:1:1 — steps/old.mdx belongs to no step (the lab's steps: create, scale); rename it or remove it",
  ]);
});

test("duplicate step ids, a step without checks, and setup on a lab without a sandbox or on the first step", () => {
  mdx("  - id: scale", "  - id: create");
  expect(lines()).toContainEqual(expect.stringMatching(/lab\.mdx:16:\d+ — frontmatter `steps\[1\]\.id` step id "create" is used twice \(first by step 1\)/));
  mdx("checks: [one]", "checks: []");
  expect(lines()).toContainEqual(expect.stringMatching(/lab\.mdx:18:\d+ — frontmatter `steps\[1\]\.checks` needs at least one check/));
  write("labs/stepped-lab/lab.mdx", LAB_MDX.replace("sandbox: small", "sandbox: none").replace("    apply: true\n", ""));
  expect(lines()).toContainEqual(expect.stringMatching(/lab\.mdx:18:\d+ — frontmatter `steps\[1\]\.setup` needs a sandbox/));
  mdx("    checks: [exists, three]\n", "    checks: [exists, three]\n    setup: steps/scale/setup\n");
  expect(lines()).toContainEqual(expect.stringMatching(/frontmatter `steps\[0\]\.setup` the first step unlocks when the sandbox starts/));
});

test("a step's setup folder follows the lab setup's rules", () => {
  write("labs/stepped-lab/steps/scale/setup/role.yaml", "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: r\n");
  expect(lines()).toEqual([expect.stringMatching(/^labs\/stepped-lab\/steps\/scale\/setup\/role\.yaml:1:1 — Document 1 \(Role "r"\): Role is not a kind a lab can set up/)]);
});

test("step solutions name a step of the lab and hold its lab files and step.yaml only", () => {
  write("labs/stepped-lab/solution/steps/rename/k8s/app.yaml", deployment(2));
  write("labs/stepped-lab/solution/steps/scale/notes.txt", "x");
  write("labs/stepped-lab/solution/steps/scale/step.yaml", "removeObjects:\n  - kind: Role\n    name: r\n");
  const out = lines();
  expect(out).toContainEqual("labs/stepped-lab/solution/steps/rename:1:1 — solution/steps/rename/ names no step of the lab (its steps: create, scale)");
  expect(out).toContainEqual(expect.stringMatching(/solution\/steps\/scale\/notes\.txt:1:1 — notes\.txt is not an editable file of the lab/));
  expect(out).toContainEqual(expect.stringMatching(/solution\/steps\/scale\/step\.yaml:1:1 — removeObjects\.0\.kind: must be one of Deployment/));
});

test("a steps/ folder in a lab without steps is a problem", () => {
  write("labs/stepped-lab/lab.mdx", LAB_MDX.replace(/steps:\n[\s\S]*?---/, "---"));
  fs.rmSync(path.join(dir, "labs/stepped-lab/solution/steps"), { recursive: true });
  expect(lines()).toEqual(["labs/stepped-lab/steps:1:1 — steps/ holds the text of each step, but lab.mdx declares no `steps`"]);
});

test("a fixture of a lab with steps names its step, and its checks are that step's", () => {
  write("labs/stepped-lab/fixtures/two/fixture.yaml", "description: Two replicas\nstep: create\nmustFail: [three]\nedits:\n  - file: k8s/app.yaml\n    find: 'replicas: 3'\n    replace: 'replicas: 2'\n");
  expect(lines()).toEqual([]);
  write("labs/stepped-lab/fixtures/no-step/fixture.yaml", "description: No step\nmustFail: [three]\nedits:\n  - file: k8s/app.yaml\n    find: 'replicas: 1'\n    replace: 'replicas: 2'\n");
  write("labs/stepped-lab/fixtures/wrong-step/fixture.yaml", "description: Wrong step\nstep: scale\nmustFail: [three]\nedits:\n  - file: k8s/app.yaml\n    find: 'replicas: 1'\n    replace: 'replicas: 2'\n");
  write("labs/stepped-lab/fixtures/same/fixture.yaml", "description: Same as the step\nstep: create\nmustFail: [three]\n");
  const out = lines();
  expect(out).toContainEqual(expect.stringMatching(/fixtures\/no-step\/fixture\.yaml:1:1 — `step` is missing: the lab has steps \(create, scale\)/));
  expect(out).toContainEqual(expect.stringMatching(/fixtures\/wrong-step\/fixture\.yaml:3:1 — `mustFail` names check "three", which is not a check of step "scale" \(its checks: one\)/));
  expect(out).toContainEqual(expect.stringMatching(/fixtures\/same\/fixture\.yaml:1:1 — the fixture changes nothing/));
});
