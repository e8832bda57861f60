// Mutants of a lab's reference implementation, for tests.mutationScore: a folder
// labs/<id>/mutants/<name>/ holds mutant.yaml (`description:`, one line: the behaviour that is
// wrong) and the replaced file(s) at their lab paths. A lab's checks.ts reads them with
// `labMutants(id)` and passes them as the check's params, so content:check validates them with
// the kind's schema (and checkMutants below: only read-only lab files, each really changed).
import "server-only";
import fs from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import type { ContentProblem } from "@/lib/content/check";
import { folderFiles } from "./folder-files";

export const MUTANTS_FOLDER = "mutants";
export const MUTANT_FILE = "mutant.yaml";

export type LabMutant = { name: string; description: string; files: Record<string, string> };


function descriptionOf(file: string): string {
  try {
    const doc = parse(fs.readFileSync(file, "utf8")) as { description?: unknown } | null;
    return typeof doc?.description === "string" ? doc.description : "";
  } catch {
    return ""; // the kind's schema says a description is needed, with the mutant's index
  }
}

/**
 * The lab's mutants, by folder name. Lenient on purpose: a bad mutant.yaml gives an empty
 * description, which the check's params schema refuses in content:check, naming the mutant.
 */
export function labMutants(labId: string, root = path.join(process.cwd(), "labs")): LabMutant[] {
  const dir = path.join(root, labId, MUTANTS_FOLDER);
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const folder = path.join(dir, name);
      const files = Object.fromEntries(folderFiles(folder).filter((f) => f !== MUTANT_FILE).map((f) => [f, fs.readFileSync(path.join(folder, f), "utf8")]));
      return { name, description: descriptionOf(path.join(folder, MUTANT_FILE)), files };
    });
}

/**
 * content:check for a lab's mutants folder: each mutant has a mutant.yaml, replaces only
 * read-only lab files (the reference the learner's tests run against), and changes each one.
 */
export function checkMutants(labDir: string, lab: { files: Array<{ path: string; readonly: boolean }>; starter: Readonly<Record<string, string>> }): ContentProblem[] {
  const dir = path.join(labDir, MUTANTS_FOLDER);
  if (!fs.existsSync(dir)) return [];
  const problems: ContentProblem[] = [];
  const report = (file: string, message: string) => problems.push({ file, line: 1, column: 1, message, blocking: true });
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const folder = path.join(dir, entry.name);
    if (!entry.isDirectory()) {
      report(folder, "a mutant is a folder (mutants/<name>/ with mutant.yaml and the replaced files)");
      continue;
    }
    if (!fs.existsSync(path.join(folder, MUTANT_FILE))) report(folder, `missing ${MUTANT_FILE}: give the mutant a one-line \`description\` of the bug`);
    const files = folderFiles(folder).filter((f) => f !== MUTANT_FILE);
    if (files.length === 0) report(folder, "the mutant replaces no file of the reference implementation");
    for (const rel of files) {
      const listed = lab.files.find((f) => f.path === rel);
      if (!listed) report(path.join(folder, rel), `${rel} is not a file of the lab (a mutant replaces files of the reference at their lab paths)`);
      else if (!listed.readonly) report(path.join(folder, rel), `${rel} is a file the learner edits; a mutant changes the reference implementation (read-only files)`);
      else if (fs.readFileSync(path.join(folder, rel), "utf8") === lab.starter[rel]) report(path.join(folder, rel), `${rel} is the same as the reference: the mutant changes nothing`);
    }
  }
  return problems;
}
