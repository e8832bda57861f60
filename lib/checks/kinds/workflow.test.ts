import fs from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { contextWith } from "./test-helpers";
import { commandRuns, requireWorkflow, softened, waitsFor, workflowKinds } from "./workflow";

const file = ".github/workflows/ci.yml";
const lab = path.join(process.cwd(), "labs/ci-pipeline-for-a-model");
const solution = fs.readFileSync(path.join(lab, "solution", file), "utf8");
const starter = fs.readFileSync(path.join(lab, "starter", file), "utf8");

async function run<K extends keyof typeof workflowKinds>(kind: K, params: Record<string, unknown>, text: string) {
  const spec = workflowKinds[kind];
  return spec.run(spec.params.parse({ file, ...params }) as never, contextWith({ [file]: text }));
}

const PYTHON = { tool: "Python", action: "actions/setup-python", input: "python-version", min: "3.11" };

test("the lab's solution passes every workflow kind and its starter fails each", async () => {
  const cases = [
    ["workflow.triggers", { events: ["push", "pull_request"] }],
    ["workflow.readOnlyToken", {}],
    ["workflow.actionsPinned", {}],
    ["workflow.setupPinned", PYTHON],
    ["workflow.timeouts", { maxMinutes: 30 }],
  ] as const;
  for (const [kind, params] of cases) {
    expect(await run(kind, params, solution), kind).toMatchObject({ status: "pass" });
    expect(await run(kind, params, starter), kind).toMatchObject({ status: "fail" });
  }
});

describe("what each kind says", () => {
  test("triggers name the missing event", async () => {
    expect((await run("workflow.triggers", { events: ["push", "pull_request"] }, starter)).message).toBe("The workflow runs on `push`, not on `pull_request`.");
  });
  test("the token: none, write scopes at the top, write-all on a job", async () => {
    expect((await run("workflow.readOnlyToken", {}, solution.replace("permissions:\n  contents: read\n", ""))).message).toContain("no top-level `permissions`");
    expect((await run("workflow.readOnlyToken", {}, solution.replace("permissions:\n  contents: read\n", "permissions:\n  contents: read\n  issues: write\n"))).message).toContain("grants write access (issues)");
    expect((await run("workflow.readOnlyToken", {}, solution.replace("    permissions:\n      contents: read\n      packages: write\n", "    permissions: write-all\n"))).message).toContain("`deploy` asks for `write-all`");
  });
  test("actions pinned by tag are listed", async () => {
    const outcome = await run("workflow.actionsPinned", {}, starter);
    expect(outcome.message).toMatch(/^4 action reference\(s\) can change under you: job `build`: `actions\/checkout@v7` is pinned to a tag or branch/);
    expect(outcome.details).toHaveLength(4);
  });
  test("setup versions: unquoted numbers, too old, a matrix that is not a list", async () => {
    expect((await run("workflow.setupPinned", PYTHON, starter)).message).toContain("`python-version` is the number 3.1; YAML reads unquoted versions as numbers");
    expect((await run("workflow.setupPinned", PYTHON, solution.replace('["3.11", "3.12"]', '["3.9", "3.12"]'))).message).toContain("Python 3.9 is older than the project supports (3.11)");
    expect((await run("workflow.setupPinned", PYTHON, solution.replace('["3.11", "3.12"]', '"3.12"'))).message).toContain("`matrix.python-version` is not a list of versions");
    expect((await run("workflow.setupPinned", PYTHON, solution)).message).toBe("Python is pinned (3.12, 3.11).");
  });
  test("timeouts: missing or above the bound", async () => {
    expect((await run("workflow.timeouts", { maxMinutes: 30 }, solution.replace("timeout-minutes: 10", "timeout-minutes: 90"))).message).toContain("`timeout-minutes: 90`; use a number from 1 to 30");
    expect((await run("workflow.timeouts", { maxMinutes: 30 }, starter)).details).toEqual([
      "job `build` has no `timeout-minutes` (the default is 6 hours)",
      "job `deploy` has no `timeout-minutes` (the default is 6 hours)",
    ]);
  });
  test("a file that is not a workflow", async () => {
    expect((await run("workflow.triggers", { events: ["push"] }, "on: push\n")).message).toBe("`.github/workflows/ci.yml` has no `jobs:`.");
    expect((await run("workflow.triggers", { events: ["push"] }, "- a\n")).message).toContain("is not a mapping");
  });
});

test("helpers: command runs, softened failures and what a job waits for", () => {
  const workflow = requireWorkflow(contextWith({ [file]: starter }), file);
  const lint = commandRuns(workflow, /flake8 \./);
  expect(lint.map((r) => [r.jobId, r.line])).toEqual([["build", "flake8 . || true"]]);
  expect(softened(lint[0]!)).toContain("ends in `||`");
  const solved = requireWorkflow(contextWith({ [file]: solution }), file);
  expect([...waitsFor(solved, "deploy")].sort()).toEqual(["lint", "test"]);
  expect(softened(commandRuns(solved, /pytest/)[0]!)).toBeNull();
});
