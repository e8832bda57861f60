import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { formatProblem } from "@/lib/content/check";
import { checkLabs } from "./check";
import { defineChecks } from "./define";
import { fixtureFiles, labFixtures, parseFixture } from "./fixtures";
import { getLab, listLabs, solutionFiles } from "./registry";

let dir: string;

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
  - path: lib/util.sh
    language: shell
  - path: README.md
    language: markdown
    readonly: true
---

Do the thing.
`;

const checks = defineChecks([
  { id: "strict", title: "Strict", points: 5, hints: ["set -euo pipefail"], kind: "shell.strictMode", params: { file: "run.sh" } },
  { id: "trap", title: "Trap", points: 5, hints: ["trap"], kind: "shell.trap", params: { file: "run.sh", signal: "EXIT", runs: ["rm"], failure: "No trap removes the file.", success: "A trap cleans up." } },
]);
const registry = { "fixture-lab": checks };
const SOLUTION = "#!/bin/bash\nset -euo pipefail\ntmp=$(mktemp)\ntrap 'rm -f \"$tmp\"' EXIT\n";

function write(rel: string, text: string) {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), text);
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "labs-fixtures-"));
  write("content/linux/index.mdx", "---\ntitle: Linux\n---\n");
  write("labs/index.ts", 'export const LAB_REGISTRY = {\n  "fixture-lab": fixture,\n};\n');
  write("labs/fixture-lab/lab.mdx", LAB_MDX);
  write("labs/fixture-lab/checks.ts", 'export const checks = defineChecks([\n  { id: "strict" },\n  { id: "trap" },\n]);\n');
  for (const folder of ["starter", "solution"]) {
    write(`labs/fixture-lab/${folder}/run.sh`, folder === "starter" ? "#!/bin/bash\n" : SOLUTION);
    write(`labs/fixture-lab/${folder}/lib/util.sh`, "#!/bin/bash\nutil() { :; }\n");
  }
  write("labs/fixture-lab/starter/README.md", "# Read me\n");
});

afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const problems = () => checkLabs({ root: path.join(dir, "labs"), contentRoot: path.join(dir, "content"), registry }).problems.map((p) => formatProblem(p, dir));
const fixture = (name: string, spec: string, files: Record<string, string> = {}) => {
  write(`labs/fixture-lab/fixtures/${name}/fixture.yaml`, spec);
  for (const [rel, text] of Object.entries(files)) write(`labs/fixture-lab/fixtures/${name}/${rel}`, text);
};

test("a valid fixture has no problems and is counted", () => {
  fixture("no-strict-mode", "description: No strict mode\nmustFail: [strict]\nmustPass: [trap]\n", { "run.sh": "#!/bin/bash\ntrap 'rm -f x' EXIT\n" });
  const report = checkLabs({ root: path.join(dir, "labs"), contentRoot: path.join(dir, "content"), registry });
  expect(report.problems).toEqual([]);
  expect(report.fixtures).toBe(1);
});

test("unknown check ids, a missing description and an empty mustFail are reported with file and line", () => {
  fixture("unknown-check", "description: Wrong\nmustFail:\n  - strict\n  - no-such-check\nmustPass: [trapp]\n", { "run.sh": "#!/bin/bash\n" });
  fixture("no-description", "mustFail: [strict]\n", { "run.sh": "#!/bin/bash\n" });
  fixture("empty-must-fail", "description: Nothing fails\nmustFail: []\n", { "run.sh": "#!/bin/bash\n" });
  fixture("two-lines", "description: |\n  one\n  two\nmustFail: [strict]\nsurprise: true\n", { "run.sh": "#!/bin/bash\n" });
  const out = problems();
  expect(out).toContain('labs/fixture-lab/fixtures/unknown-check/fixture.yaml:4:1 — `mustFail` names check "no-such-check", which is not a check of this lab (its checks: strict, trap)');
  expect(out).toContain('labs/fixture-lab/fixtures/unknown-check/fixture.yaml:5:1 — `mustPass` names check "trapp", which is not a check of this lab (its checks: strict, trap)');
  expect(out).toContainEqual(expect.stringMatching(/^labs\/fixture-lab\/fixtures\/no-description\/fixture\.yaml:1:1 — `description` is missing/));
  expect(out).toContain("labs/fixture-lab/fixtures/empty-must-fail/fixture.yaml:2:1 — `mustFail` must name at least one check that fails on this fixture");
  expect(out).toContain("labs/fixture-lab/fixtures/two-lines/fixture.yaml:1:1 — `description` must be one line");
  expect(out).toContainEqual(expect.stringMatching(/two-lines\/fixture\.yaml:5:1 — unknown key `surprise`/));
});

test("overlay and delete must name editable lab files, and a fixture must change something", () => {
  fixture("stray-file", "description: Adds a file\nmustFail: [strict]\n", { "other.sh": "x\n", "README.md": "changed\n" });
  fixture("same-as-solution", "description: Same\nmustFail: [strict]\n", { "run.sh": SOLUTION });
  fixture("deletes", "description: Deletes\nmustFail: [strict]\ndelete:\n  - run.sh\n  - nope.sh\n  - lib/util.sh\n", { "lib/util.sh": "#!/bin/bash\n" });
  fixture("Bad_Name", "description: Bad name\nmustFail: [strict]\ndelete: [run.sh]\n");
  write("labs/fixture-lab/fixtures/loose.yaml", "x: 1\n");
  const out = problems();
  expect(out).toContain("labs/fixture-lab/fixtures/stray-file/other.sh:1:1 — other.sh is not a file of the lab (its files: run.sh, lib/util.sh)");
  expect(out).toContain("labs/fixture-lab/fixtures/stray-file/README.md:1:1 — README.md is read-only in the lab: a learner cannot change it, so a fixture may not either");
  expect(out).toContain("labs/fixture-lab/fixtures/same-as-solution/run.sh:1:1 — run.sh is the same as the solution's; leave it out of the fixture");
  expect(out).toContain("labs/fixture-lab/fixtures/same-as-solution/fixture.yaml:1:1 — the fixture changes nothing: add the files that differ from the solution, `edits` to them, or solution files to `delete`");
  expect(out).toContain("labs/fixture-lab/fixtures/deletes/fixture.yaml:5:1 — `delete` names nope.sh, which is not an editable file of the lab");
  expect(out).toContain("labs/fixture-lab/fixtures/deletes/fixture.yaml:6:1 — `delete` names lib/util.sh, which the fixture also provides");
  expect(out).not.toContainEqual(expect.stringContaining("delete` names run.sh"));
  expect(out).toContainEqual(expect.stringContaining('fixtures/Bad_Name:1:1 — fixture "Bad_Name" is not a valid name'));
  expect(out).toContainEqual(expect.stringContaining("fixtures/loose.yaml:1:1 — fixtures/ holds one folder per fixture"));
});

test("a missing fixture.yaml and broken YAML are reported", () => {
  write("labs/fixture-lab/fixtures/no-spec/run.sh", "#!/bin/bash\n");
  fixture("broken-yaml", "description: x\nmustFail: [strict\n");
  const out = problems();
  expect(out).toContainEqual(expect.stringMatching(/fixtures\/no-spec\/fixture\.yaml:1:1 — missing fixture\.yaml/));
  expect(out).toContainEqual(expect.stringMatching(/fixtures\/broken-yaml\/fixture\.yaml:\d+:1 — YAML: /));
});

test("a fixture's files are the solution with the overlay laid over it and deleted files empty", () => {
  fixture("no-trap", "description: No trap\nmustFail: [trap]\nneeds: real-node\n", { "run.sh": "#!/bin/bash\nset -euo pipefail\n" });
  fixture("no-util", "description: No util\nmustFail: [strict]\ndelete: [lib/util.sh]\n");
  const lab = getLab("fixture-lab", { root: path.join(dir, "labs"), registry })!;
  const [noTrap, noUtil] = labFixtures(lab);
  expect(noTrap).toMatchObject({ name: "no-trap", description: "No trap", mustFail: ["trap"], mustPass: [], delete: [], needs: "real-node" });
  expect(noUtil).toMatchObject({ name: "no-util", needs: null, delete: ["lib/util.sh"], overlay: {} });
  const solution = solutionFiles(lab);
  expect(fixtureFiles(lab, noTrap!)).toEqual({ ...solution, "run.sh": "#!/bin/bash\nset -euo pipefail\n" });
  expect(fixtureFiles(lab, noUtil!)).toEqual({ ...solution, "lib/util.sh": "" });
  expect(fixtureFiles(lab, noUtil!)["README.md"]).toBe("# Read me\n");
});

test("edits change the solution's text in order; text that is not found exactly once is reported at its line", async () => {
  fixture(
    "edited",
    'description: Edited\nmustFail: [strict]\nedits:\n  - file: run.sh\n    find: "set -euo pipefail\\n"\n    replace: "set -eu\\n"\n  - file: run.sh\n    find: set -eu\n    replace: set -e\n',
  );
  fixture("edit-problems", [
    "description: Bad edits",
    "mustFail: [strict]",
    "edits:",
    "  - {file: run.sh, find: 'not there', replace: x}",
    "  - {file: README.md, find: Read, replace: x}",
    "  - {file: lib/util.sh, find: util, replace: x}",
    "  - {file: run.sh, find: tmp, replace: t}",
    "  - {file: run.sh, find: set -euo, replace: set -eu}",
    "  - {file: run.sh, find: set -euo, replace: x}",
    "",
  ].join("\n"), { "lib/util.sh": "#!/bin/bash\n" });
  const out = problems();
  expect(out.filter((p) => p.includes("/edited/"))).toEqual([]);
  expect(out).toContain("labs/fixture-lab/fixtures/edit-problems/fixture.yaml:4:1 — `edits`: the text to find occurs nowhere in run.sh; it must occur exactly once");
  expect(out).toContain("labs/fixture-lab/fixtures/edit-problems/fixture.yaml:5:1 — `edits` changes README.md, which is not an editable file of the lab");
  expect(out).toContain("labs/fixture-lab/fixtures/edit-problems/fixture.yaml:6:1 — `edits` changes lib/util.sh, which the fixture also provides as a file; use one or the other");
  expect(out).toContain("labs/fixture-lab/fixtures/edit-problems/fixture.yaml:7:1 — `edits`: the text to find occurs 2 times in run.sh (after the edits before it); it must occur exactly once");
  expect(out).not.toContainEqual(expect.stringContaining("edit-problems/fixture.yaml:8:1"));
  expect(out).toContain("labs/fixture-lab/fixtures/edit-problems/fixture.yaml:9:1 — `edits`: the text to find occurs nowhere in run.sh (after the edits before it); it must occur exactly once");
  const lab = getLab("fixture-lab", { root: path.join(dir, "labs"), registry })!;
  fs.rmSync(path.join(dir, "labs/fixture-lab/fixtures/edit-problems"), { recursive: true });
  const [edited] = labFixtures(lab);
  expect(fixtureFiles(lab, edited!)["run.sh"]).toBe(SOLUTION.replace("set -euo pipefail\n", "set -e\n"));
});

test("parseFixture refuses a fixture with any problem rather than returning half of it", () => {
  fixture("half", "description: Half\nmustFail: [strict, nope]\n", { "run.sh": "#!/bin/bash\n" });
  const parsed = parseFixture(path.join(dir, "labs/fixture-lab/fixtures/half"), { files: [{ path: "run.sh", readonly: false }], checkIds: ["strict"], solution: { "run.sh": SOLUTION } });
  expect(parsed.ok).toBe(false);
});

test("every check of every launch lab is named in the mustFail of at least one of its fixtures", () => {
  for (const lab of listLabs()) {
    const named = new Set(labFixtures(lab).flatMap((f) => f.mustFail));
    expect(lab.checks.map((c) => c.id).filter((id) => !named.has(id)), `${lab.id}: checks no fixture must fail`).toEqual([]);
  }
});
