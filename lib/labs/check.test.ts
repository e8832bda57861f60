import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { formatProblem } from "@/lib/content/check";
import { checkLabs, checkLabTexts } from "./check";
import { defineChecks, type CheckDefinition } from "./define";

let dir: string;
let labs: string;
let content: string;

const LAB_MDX = `---
title: Fixture lab
module: linux
summary: A lab for tests.
difficulty: beginner
minutes: 10
sandbox: none
files:
  - path: run.sh
    language: shell
---

Do the thing.
`;

const CHECKS_TS = `import { defineChecks } from "@/lib/labs/define";
export const checks = defineChecks([
  {
    id: "strict",
    title: "Strict",
    points: 5,
    hints: ["set -euo pipefail"],
    kind: "shell.strictMode",
    params: { file: "run.sh" },
  },
  {
    id: "strict",
    title: "Again",
  },
]);
`;

function write(rel: string, text: string) {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), text);
}

const good: CheckDefinition[] = [{ id: "strict", title: "Strict", points: 5, hints: ["set -euo pipefail"], kind: "shell.strictMode", params: { file: "run.sh" } }];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "labs-check-"));
  labs = path.join(dir, "labs");
  content = path.join(dir, "content");
  write("content/linux/index.mdx", "---\ntitle: Linux\n---\n");
  write("labs/index.ts", 'export const LAB_REGISTRY = {\n  "fixture-lab": fixture,\n};\n');
  write("labs/fixture-lab/lab.mdx", LAB_MDX);
  write("labs/fixture-lab/checks.ts", CHECKS_TS);
  write("labs/fixture-lab/starter/run.sh", "#!/bin/bash\n");
  write("labs/fixture-lab/solution/run.sh", "#!/bin/bash\nset -euo pipefail\n");
});

afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const lines = (registry: Record<string, readonly CheckDefinition[]>) =>
  checkLabs({ root: labs, contentRoot: content, registry }).problems.map((p) => formatProblem(p, dir));

test("a complete lab has no problems", () => {
  expect(lines({ "fixture-lab": defineChecks(good) })).toEqual([]);
});

test("the launch labs in this repository are valid and registered", () => {
  const report = checkLabs({ root: path.join(process.cwd(), "labs"), contentRoot: path.join(process.cwd(), "content") });
  expect(report.problems.map((p) => formatProblem(p, process.cwd()))).toEqual([]);
  expect(report.labs).toBeGreaterThanOrEqual(4);
});

test("unknown check kind names the file, line and kind", () => {
  const bad = [{ ...good[0]!, kind: "k8s.doesNotExist" }] as unknown as CheckDefinition[];
  expect(lines({ "fixture-lab": bad })).toEqual([
    'labs/fixture-lab/checks.ts:4:1 — check "strict": unknown check kind "k8s.doesNotExist" (see docs/lab-format.md for the kinds)',
  ]);
});

test("duplicate check ids are reported", () => {
  const dup = [good[0]!, { ...good[0]!, title: "Again" }] as CheckDefinition[];
  expect(lines({ "fixture-lab": dup })).toContainEqual(expect.stringMatching(/checks\.ts:12:1 — duplicate check id "strict" \(first used on line 4\)/));
});

test("invalid params, files not in the lab and cluster kinds without a sandbox are reported", () => {
  const bad = [
    { ...good[0]!, params: { file: "other.sh" } },
    { id: "replicas", title: "R", points: 5, hints: ["h"], kind: "k8s.exists", params: { apiVersion: "v1", kind: "Pod" } },
  ] as unknown as CheckDefinition[];
  const out = lines({ "fixture-lab": bad });
  expect(out).toContainEqual(expect.stringContaining('check "strict" reads other.sh, which is not in the lab\'s `files`'));
  expect(out).toContainEqual(expect.stringContaining('check "replicas" (k8s.exists): params.name'));
  expect(out).toContainEqual(expect.stringContaining('check "replicas" needs the sandbox, but lab.mdx says `sandbox: none`'));
});

test("missing solution and missing listed files", () => {
  fs.rmSync(path.join(labs, "fixture-lab/solution"), { recursive: true });
  fs.rmSync(path.join(labs, "fixture-lab/starter/run.sh"));
  const out = lines({ "fixture-lab": defineChecks(good) });
  expect(out).toContain("labs/fixture-lab/lab.mdx:1:1 — missing solution/ folder: it holds the reference solution");
  expect(out).toContain("labs/fixture-lab/lab.mdx:9:1 — lists run.sh, but starter/run.sh is missing");
});

test("unknown module and bad frontmatter point at the line", () => {
  fs.writeFileSync(path.join(labs, "fixture-lab/lab.mdx"), LAB_MDX.replace("module: linux", "module: cooking"));
  expect(lines({ "fixture-lab": defineChecks(good) })).toEqual([
    'labs/fixture-lab/lab.mdx:3:1 — frontmatter `module` "cooking" is not a content module (known: linux)',
  ]);
  fs.writeFileSync(path.join(labs, "fixture-lab/lab.mdx"), LAB_MDX.replace("difficulty: beginner", "difficulty: easy").replace("  - path: run.sh", "  - path: ../run.sh"));
  const out = lines({ "fixture-lab": defineChecks(good) });
  expect(out).toContainEqual(expect.stringMatching(/lab\.mdx:5:\d+ — frontmatter `difficulty` must be one of beginner, intermediate, advanced/));
  expect(out).toContainEqual(expect.stringMatching(/lab\.mdx:9:\d+ — frontmatter `files\[0\]\.path` the path contains `\.\.`/));
});

test("the registry must match the folders", () => {
  write("labs/orphan-lab/lab.mdx", LAB_MDX);
  const out = lines({ "fixture-lab": defineChecks(good), "ghost-lab": defineChecks(good) });
  expect(out).toContain("labs/index.ts:1:1 — lab folder labs/orphan-lab/ is not in the registry: import its checks in labs/index.ts");
  expect(out).toContain('labs/index.ts:1:1 — the registry names lab "ghost-lab", but there is no folder labs/ghost-lab/');
});

test("unlisted starter files are reported", () => {
  write("labs/fixture-lab/starter/notes.txt", "x");
  expect(lines({ "fixture-lab": defineChecks(good) })).toEqual(["labs/fixture-lab/starter/notes.txt:1:1 — starter/notes.txt is not listed in the lab's `files`"]);
});

test("definitions are frozen", () => {
  const checks = defineChecks(good);
  expect(() => ((checks[0] as { points: number }).points = 100)).toThrow();
  expect(() => (checks as CheckDefinition[]).push(good[0]!)).toThrow();
});

test("a behaviour check in a lab whose pods do not really run is refused", () => {
  write("labs/fixture-lab/lab.mdx", LAB_MDX.replace("sandbox: none", "sandbox: small"));
  const http: CheckDefinition[] = [
    { id: "healthz", title: "Healthz", points: 5, hints: ["h"], kind: "http.request", params: { service: "s", port: 80, request: { path: "/healthz" } } },
  ];
  expect(lines({ "fixture-lab": defineChecks(http) })).toEqual([
    'labs/fixture-lab/checks.ts:1:1 — check "healthz" (http.request) observes pods that really run, but lab.mdx does not say `workloads: real`',
  ]);
  write("labs/fixture-lab/lab.mdx", LAB_MDX.replace("sandbox: none", "sandbox: small\nworkloads: real"));
  expect(lines({ "fixture-lab": defineChecks(http) })).toEqual([]);
});

const textLines = async (registry: Record<string, readonly CheckDefinition[]> = { "fixture-lab": defineChecks(good) }) =>
  (await checkLabTexts({ root: labs, contentRoot: content, registry })).map((p) => formatProblem(p, dir));

const RUNNABLE_BODY = "\n```bash runnable\nkubectl get pods\n```\n";

test("lab text: runnable blocks in a lab with a terminal pass; without a terminal they are errors that say why", async () => {
  fs.writeFileSync(path.join(labs, "fixture-lab/lab.mdx"), LAB_MDX + RUNNABLE_BODY);
  expect(await textLines()).toEqual([
    "labs/fixture-lab/lab.mdx:15:1 — `runnable` block, but this lab has no terminal (`sandbox: none`); remove `runnable`: the block keeps its Copy button",
  ]);
  const simulated = LAB_MDX.replace("sandbox: none", "sandbox: small");
  fs.writeFileSync(path.join(labs, "fixture-lab/lab.mdx"), simulated + RUNNABLE_BODY);
  expect(await textLines()).toEqual([
    "labs/fixture-lab/lab.mdx:15:1 — `runnable` block, but this lab has no terminal (its workloads are simulated; only `workloads: real` labs have one); remove `runnable`: the block keeps its Copy button",
  ]);
  fs.writeFileSync(path.join(labs, "fixture-lab/lab.mdx"), simulated.replace("sandbox: small", "sandbox: small\nworkloads: real") + RUNNABLE_BODY);
  expect(await textLines()).toEqual([]);
});

test("lab text: each step's text is compiled and checked like the lab's body, and reported at its own file", async () => {
  write("labs/fixture-lab/lab.mdx", LAB_MDX.replace("files:", "steps:\n  - id: only\n    title: Only step\n    checks: [strict]\nfiles:"));
  write("labs/fixture-lab/steps/only.mdx", "Run it:\n" + RUNNABLE_BODY + "\nSome {broken text\n");
  expect(await textLines()).toEqual([expect.stringMatching(/^labs\/fixture-lab\/steps\/only\.mdx:\d+:\d+ — MDX does not compile: /)]);
  write("labs/fixture-lab/steps/only.mdx", "Run it:\n" + RUNNABLE_BODY);
  expect(await textLines()).toEqual([
    "labs/fixture-lab/steps/only.mdx:3:1 — `runnable` block, but this lab has no terminal (`sandbox: none`); remove `runnable`: the block keeps its Copy button",
  ]);
});

test("lab text: a runnable block must be shell commands, not empty, and its meta words known; MDX errors have their line", async () => {
  const real = LAB_MDX.replace("sandbox: none", "sandbox: small\nworkloads: real");
  const body = [
    "",
    "```yaml runnable",
    "a: 1",
    "```",
    "",
    "```bash runnable",
    "",
    "```",
    "",
    "```console runnable",
    "output only",
    "```",
    "",
    "```sh runnable title=\"Look\" wrap",
    "kubectl get pods",
    "```",
    "",
  ].join("\n");
  fs.writeFileSync(path.join(labs, "fixture-lab/lab.mdx"), real + body);
  // The frontmatter ends on line 12 (one line longer for `workloads`).
  expect(await textLines()).toEqual([
    "labs/fixture-lab/lab.mdx:16:1 — `runnable` is for shell commands: fence the block as ```bash runnable (or sh, shell, console), not yaml",
    "labs/fixture-lab/lab.mdx:20:1 — `runnable` block is empty: write the command the learner runs",
    "labs/fixture-lab/lab.mdx:24:1 — `runnable` console block has no command: its commands are the lines that start with `$ `",
    'labs/fixture-lab/lab.mdx:28:1 — code block meta `wrap` is not known: a fence takes `title="…"` and `runnable`',
  ]);
  fs.writeFileSync(path.join(labs, "fixture-lab/lab.mdx"), `${LAB_MDX}\nSome {broken text\n`);
  expect(await textLines()).toEqual([expect.stringMatching(/^labs\/fixture-lab\/lab\.mdx:15:\d+ — MDX does not compile: /)]);
});

test("lab text: the labs in this repository pass, and a lab with broken frontmatter is left to checkLabs", async () => {
  const report = await checkLabTexts({ root: path.join(process.cwd(), "labs"), contentRoot: path.join(process.cwd(), "content") });
  expect(report.map((p) => formatProblem(p, process.cwd()))).toEqual([]);
  fs.writeFileSync(path.join(labs, "fixture-lab/lab.mdx"), LAB_MDX.replace("difficulty: beginner", "difficulty: easy") + RUNNABLE_BODY);
  expect(await textLines()).toEqual([]);
});

test("waitFor: only on checks that read the sandbox, at most 55 s, and inside the check's time limit", async () => {
  fs.writeFileSync(path.join(labs, "fixture-lab/lab.mdx"), LAB_MDX.replace("sandbox: none", "sandbox: small"));
  const rollout = { id: "rollout", title: "R", points: 5, hints: ["h"], kind: "k8s.rolloutComplete", params: { workload: { kind: "Deployment", name: "m" } } };
  const checks = [
    { ...good[0]!, waitFor: { seconds: 5, what: "the script" } },
    { ...rollout, waitFor: { seconds: 20, what: "the rollout of m" } },
    { ...rollout, id: "too-long", waitFor: { seconds: 60, what: "the rollout of m" }, timeoutMs: 60_000 },
    { ...rollout, id: "no-words", waitFor: { seconds: 5 } },
    { ...rollout, id: "fine", waitFor: { seconds: 45, what: "the rollout of m" }, timeoutMs: 50_000 },
  ] as unknown as CheckDefinition[];
  const out = lines({ "fixture-lab": checks });
  expect(out).toEqual([
    'labs/fixture-lab/checks.ts:4:1 — check "strict" has `waitFor`, but it reads only files, which do not change while it waits: waiting is for checks that read the sandbox',
    'labs/fixture-lab/checks.ts:1:1 — check "rollout": `waitFor.seconds` is 20, which leaves its time limit (10000 ms, the default) no room for its last run: set `timeoutMs` to at least 25000',
    'labs/fixture-lab/checks.ts:1:1 — check "too-long": `waitFor.seconds` may be at most 55 (a check\'s time limit is at most 60 s)',
    'labs/fixture-lab/checks.ts:1:1 — check "no-words": `waitFor.what` must be text',
  ]);
});
