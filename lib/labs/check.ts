// content:check for labs: every folder in labs/ is a complete, valid lab and the static registry
// (labs/index.ts) lists exactly those folders. Problems are reported as `file:line:col — reason`
// like the rest of content:check.
import "server-only";
import fs from "node:fs";
import path from "node:path";
import { LAB_REGISTRY } from "@/labs";
import { checkCodeBlocks, checkComponents, type ContentProblem, type TerminalRule } from "@/lib/content/check";
import { compileMdx, MdxCompileError } from "@/lib/content/compile";
import { parseFrontmatter } from "@/lib/content/frontmatter";
import { builtinKind } from "@/lib/checks/kinds";
import { checkFixtures } from "./fixtures";
import { checkSetup } from "./setup";
import { checkSteps, readStepSolution, STEP_SOLUTIONS } from "./steps";
import { checkMutants } from "./mutants";
import { CheckCommonSchema, LAB_ID_PATTERN, LabFrontmatterSchema, WAIT_MARGIN_MS, type LabFrontmatter } from "./schema";
import { checkTimeoutMs, getLab, labHasTerminal, LabDefinitionError, type Lab, type LabRegistry } from "./registry";
import { folderFiles } from "./folder-files";

export type LabCheckOptions = {
  /** The labs folder. */
  root: string;
  /** The content folder, for module slugs. */
  contentRoot: string;
  registry?: LabRegistry;
};

export type LabCheckReport = { problems: ContentProblem[]; labs: number; checks: number; fixtures: number };

/** 1-based line of the `nth` (0-based) line containing `needle`; the last match, or 1, when there are fewer. */
function lineContaining(source: string, needle: string | RegExp, nth = 0): number {
  const lines = source.split(/\r?\n/);
  const found = lines.flatMap((l, i) => ((typeof needle === "string" ? l.includes(needle) : needle.test(l)) ? [i + 1] : []));
  return found[Math.min(nth, found.length - 1)] ?? 1;
}

function readOrNull(file: string): string | null {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return null;
  }
}


export function checkLabs(options: LabCheckOptions): LabCheckReport {
  const root = path.resolve(options.root);
  const registry = options.registry ?? LAB_REGISTRY;
  const problems: ContentProblem[] = [];
  const report = (file: string, line: number, message: string) => problems.push({ file, line, column: 1, message });
  const indexFile = path.join(root, "index.ts");
  const indexSource = readOrNull(indexFile) ?? "";

  const folders = fs.existsSync(root)
    ? fs.readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort()
    : [];
  for (const id of folders) {
    if (!LAB_ID_PATTERN.test(id)) report(path.join(root, id), 1, `"${id}" is not a valid lab id (lower-case words joined by '-')`);
    if (!Object.hasOwn(registry, id)) report(indexFile, 1, `lab folder labs/${id}/ is not in the registry: import its checks in labs/index.ts`);
  }
  for (const id of Object.keys(registry)) {
    if (!folders.includes(id)) report(indexFile, lineContaining(indexSource, `"${id}"`), `the registry names lab "${id}", but there is no folder labs/${id}/`);
  }

  let checkCount = 0;
  let fixtureCount = 0;
  for (const id of folders.filter((f) => Object.hasOwn(registry, f))) {
    const dir = path.join(root, id);
    const labFile = path.join(dir, "lab.mdx");
    const checksFile = path.join(dir, "checks.ts");
    const checksSource = readOrNull(checksFile);
    if (checksSource === null) report(checksFile, 1, "missing checks.ts (export const checks = defineChecks([...]))");
    const source = readOrNull(labFile);
    if (source === null) {
      report(labFile, 1, "missing lab.mdx (frontmatter and instructions)");
      continue;
    }
    const parsed = parseFrontmatter(source, LabFrontmatterSchema);
    if (!parsed.ok) {
      for (const p of parsed.problems) problems.push({ file: labFile, line: p.line, column: p.column, message: p.message, blocking: true });
      continue;
    }
    const fm: LabFrontmatter = parsed.data;
    if (!fs.existsSync(path.join(options.contentRoot, fm.module, "index.mdx"))) {
      const modules = fs.existsSync(options.contentRoot)
        ? fs.readdirSync(options.contentRoot).filter((m) => fs.existsSync(path.join(options.contentRoot, m, "index.mdx")))
        : [];
      report(labFile, lineContaining(source, /^module:/), `frontmatter \`module\` "${fm.module}" is not a content module (known: ${modules.join(", ") || "none"})`);
    }
    const body = source.split(/\r?\n---\s*\r?\n/).slice(1).join("\n").trim();
    if (!body) report(labFile, lineContaining(source, /^---/), "the lab has no instructions after the frontmatter");

    // Files: every listed file in starter/, every editable one in solution/, nothing unlisted.
    const listed = new Set(fm.files.map((f) => f.path));
    for (const folder of ["starter", "solution"] as const) {
      const folderPath = path.join(dir, folder);
      if (!fs.existsSync(folderPath)) {
        report(labFile, 1, `missing ${folder}/ folder: it holds ${folder === "starter" ? "what the learner starts with" : "the reference solution"}`);
        continue;
      }
      for (const f of fm.files) {
        if (folder === "solution" && f.readonly) continue;
        if (!fs.existsSync(path.join(folderPath, f.path))) {
          report(labFile, lineContaining(source, `path: ${f.path}`), `lists ${f.path}, but ${folder}/${f.path} is missing`);
        }
      }
      for (const rel of folderFiles(folderPath)) {
        // solution/steps/<id>/ are step solutions (lib/labs/steps.ts), checked with the steps.
        if (folder === "solution" && fm.steps && rel.startsWith(`${STEP_SOLUTIONS}/`)) continue;
        if (!listed.has(rel)) report(path.join(folderPath, rel), 1, `${folder}/${rel} is not listed in the lab's \`files\``);
      }
    }

    // Setup objects: what the sandbox starts with (lib/labs/setup.ts).
    if (fm.setup) problems.push(...checkSetup(dir, fm.setup));

    // Checks.
    const checks = registry[id]!;
    const occurrences = new Map<string, number>();
    const at = (checkId: unknown) => {
      const nth = occurrences.get(String(checkId)) ?? 0;
      occurrences.set(String(checkId), nth + 1);
      const pattern = new RegExp(`id:\\s*["'\`]${String(checkId).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}["'\`]`);
      return checksSource ? lineContaining(checksSource, pattern, nth) : 1;
    };
    if (checks.length === 0) report(checksFile, 1, "the lab has no checks");
    const seen = new Map<string, number>();
    const checkLines: Array<{ id: string; line: number }> = [];
    for (const check of checks) {
      checkCount++;
      const line = at(check.id);
      checkLines.push({ id: String(check.id), line });
      const common = CheckCommonSchema.safeParse(check);
      if (!common.success) {
        for (const issue of common.error.issues) report(checksFile, line, `check "${String(check.id)}": \`${issue.path.join(".")}\` ${issue.message}`);
      }
      if (seen.has(check.id)) report(checksFile, line, `duplicate check id "${check.id}" (first used on line ${seen.get(check.id)}); ids must be unique in a lab`);
      else seen.set(check.id, line);

      let needsCluster = false;
      if (check.kind === "custom") {
        if (typeof (check as { run?: unknown }).run !== "function") report(checksFile, line, `check "${check.id}": a custom check needs a \`run(ctx)\` function`);
        needsCluster = Boolean(check.needsCluster);
      } else {
        const kind = builtinKind(check.kind);
        if (!kind) {
          report(checksFile, line, `check "${check.id}": unknown check kind "${String(check.kind)}" (see docs/lab-format.md for the kinds)`);
          continue;
        }
        needsCluster = kind.needsCluster;
        if (kind.needsRealWorkloads && fm.sandbox !== "none" && fm.workloads !== "real") {
          report(checksFile, line, `check "${check.id}" (${check.kind}) observes pods that really run, but lab.mdx does not say \`workloads: real\``);
        }
        const params = kind.params.safeParse((check as { params?: unknown }).params ?? {});
        if (!params.success) {
          for (const issue of params.error.issues) {
            report(checksFile, line, `check "${check.id}" (${check.kind}): params${issue.path.length ? `.${issue.path.join(".")}` : ""} ${issue.message}`);
          }
        } else {
          const p = params.data as { file?: string; files?: string[] };
          for (const file of [p.file, ...(p.files ?? [])].filter((f): f is string => typeof f === "string")) {
            if (!listed.has(file)) report(checksFile, line, `check "${check.id}" reads ${file}, which is not in the lab's \`files\``);
          }
        }
      }
      if (needsCluster && fm.sandbox === "none") {
        report(checksFile, line, `check "${check.id}" needs the sandbox, but lab.mdx says \`sandbox: none\``);
      }
      if (check.waitFor && common.success) {
        const wait = check.waitFor;
        if (!needsCluster) {
          report(checksFile, line, `check "${check.id}" has \`waitFor\`, but it reads only files, which do not change while it waits: waiting is for checks that read the sandbox`);
        }
        const timeout = checkTimeoutMs(check);
        if (wait.seconds * 1000 + WAIT_MARGIN_MS > timeout) {
          report(
            checksFile,
            line,
            `check "${check.id}": \`waitFor.seconds\` is ${wait.seconds}, which leaves its time limit (${timeout} ms${check.timeoutMs === undefined ? ", the default" : ""}) no room for its last run: set \`timeoutMs\` to at least ${wait.seconds * 1000 + WAIT_MARGIN_MS}`,
          );
        }
      }
    }

    // Steps: every check in exactly one step, each step's text, step setup and step solutions (lib/labs/steps.ts).
    problems.push(...checkSteps({ labDir: dir, source, fm, checks: checkLines, checksFile }));

    // Fixtures: wrong submissions that must fail named checks (lib/labs/fixtures.ts).
    const solution = Object.fromEntries(fm.files.flatMap((f) => {
      const text = f.readonly ? null : readOrNull(path.join(dir, "solution", f.path));
      return text === null ? [] : [[f.path, text]];
    }));
    const editable = new Set(fm.files.filter((f) => !f.readonly).map((f) => f.path));
    const steps = (fm.steps ?? []).map((step) => {
      const done = readStepSolution(dir, step.id, editable);
      return { id: step.id, checkIds: step.checks, solution: { ...solution, ...done.overlay }, removeObjects: done.removeObjects };
    });
    const fixtures = checkFixtures(dir, { files: fm.files, checkIds: checks.map((c) => c.id), solution, steps });
    fixtureCount += fixtures.fixtures;
    problems.push(...fixtures.problems);

    // Mutants of the reference implementation, for tests.mutationScore (lib/labs/mutants.ts).
    const starter = Object.fromEntries(fm.files.flatMap((f) => {
      const text = readOrNull(path.join(dir, "starter", f.path));
      return text === null ? [] : [[f.path, text]];
    }));
    problems.push(...checkMutants(dir, { files: fm.files, starter }));
  }
  return { problems, labs: folders.length, checks: checkCount, fixtures: fixtureCount };
}

/** Why a lab's text cannot have `runnable` blocks, or null when it has a terminal to run them. */
function terminalRule(lab: Lab): TerminalRule {
  if (labHasTerminal(lab)) return null;
  if (!lab.sandbox) return { noTerminal: "this lab has no terminal (`sandbox: none`); remove `runnable`: the block keeps its Copy button" };
  return { noTerminal: "this lab has no terminal (its workloads are simulated; only `workloads: real` labs have one); remove `runnable`: the block keeps its Copy button" };
}

/**
 * The instructions (lab.mdx's body and each step's steps/<id>.mdx) of every registered lab, compiled as the lab page compiles
 * them: MDX that compiles, the components lessons may use, and code blocks as lessons have them,
 * except that `runnable` blocks are allowed where the lab has a terminal. Labs whose frontmatter
 * is broken are left to checkLabs, which reports it.
 */
export async function checkLabTexts(options: LabCheckOptions & { cacheDir?: string | null }): Promise<ContentProblem[]> {
  const root = path.resolve(options.root);
  const registry = options.registry ?? LAB_REGISTRY;
  const problems: ContentProblem[] = [];
  const labs = Object.keys(registry).flatMap((id) => {
    try {
      const lab = getLab(id, { root, registry });
      return lab ? [lab] : [];
    } catch (error) {
      if (error instanceof LabDefinitionError) return [];
      throw error;
    }
  });
  // The lab's body and each step's text (steps/<id>.mdx), which the page compiles the same way.
  const texts = labs.flatMap((lab) => [{ lab, body: lab.body, file: lab.file }, ...lab.steps.map((step) => ({ lab, body: step.body, file: step.file }))]);
  await Promise.all(
    texts.map(async ({ lab, body, file }) => {
      const at = (place: { line: number; column: number }, message: string, suggestion?: string) =>
        problems.push({ file, line: place.line, column: place.column, message, ...(suggestion ? { suggestion } : {}) });
      try {
        const { analysis } = await compileMdx(body, { file, cacheDir: options.cacheDir ?? null });
        checkComponents(analysis, false, at);
        checkCodeBlocks(analysis, at, terminalRule(lab));
      } catch (error) {
        if (!(error instanceof MdxCompileError)) throw error;
        at(error, `MDX does not compile: ${error.reason}`);
      }
    }),
  );
  return problems.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}
