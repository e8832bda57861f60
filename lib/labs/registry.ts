// Loading labs for the site and the grader: the static registry in labs/index.ts says which labs
// exist and holds their checks; lab.mdx (frontmatter + instructions), starter/, solution/ and
// setup/ are read from disk once per process, except in `next dev`, where they are read on every
// use so an author's edit shows on the next request (checks.ts is a module: the dev server reloads
// it, and this file with it). A broken lab fails loudly with its id (content:check reports the
// details as file:line).
import "server-only";
import fs from "node:fs";
import path from "node:path";
import { LAB_REGISTRY } from "@/labs";
import { parseFrontmatter, splitFrontmatter } from "@/lib/content/frontmatter";
import { builtinKind } from "@/lib/checks/kinds";
import { env } from "@/lib/env";
import type { SizeProfile, WorkloadPlacement } from "@/lib/sandbox/profiles";
import type { CheckDefinition } from "./define";
import { DEFAULT_CHECK_TIMEOUT_MS, LAB_ID_PATTERN, LabFrontmatterSchema, type FileLanguage, type LabBuild, type LabFrontmatter } from "./schema";
import { readSetupFiles, type SetupFile } from "./setup";

export type LabRegistry = Readonly<Record<string, readonly CheckDefinition[]>>;

export type LabFile = { path: string; language: FileLanguage; readonly: boolean; apply: boolean };

/** One of a lab's ordered steps (frontmatter `steps:`, docs/lab-format.md "Steps"). */
export type LabStep = {
  id: string;
  title: string;
  /** The step's checks, in the order the step lists them. */
  checks: readonly CheckDefinition[];
  points: number;
  /** The step's text: steps/<id>.mdx, MDX without frontmatter. Never sent for a locked step. */
  body: string;
  /** Absolute path of steps/<id>.mdx (for error messages and compilation). */
  file: string;
  /** The folder of setup objects applied when the step unlocks (see stepSetupManifests); null for none. */
  setup: string | null;
};

export type Lab = {
  id: string;
  title: string;
  module: string;
  summary: string;
  difficulty: LabFrontmatter["difficulty"];
  minutes: number;
  /** Sandbox size profile; null for labs without a cluster. */
  sandbox: SizeProfile | null;
  ttlMinutes: number | null;
  /** Where the sandbox's pods run (frontmatter `workloads:`). */
  workloads: WorkloadPlacement;
  files: LabFile[];
  /** The image the lab's "Build image" builds (lib/builds); null for labs without one. */
  build: LabBuild | null;
  /** The folder of setup objects the sandbox starts with (frontmatter `setup:`, see setupManifests); null for none. */
  setup: string | null;
  /** The instructions: MDX source without the frontmatter (line numbers kept). */
  body: string;
  /** Absolute path of lab.mdx (for error messages and compilation). */
  file: string;
  checks: readonly CheckDefinition[];
  totalPoints: number;
  /** Ordered steps; empty for a lab graded as one (every check on the final state). */
  steps: LabStep[];
};

/** What a page may show about a lab's checks before grading (no params, no hints). */
export type PublicCheck = { id: string; title: string; points: number };

export class LabDefinitionError extends Error {
  override name = "LabDefinitionError";
}

export type LabOptions = { root?: string; registry?: LabRegistry };

function rootOf(options: LabOptions): string {
  return path.resolve(options.root ?? path.join(process.cwd(), "labs"));
}

/**
 * A per-process cache of what is read from labs/. In development (`next dev`) it keeps nothing:
 * lab.mdx, starter/, solution/ and setup/ are plain files the dev server does not watch.
 */
function fileCache<V>(): { get(key: string): V | undefined; set(key: string, value: V): void } {
  const entries = new Map<string, V>();
  const keep = env.NODE_ENV !== "development";
  return {
    get: (key) => (keep ? entries.get(key) : undefined),
    set: (key, value) => {
      if (keep) entries.set(key, value);
    },
  };
}

const cache = fileCache<Lab>();

/** The lab, or null when no lab has this id. Throws LabDefinitionError for a broken lab. */
export function getLab(id: string, options: LabOptions = {}): Lab | null {
  const registry = options.registry ?? LAB_REGISTRY;
  if (typeof id !== "string" || !LAB_ID_PATTERN.test(id) || !Object.hasOwn(registry, id)) return null;
  const root = rootOf(options);
  const key = `${root}\0${id}`;
  const cached = options.registry ? undefined : cache.get(key);
  if (cached) return cached;
  const lab = loadLab(root, id, registry[id]!);
  if (!options.registry) cache.set(key, lab);
  return lab;
}

/** Every registered lab, by module then title. */
export function listLabs(options: LabOptions = {}): Lab[] {
  const registry = options.registry ?? LAB_REGISTRY;
  return Object.keys(registry)
    .map((id) => getLab(id, options)!)
    .sort((a, b) => a.module.localeCompare(b.module) || a.title.localeCompare(b.title));
}

export function labsForModule(moduleSlug: string, options: LabOptions = {}): Lab[] {
  return listLabs(options).filter((lab) => lab.module === moduleSlug);
}

export function publicChecks(lab: Pick<Lab, "checks">): PublicCheck[] {
  return lab.checks.map(({ id, title, points }) => ({ id, title, points }));
}

/** Whether the lab page has a terminal: a shell in the sandbox, which only real workloads have. */
export function labHasTerminal(lab: Pick<Lab, "sandbox" | "workloads">): boolean {
  return lab.sandbox !== null && lab.workloads === "real";
}

/** Whether grading this lab reads the learner's namespace. */
export function checkNeedsCluster(check: CheckDefinition): boolean {
  if (check.kind === "custom") return Boolean(check.needsCluster);
  return builtinKind(check.kind)?.needsCluster ?? false;
}

/**
 * A check's time limit: its own `timeoutMs`, else its kind's, else `defaultMs`; never more than
 * its kind's limit or, for kinds without one, 60 s. The grader stops the check there.
 */
export function checkTimeoutMs(check: CheckDefinition, defaultMs = DEFAULT_CHECK_TIMEOUT_MS): number {
  const kindLimit = check.kind === "custom" ? undefined : builtinKind(check.kind)?.timeoutMs;
  return Math.min(check.timeoutMs ?? kindLimit ?? defaultMs, kindLimit ?? 60_000);
}

function loadLab(root: string, id: string, checks: readonly CheckDefinition[]): Lab {
  const file = path.join(root, id, "lab.mdx");
  let source: string;
  try {
    source = fs.readFileSync(file, "utf8");
  } catch {
    throw new LabDefinitionError(`Lab "${id}" is registered but ${file} cannot be read. Run npm run content:check.`);
  }
  const parsed = parseFrontmatter(source, LabFrontmatterSchema);
  if (!parsed.ok) {
    const first = parsed.problems[0]!;
    throw new LabDefinitionError(`Lab "${id}": ${file}:${first.line} ${first.message}. Run npm run content:check.`);
  }
  const fm = parsed.data;
  const byId = new Map(checks.map((c) => [c.id, c]));
  const steps = (fm.steps ?? []).map((step): LabStep => {
    // A check the registry does not have is content:check's to report; labs:verify's fixtures
    // grade through a registry with only the checks a fixture names.
    const stepChecks = step.checks.flatMap((checkId) => byId.get(checkId) ?? []);
    const stepFile = path.join(root, id, "steps", `${step.id}.mdx`);
    let body: string;
    try {
      body = fs.readFileSync(stepFile, "utf8");
    } catch {
      throw new LabDefinitionError(`Lab "${id}": step "${step.id}" has no text: ${stepFile} cannot be read. Run npm run content:check.`);
    }
    return { id: step.id, title: step.title, checks: stepChecks, points: stepChecks.reduce((sum, c) => sum + c.points, 0), body, file: stepFile, setup: step.setup ?? null };
  });
  return {
    id,
    title: fm.title,
    module: fm.module,
    summary: fm.summary,
    difficulty: fm.difficulty,
    minutes: fm.minutes,
    sandbox: fm.sandbox === "none" ? null : fm.sandbox,
    ttlMinutes: fm.sandbox === "none" ? null : (fm.ttlMinutes ?? null),
    workloads: fm.workloads,
    files: fm.files.map((f) => ({ path: f.path, language: f.language, readonly: f.readonly, apply: f.apply })),
    build: fm.build ?? null,
    setup: fm.setup ?? null,
    body: splitFrontmatter(source).body,
    file,
    checks,
    totalPoints: checks.reduce((sum, c) => sum + c.points, 0),
    steps,
  };
}

function readTree(lab: Lab, folder: "starter" | "solution", paths: string[], fallback?: Record<string, string>): Record<string, string> {
  const dir = path.join(path.dirname(lab.file), folder);
  const files: Record<string, string> = {};
  for (const p of paths) {
    try {
      files[p] = fs.readFileSync(path.join(dir, p), "utf8");
    } catch {
      if (fallback && p in fallback) files[p] = fallback[p]!;
      else throw new LabDefinitionError(`Lab "${lab.id}": ${folder}/${p} is missing. Run npm run content:check.`);
    }
  }
  return files;
}

const starterCache = fileCache<Record<string, string>>();

/** Every file of the lab as the learner starts (read-only files included). */
export function starterFiles(lab: Lab): Record<string, string> {
  const cached = starterCache.get(lab.file);
  if (cached) return { ...cached };
  const files = readTree(lab, "starter", lab.files.map((f) => f.path));
  starterCache.set(lab.file, files);
  return { ...files };
}

/** The reference solution: editable files from solution/, read-only ones from starter/. Never for learners. */
export function solutionFiles(lab: Lab): Record<string, string> {
  const starter = starterFiles(lab);
  const readonly = Object.fromEntries(lab.files.filter((f) => f.readonly).map((f) => [f.path, starter[f.path]!]));
  return { ...readTree(lab, "solution", lab.files.filter((f) => !f.readonly).map((f) => f.path)), ...readonly };
}

const setupCache = fileCache<SetupFile[]>();

/** The manifests of one setup folder of the lab, read once; empty for none. */
function setupFolder(lab: Lab, folder: string | null): SetupFile[] {
  if (!folder) return [];
  const key = `${lab.file}\0${folder}`;
  const cached = setupCache.get(key);
  if (cached) return cached;
  let files: SetupFile[];
  try {
    files = readSetupFiles(path.dirname(lab.file), folder);
  } catch {
    throw new LabDefinitionError(`Lab "${lab.id}": its setup folder ${folder}/ cannot be read. Run npm run content:check.`);
  }
  if (files.length === 0) throw new LabDefinitionError(`Lab "${lab.id}": its setup folder ${folder}/ has no manifests. Run npm run content:check.`);
  setupCache.set(key, files);
  return files;
}

/**
 * The lab's setup objects as the sandbox applies them at start and reset (docs/decisions/015):
 * every manifest file of its `setup:` folder, by name; empty for a lab without one.
 */
export function setupManifests(lab: Lab): SetupFile[] {
  return setupFolder(lab, lab.setup);
}

/** A step's setup objects (its `setup:` folder), applied when the step unlocks; empty for none. */
export function stepSetupManifests(lab: Lab, stepId: string): SetupFile[] {
  const step = lab.steps.find((s) => s.id === stepId);
  if (!step) throw new LabDefinitionError(`Lab "${lab.id}" has no step "${stepId}".`);
  return setupFolder(lab, step.setup);
}

/**
 * What a sandbox of this lab starts with for a learner who has completed `completedSteps`: the
 * lab's setup objects, then the setup of every step unlocked so far, in step order. Start and
 * reset both use it, so a fresh sandbox is as the learner's current step expects it.
 */
export function sandboxSetup(lab: Lab, completedSteps: readonly string[]): SetupFile[] {
  const unlocked = unlockedSteps(lab, completedSteps);
  return [...setupManifests(lab), ...unlocked.flatMap((step) => setupFolder(lab, step.setup))];
}

/**
 * The steps the learner has unlocked: every completed step and the current one (the first one not
 * completed). Steps complete in order, so this is a prefix of lab.steps.
 */
export function unlockedSteps(lab: Pick<Lab, "steps">, completedSteps: readonly string[]): LabStep[] {
  const current = currentStepIndex(lab, completedSteps);
  return lab.steps.slice(0, current === -1 ? lab.steps.length : current + 1);
}

/** Index of the current step (the first one not completed); -1 when every step is (or the lab has none). */
export function currentStepIndex(lab: Pick<Lab, "steps">, completedSteps: readonly string[]): number {
  const done = new Set(completedSteps);
  return lab.steps.findIndex((step) => !done.has(step.id));
}
