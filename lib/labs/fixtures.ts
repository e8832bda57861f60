// Lab fixtures: wrong-but-plausible submissions that prove each check can fail. A fixture is a
// folder labs/<id>/fixtures/<case>/ whose files OVERLAY the lab's solution (same path: replaced),
// plus fixture.yaml saying what wrong answer it is and which checks must fail on it. The lab
// self-test (lib/grading/self-test.ts, npm run labs:verify) grades each one like a learner's
// submission; content:check validates them with file and line (checkFixtures).
import "server-only";
import fs from "node:fs";
import path from "node:path";
import { LineCounter, parseDocument, isMap, isSeq, isScalar, type Node } from "yaml";
import { z } from "zod";
import type { ContentProblem } from "@/lib/content/check";
import { LabPathSchema } from "@/lib/checks/file-paths";
import { solutionFiles, LabDefinitionError, type Lab } from "./registry";
import { stepSolution } from "./steps";
import { CheckIdSchema, LAB_ID_PATTERN } from "./schema";
import { RemoveObjectsSchema } from "./setup";
import { folderFiles } from "./folder-files";

export const FIXTURES_FOLDER = "fixtures";
export const FIXTURE_FILE = "fixture.yaml";

/** What a fixture needs beyond the cluster labs:verify is given. */
export const FIXTURE_NEEDS = ["real-node"] as const;
export type FixtureNeed = (typeof FIXTURE_NEEDS)[number];

export const FixtureSpecSchema = z.strictObject({
  /** One line: what wrong answer this is. */
  description: z
    .string({ error: "must be text: one line saying what wrong answer this is" })
    .trim()
    .min(1, { error: "must not be empty: say what wrong answer this is" })
    .max(300)
    .refine((d) => !d.includes("\n"), { error: "must be one line" }),
  /**
   * In a lab with steps: the step this submission is for. labs:verify completes the steps before
   * it with their solutions, then submits the fixture at this step; its files overlay the step's
   * solution (lib/labs/steps.ts) and its checks are the step's.
   */
  step: z.string({ error: "must be a step id of the lab" }).regex(LAB_ID_PATTERN, { error: "must be a step id of the lab" }).optional(),
  /** Checks that must fail on this submission (status fail; a pass or a check error is a problem). */
  mustFail: z.array(CheckIdSchema, { error: "must be a list of check ids" }).min(1, { error: "must name at least one check that fails on this fixture" }),
  /** Checks that must still pass (the fixture is wrong only where it says). */
  mustPass: z.array(CheckIdSchema, { error: "must be a list of check ids" }).default([]),
  /**
   * Changes to solution files, in order: `find` must occur exactly once in the file (as the edits
   * before it left it) and is replaced by `replace`. Survives unrelated changes to the solution,
   * where a copied file would not; a file is given either as a copy or by edits, not both.
   */
  edits: z
    .array(
      z.strictObject({
        file: LabPathSchema,
        find: z.string({ error: "must be the text to replace" }).min(1, { error: "must not be empty" }),
        replace: z.string({ error: "must be the text to put in its place (empty to remove it)" }),
      }),
      { error: "must be a list of { file, find, replace }" },
    )
    .default([]),
  /**
   * Objects the learner deleted from the sandbox (as with `kubectl delete`) after it started with
   * the lab's setup objects: deleted as the learner before the files are applied.
   */
  removeObjects: RemoveObjectsSchema,
  /** Solution files this submission does not have: saved empty and never applied. */
  delete: z.array(LabPathSchema, { error: "must be a list of lab file paths" }).default([]),
  /**
   * `real-node`: only pods that really run can show the mistake (a behaviour check); labs:verify
   * skips the fixture, visibly, when the cluster has no real node.
   */
  needs: z.enum(FIXTURE_NEEDS, { error: `must be one of ${FIXTURE_NEEDS.join(", ")}` }).optional(),
});

export type LabFixture = {
  /** The folder name (kebab-case). */
  name: string;
  dir: string;
  description: string;
  mustFail: string[];
  mustPass: string[];
  delete: string[];
  /** Objects deleted from the sandbox before the files are applied (`removeObjects`). */
  removeObjects: Array<{ kind: string; name: string }>;
  needs: FixtureNeed | null;
  /** The step it is submitted at (labs with steps); null for a lab without steps. */
  step: string | null;
  /** What replaces each changed solution file (the fixture folder's files, and the files its `edits` change), by lab path. */
  overlay: Record<string, string>;
};


type Problem = { file: string; line: number; message: string };

/** What parseFixture needs to know about the lab. */
export type FixtureLabInfo = {
  files: Array<{ path: string; readonly: boolean }>;
  checkIds: readonly string[];
  /** The solution's text by path: what `edits` change, and to refuse an overlay that changes nothing. */
  solution: Readonly<Record<string, string>>;
  /** The lab's steps, each with its checks and its solution (files when done, objects deleted); empty for none. */
  steps?: ReadonlyArray<{ id: string; checkIds: readonly string[]; solution: Readonly<Record<string, string>>; removeObjects: ReadonlyArray<{ kind: string; name: string }> }>;
};

/** 1-based line of a YAML node. */
function lineOf(node: Node | null | undefined, counter: LineCounter): number {
  const offset = node?.range?.[0];
  return offset === undefined ? 1 : counter.linePos(offset).line;
}

/**
 * Reads one fixture folder. Returns the fixture, or the problems with file and line (a fixture
 * with any problem is not returned: a half-valid fixture would prove nothing).
 */
export function parseFixture(dir: string, lab: FixtureLabInfo): { ok: true; fixture: LabFixture } | { ok: false; problems: Problem[] } {
  const name = path.basename(dir);
  const specFile = path.join(dir, FIXTURE_FILE);
  const problems: Problem[] = [];
  const report = (file: string, line: number, message: string) => problems.push({ file, line, message });
  if (!LAB_ID_PATTERN.test(name)) report(dir, 1, `fixture "${name}" is not a valid name (lower-case words joined by '-')`);

  let source: string;
  try {
    source = fs.readFileSync(specFile, "utf8");
  } catch {
    report(specFile, 1, `missing ${FIXTURE_FILE}: give the fixture a \`description\` and the checks it \`mustFail\``);
    return { ok: false, problems };
  }
  const counter = new LineCounter();
  const doc = parseDocument(source, { lineCounter: counter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    for (const error of doc.errors) report(specFile, counter.linePos(error.pos[0]).line, `YAML: ${error.message.split("\n")[0]}`);
    return { ok: false, problems };
  }
  const root = doc.contents;
  if (!isMap(root)) {
    report(specFile, lineOf(root as Node | null, counter), "must be a mapping with `description` and `mustFail`");
    return { ok: false, problems };
  }
  const keyLine = (key: string) => lineOf(root.items.find((p) => isScalar(p.key) && p.key.value === key)?.key as Node | undefined, counter);
  /** Line of `key`'s i-th list item, or of the key. */
  const itemLine = (key: string, index: number) => {
    const value = root.get(key, true);
    return isSeq(value) ? lineOf(value.items[index] as Node, counter) : keyLine(key);
  };

  const parsed = FixtureSpecSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const [key, index] = issue.path;
      if (issue.code === "unrecognized_keys") {
        for (const k of issue.keys) report(specFile, keyLine(k), `unknown key \`${k}\` (known: ${Object.keys(FixtureSpecSchema.shape).join(", ")})`);
      } else if (typeof key === "string") {
        const present = root.has(key);
        const line = typeof index === "number" ? itemLine(key, index) : present ? keyLine(key) : 1;
        report(specFile, line, present ? `\`${issue.path.join(".")}\` ${issue.message}` : `\`${key}\` is missing: it ${issue.message.replace(/^must/, "must be given and")}`);
      } else {
        report(specFile, 1, issue.message);
      }
    }
    return { ok: false, problems };
  }
  const spec = parsed.data;

  // In a lab with steps, the fixture is a submission at one step: that step's checks and solution.
  const steps = lab.steps ?? [];
  const step = spec.step === undefined ? undefined : steps.find((s) => s.id === spec.step);
  if (steps.length > 0 && spec.step === undefined) report(specFile, 1, `\`step\` is missing: the lab has steps (${steps.map((s) => s.id).join(", ")}); say at which one this submission is made`);
  if (steps.length === 0 && spec.step !== undefined) report(specFile, keyLine("step"), "`step` names a step, but the lab has no `steps`");
  else if (spec.step !== undefined && !step) report(specFile, keyLine("step"), `\`step\` names "${spec.step}", which is not a step of this lab (its steps: ${steps.map((s) => s.id).join(", ")})`);
  const checkIds = step ? step.checkIds : lab.checkIds;
  const solution = step ? step.solution : lab.solution;
  const known = new Set(checkIds);
  for (const key of ["mustFail", "mustPass"] as const) {
    spec[key].forEach((id, i) => {
      if (known.has(id)) return;
      const where = step ? `a check of step "${step.id}" (its checks: ${checkIds.join(", ")})` : `a check of this lab (its checks: ${lab.checkIds.join(", ")})`;
      report(specFile, itemLine(key, i), `\`${key}\` names check "${id}", which is not ${where}`);
    });
  }
  spec.mustPass.forEach((id, i) => {
    if (spec.mustFail.includes(id)) report(specFile, itemLine("mustPass", i), `check "${id}" is in both \`mustFail\` and \`mustPass\``);
  });

  const editable = new Map(lab.files.map((f) => [f.path, f]));
  const overlay: Record<string, string> = {};
  for (const rel of folderFiles(dir).filter((f) => f !== FIXTURE_FILE)) {
    const file = path.join(dir, rel);
    const declared = editable.get(rel);
    if (!declared) report(file, 1, `${rel} is not a file of the lab (its files: ${lab.files.filter((f) => !f.readonly).map((f) => f.path).join(", ")})`);
    else if (declared.readonly) report(file, 1, `${rel} is read-only in the lab: a learner cannot change it, so a fixture may not either`);
    else {
      overlay[rel] = fs.readFileSync(file, "utf8");
      if (solution[rel] === overlay[rel]) report(file, 1, `${rel} is the same as the solution's; leave it out of the fixture`);
    }
  }
  const copied = new Set(Object.keys(overlay));
  spec.edits.forEach((edit, i) => {
    const line = itemLine("edits", i);
    const declared = editable.get(edit.file);
    if (!declared || declared.readonly) return report(specFile, line, `\`edits\` changes ${edit.file}, which is not an editable file of the lab`);
    if (copied.has(edit.file)) return report(specFile, line, `\`edits\` changes ${edit.file}, which the fixture also provides as a file; use one or the other`);
    const text = overlay[edit.file] ?? solution[edit.file];
    if (text === undefined) return report(specFile, line, `\`edits\` changes ${edit.file}, which the solution does not have`);
    const count = text.split(edit.find).length - 1;
    if (count !== 1) {
      return report(specFile, line, `\`edits\`: the text to find occurs ${count === 0 ? "nowhere" : `${count} times`} in ${edit.file}${spec.edits.slice(0, i).some((e) => e.file === edit.file) ? " (after the edits before it)" : ""}; it must occur exactly once`);
    }
    overlay[edit.file] = text.replace(edit.find, () => edit.replace);
  });
  spec.delete.forEach((rel, i) => {
    const declared = editable.get(rel);
    if (!declared || declared.readonly) report(specFile, itemLine("delete", i), `\`delete\` names ${rel}, which is not an editable file of the lab`);
    else if (rel in overlay) report(specFile, itemLine("delete", i), `\`delete\` names ${rel}, which the fixture also provides`);
  });
  const changed = Object.keys(overlay).filter((rel) => solution[rel] !== overlay[rel]);
  // At a step, the objects the step's solution deletes are not deleted unless the fixture says so.
  const removed = (objects: ReadonlyArray<{ kind: string; name: string }>) => objects.map((o) => `${o.kind}/${o.name}`).sort().join(",");
  const sameRemovals = removed(spec.removeObjects) === removed(step?.removeObjects ?? []);
  if (changed.length === 0 && spec.delete.length === 0 && sameRemovals) {
    report(specFile, 1, "the fixture changes nothing: add the files that differ from the solution, `edits` to them, or solution files to `delete`");
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    fixture: { name, dir, description: spec.description, mustFail: spec.mustFail, mustPass: spec.mustPass, delete: spec.delete, removeObjects: spec.removeObjects, needs: spec.needs ?? null, step: spec.step ?? null, overlay },
  };
}

function fixtureDirs(labDir: string): string[] {
  const root = path.join(labDir, FIXTURES_FOLDER);
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => path.join(root, e.name))
    .sort();
}

/** content:check for a lab's fixtures; also reports stray files directly under fixtures/. */
export function checkFixtures(labDir: string, lab: FixtureLabInfo): { problems: ContentProblem[]; fixtures: number } {
  const problems: ContentProblem[] = [];
  const root = path.join(labDir, FIXTURES_FOLDER);
  if (fs.existsSync(root)) {
    for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
      if (!entry.isDirectory()) problems.push({ file: path.join(root, entry.name), line: 1, column: 1, message: "fixtures/ holds one folder per fixture (fixtures/<case>/fixture.yaml); move this file into one" });
    }
  }
  const dirs = fixtureDirs(labDir);
  for (const dir of dirs) {
    const parsed = parseFixture(dir, lab);
    if (!parsed.ok) problems.push(...parsed.problems.map((p) => ({ ...p, column: 1 })));
  }
  return { problems, fixtures: dirs.length };
}

const cache = new Map<string, LabFixture[]>();

/** The lab's fixtures, by name. Throws LabDefinitionError for a broken one (content:check says where). */
export function labFixtures(lab: Lab): LabFixture[] {
  const cached = cache.get(lab.file);
  if (cached) return cached;
  const info: FixtureLabInfo = {
    files: lab.files,
    checkIds: lab.checks.map((c) => c.id),
    solution: solutionFiles(lab),
    steps: lab.steps.map((step) => {
      const done = stepSolution(lab, step.id);
      return { id: step.id, checkIds: step.checks.map((c) => c.id), solution: done.files, removeObjects: done.removeObjects };
    }),
  };
  const fixtures = fixtureDirs(path.dirname(lab.file)).map((dir) => {
    const parsed = parseFixture(dir, info);
    if (!parsed.ok) {
      const first = parsed.problems[0]!;
      throw new LabDefinitionError(`Lab "${lab.id}", fixture "${path.basename(dir)}": ${first.file}:${first.line} ${first.message}. Run npm run content:check.`);
    }
    return parsed.fixture;
  });
  cache.set(lab.file, fixtures);
  return fixtures;
}

/**
 * What a learner submitting this fixture would have: the solution (at a step: the step's solution)
 * with the fixture's files laid over it; a deleted file is empty (a learner cannot remove a lab
 * file, only empty it).
 */
export function fixtureFiles(lab: Lab, fixture: Pick<LabFixture, "overlay" | "delete"> & { step?: string | null }): Record<string, string> {
  const files = { ...(fixture.step ? stepSolution(lab, fixture.step).files : solutionFiles(lab)), ...fixture.overlay };
  for (const rel of fixture.delete) files[rel] = "";
  return files;
}
