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

export function publicChecks(lab: Lab): PublicCheck[] {
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

/**
 * The lab's setup objects as the sandbox applies them at start and reset (docs/decisions/015):
 * every manifest file of its `setup:` folder, by name; empty for a lab without one.
 */
export function setupManifests(lab: Lab): SetupFile[] {
  if (!lab.setup) return [];
  const cached = setupCache.get(lab.file);
  if (cached) return cached;
  let files: SetupFile[];
  try {
    files = readSetupFiles(path.dirname(lab.file), lab.setup);
  } catch {
    throw new LabDefinitionError(`Lab "${lab.id}": its setup folder ${lab.setup}/ cannot be read. Run npm run content:check.`);
  }
  if (files.length === 0) throw new LabDefinitionError(`Lab "${lab.id}": its setup folder ${lab.setup}/ has no manifests. Run npm run content:check.`);
  setupCache.set(lab.file, files);
  return files;
}
