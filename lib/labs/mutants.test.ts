import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "vitest";
import { checkMutants, labMutants } from "./mutants";

test("the churn lab's mutants are read with their description and the files they replace", () => {
  const mutants = labMutants("test-the-churn-features");
  expect(mutants.length).toBeGreaterThanOrEqual(6);
  const six = mutants.find((m) => m.name === "six-months-is-new")!;
  expect(six.description).toContain("exactly 6 months");
  expect(Object.keys(six.files)).toEqual(["churn/features.py"]);
  expect(six.files["churn/features.py"]).toContain("if tenure_months <= 6:");
  expect(labMutants("no-such-lab")).toEqual([]);
});

test("content:check refuses mutants of editable or unknown files, copies that change nothing, and a missing mutant.yaml", () => {
  const lab = fs.mkdtempSync(path.join(os.tmpdir(), "mutants-"));
  const write = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(lab, rel)), { recursive: true });
    fs.writeFileSync(path.join(lab, rel), text);
  };
  write("mutants/edits-tests/mutant.yaml", "description: x\n");
  write("mutants/edits-tests/tests/test_a.py", "x");
  write("mutants/same/mutant.yaml", "description: x\n");
  write("mutants/same/app.py", "A = 1\n");
  write("mutants/unknown/mutant.yaml", "description: x\n");
  write("mutants/unknown/other.py", "x");
  write("mutants/no-yaml/app.py", "A = 2\n");
  write("mutants/good/mutant.yaml", "description: x\n");
  write("mutants/good/app.py", "A = 2\n");
  const problems = checkMutants(lab, {
    files: [{ path: "app.py", readonly: true }, { path: "tests/test_a.py", readonly: false }],
    starter: { "app.py": "A = 1\n", "tests/test_a.py": "" },
  }).map((p) => `${path.relative(lab, p.file)}: ${p.message}`);
  expect(problems.sort()).toEqual([
    "mutants/edits-tests/tests/test_a.py: tests/test_a.py is a file the learner edits; a mutant changes the reference implementation (read-only files)",
    "mutants/no-yaml: missing mutant.yaml: give the mutant a one-line `description` of the bug",
    "mutants/same/app.py: app.py is the same as the reference: the mutant changes nothing",
    "mutants/unknown/other.py: other.py is not a file of the lab (a mutant replaces files of the reference at their lab paths)",
  ]);
  fs.rmSync(lab, { recursive: true, force: true });
});
