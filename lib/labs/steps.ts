// A lab's ordered steps (frontmatter `steps:`, docs/lab-format.md "Steps"): content:check's rules
// for them (every check in exactly one step, each step's text in steps/<id>.mdx, step setup
// folders), and the reference solution of each step for labs:verify.
//
// Step solutions: solution/ is the lab's final state. A step whose finished state differs from it
// gives solution/steps/<id>/ with the lab files that differ (they replace solution/'s for that
// step) and, when the learner deletes objects in that step, a step.yaml with `removeObjects`
// (deleted as the learner after the step's files are applied). A step without a folder is
// finished by solution/ as it is.
import "server-only";
import fs from "node:fs";
import path from "node:path";
import { parseDocument } from "yaml";
import { z } from "zod";
import type { ContentProblem } from "@/lib/content/check";
import { LabDefinitionError, solutionFiles, type Lab } from "./registry";
import type { LabFrontmatter } from "./schema";
import { checkSetup, MAX_SETUP_FILES, RemoveObjectsSchema, setupFileNames } from "./setup";
import { folderFiles } from "./folder-files";

export const STEPS_FOLDER = "steps";
/** solution/steps/<id>/: a step's solution overlay. */
export const STEP_SOLUTIONS = "steps";
export const STEP_SOLUTION_FILE = "step.yaml";

export const StepSolutionSpecSchema = z.strictObject({ removeObjects: RemoveObjectsSchema });

export type RemovedObject = { kind: string; name: string };
export type StepSolution = { files: Record<string, string>; removeObjects: RemovedObject[] };


type Problem = { file: string; line: number; message: string };

/**
 * Reads solution/steps/<stepId>/ of the lab folder: the files it replaces (by lab path) and the
 * objects the step deletes. Problems name file and line; `editable` are the lab's editable paths.
 */
export function readStepSolution(labDir: string, stepId: string, editable: ReadonlySet<string>): { overlay: Record<string, string>; removeObjects: RemovedObject[]; problems: Problem[] } {
  const dir = path.join(labDir, "solution", STEP_SOLUTIONS, stepId);
  const overlay: Record<string, string> = {};
  const problems: Problem[] = [];
  let removeObjects: RemovedObject[] = [];
  for (const rel of folderFiles(dir)) {
    const file = path.join(dir, rel);
    if (rel === STEP_SOLUTION_FILE) {
      const doc = parseDocument(fs.readFileSync(file, "utf8"), { prettyErrors: false, uniqueKeys: true });
      const parsed = doc.errors.length ? null : StepSolutionSpecSchema.safeParse(doc.toJS() ?? {});
      if (!parsed) problems.push({ file, line: 1, message: `YAML: ${doc.errors[0]!.message.split("\n")[0]}` });
      else if (!parsed.success) for (const issue of parsed.error.issues) problems.push({ file, line: 1, message: `${issue.path.join(".") || "step.yaml"}: ${issue.message} (it may say only \`removeObjects: [{ kind, name }]\`)` });
      else removeObjects = parsed.data.removeObjects;
    } else if (!editable.has(rel)) {
      problems.push({ file, line: 1, message: `${rel} is not an editable file of the lab: solution/steps/${stepId}/ holds the lab files as they are when step "${stepId}" is done (and ${STEP_SOLUTION_FILE})` });
    } else {
      overlay[rel] = fs.readFileSync(file, "utf8");
    }
  }
  return { overlay, removeObjects, problems };
}

const solutionCache = new Map<string, StepSolution>();

/** The learner's files and deletions when step `stepId` is done, for labs:verify (see the header). */
export function stepSolution(lab: Lab, stepId: string): StepSolution {
  if (!lab.steps.some((s) => s.id === stepId)) throw new LabDefinitionError(`Lab "${lab.id}" has no step "${stepId}".`);
  const key = `${lab.file}\0${stepId}`;
  const cached = solutionCache.get(key);
  if (cached) return { files: { ...cached.files }, removeObjects: [...cached.removeObjects] };
  const read = readStepSolution(path.dirname(lab.file), stepId, new Set(lab.files.filter((f) => !f.readonly).map((f) => f.path)));
  if (read.problems.length > 0) {
    const first = read.problems[0]!;
    throw new LabDefinitionError(`Lab "${lab.id}": ${first.file}:${first.line} ${first.message}. Run npm run content:check.`);
  }
  const solution = { files: { ...solutionFiles(lab), ...read.overlay }, removeObjects: read.removeObjects };
  solutionCache.set(key, solution);
  return { files: { ...solution.files }, removeObjects: [...solution.removeObjects] };
}

/** 1-based line of the first line matching `pattern` at or after line `from`; `fallback` when none. */
function lineMatching(source: string, pattern: RegExp, from = 1, fallback = 1): number {
  const lines = source.split(/\r?\n/);
  for (let i = from - 1; i < lines.length; i++) if (pattern.test(lines[i]!)) return i + 1;
  return fallback;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

export type StepCheckInput = {
  labDir: string;
  /** lab.mdx's text, for line numbers. */
  source: string;
  fm: LabFrontmatter;
  /** The lab's check ids (checks.ts), with the line each is defined on. */
  checks: ReadonlyArray<{ id: string; line: number }>;
  checksFile: string;
};

/** content:check for a lab's steps (and for steps/ or solution/steps/ in a lab without them). */
export function checkSteps({ labDir, source, fm, checks, checksFile }: StepCheckInput): ContentProblem[] {
  const problems: ContentProblem[] = [];
  const report = (file: string, line: number, message: string) => problems.push({ file, line, column: 1, message });
  const labFile = path.join(labDir, "lab.mdx");
  const stepsDir = path.join(labDir, STEPS_FOLDER);
  const solutionSteps = path.join(labDir, "solution", STEP_SOLUTIONS);
  const steps = fm.steps ?? [];
  if (steps.length === 0) {
    // (solution/steps/ of a lab without steps is only lab files, which the files rule judges.)
    if (fs.existsSync(stepsDir)) report(stepsDir, 1, `${STEPS_FOLDER}/ holds the text of each step, but lab.mdx declares no \`steps\``);
    return problems;
  }
  const stepsLine = lineMatching(source, /^steps:/);
  const stepLine = (id: string) => lineMatching(source, new RegExp(`^\\s*-?\\s*id:\\s*["']?${escape(id)}["']?\\s*$`), stepsLine, stepsLine);
  const known = new Map(checks.map((c) => [c.id, c.line]));
  const stepOf = new Map<string, string>();
  for (const step of steps) {
    const at = stepLine(step.id);
    const checksLine = lineMatching(source, /^\s*checks:/, at, at);
    for (const id of new Set(step.checks)) {
      if (!known.has(id)) report(labFile, checksLine, `step "${step.id}" names check "${id}", which is not in checks.ts (its checks: ${checks.map((c) => c.id).join(", ")})`);
      else if (stepOf.has(id)) report(labFile, checksLine, `check "${id}" is in steps "${stepOf.get(id)}" and "${step.id}"; each check is in exactly one step`);
      else stepOf.set(id, step.id);
    }
    const text = path.join(stepsDir, `${step.id}.mdx`);
    if (!fs.existsSync(text)) report(labFile, at, `step "${step.id}" has no text: add ${STEPS_FOLDER}/${step.id}.mdx (MDX, no frontmatter)`);
    else {
      const body = fs.readFileSync(text, "utf8");
      if (!body.trim()) report(text, 1, `${STEPS_FOLDER}/${step.id}.mdx is empty: say what the learner does in this step`);
      else if (/^---\s*$/.test(body.split(/\r?\n/)[0]!)) report(text, 1, `${STEPS_FOLDER}/${step.id}.mdx has frontmatter; a step's title and checks are in lab.mdx, its file is only the text`);
    }
    if (step.setup) problems.push(...checkSetup(labDir, step.setup));
  }
  for (const { id, line } of checks) {
    if (!stepOf.has(id)) report(checksFile, line, `check "${id}" is in no step: add it to the \`checks\` of one step in lab.mdx`);
  }
  const ids = new Set(steps.map((s) => s.id));
  if (fs.existsSync(stepsDir)) {
    for (const entry of fs.readdirSync(stepsDir, { withFileTypes: true })) {
      if (entry.isFile() && entry.name.endsWith(".mdx") && !ids.has(entry.name.slice(0, -4))) {
        report(path.join(stepsDir, entry.name), 1, `${STEPS_FOLDER}/${entry.name} belongs to no step (the lab's steps: ${[...ids].join(", ")}); rename it or remove it`);
      }
    }
  }
  const setupFiles = (fm.setup ? setupFileNames(labDir, fm.setup).length : 0) + steps.reduce((n, s) => n + (s.setup ? setupFileNames(labDir, s.setup).length : 0), 0);
  if (setupFiles > MAX_SETUP_FILES) report(labFile, stepsLine, `the lab and its steps set up ${setupFiles} files together; at most ${MAX_SETUP_FILES} (a sandbox gets them all after a reset)`);
  // Step solutions (labs:verify): solution/steps/<id>/ for a step of the lab, with its files.
  if (fs.existsSync(solutionSteps)) {
    const editable = new Set(fm.files.filter((f) => !f.readonly).map((f) => f.path));
    for (const entry of fs.readdirSync(solutionSteps, { withFileTypes: true })) {
      const where = path.join(solutionSteps, entry.name);
      if (!entry.isDirectory()) report(where, 1, "solution/steps/ holds one folder per step (solution/steps/<step id>/)");
      else if (!ids.has(entry.name)) report(where, 1, `solution/steps/${entry.name}/ names no step of the lab (its steps: ${[...ids].join(", ")})`);
      else problems.push(...readStepSolution(labDir, entry.name, editable).problems.map((p) => ({ ...p, column: 1 })));
    }
  }
  return problems;
}
