// Reads the content tree (docs/content-format.md): finds the overview, modules and lessons, parses
// and validates their frontmatter, and reports layout problems (missing index.mdx, bad folder
// names, duplicate slugs or orders, empty modules). No MDX compilation happens here, so listing the
// catalogue stays cheap. Used by the catalogue and by content:check.
import "server-only";
import fs from "node:fs";
import path from "node:path";
import type { z } from "zod";
import { parseFrontmatter, splitFrontmatter, type SourceProblem } from "./frontmatter";
import {
  LessonFrontmatterSchema,
  ModuleFrontmatterSchema,
  OverviewFrontmatterSchema,
  SlugSchema,
  type LessonFrontmatter,
  type ModuleFrontmatter,
  type OverviewFrontmatter,
} from "./schema";

export const OVERVIEW_SLUG = "overview";
const INDEX = "index.mdx";

export type ContentProblem = SourceProblem & {
  /** Absolute path of the file the problem is in. */
  file: string;
  /** True when the document cannot be used at all (its frontmatter is invalid). */
  blocking?: boolean;
};

type Document<F> = {
  /** Absolute path of the document's index.mdx. */
  file: string;
  source: string;
  /** Null when the frontmatter is invalid (the problems say why). */
  frontmatter: F | null;
};

export type LoadedOverview = Document<OverviewFrontmatter>;
export type LoadedLesson = Document<LessonFrontmatter> & { id: string; slug: string; moduleSlug: string };
export type LoadedModule = Document<ModuleFrontmatter> & { slug: string; lessons: LoadedLesson[] };

export type LoadedContent = {
  root: string;
  overview: LoadedOverview | null;
  /** Ordered by `order`, then slug; lessons likewise inside each module. */
  modules: LoadedModule[];
  problems: ContentProblem[];
};

export function loadContent(root: string): LoadedContent {
  const absoluteRoot = path.resolve(root);
  const problems: ContentProblem[] = [];
  const report = (file: string, problem: SourceProblem, blocking = false) =>
    problems.push({ file, ...problem, ...(blocking ? { blocking } : {}) });

  let overview: LoadedOverview | null = null;
  const modules: LoadedModule[] = [];

  for (const entry of listEntries(absoluteRoot)) {
    const folder = path.join(absoluteRoot, entry.name);
    if (!entry.isDirectory()) {
      if (entry.name.endsWith(".mdx")) {
        report(folder, {
          line: 1,
          column: 1,
          message: "is not part of the content layout: modules live in `<module>/index.mdx`",
        });
      }
      continue;
    }
    const file = path.join(folder, INDEX);
    if (entry.name === OVERVIEW_SLUG) {
      overview = readDocument(file, OverviewFrontmatterSchema, report);
      continue;
    }
    if (!checkSlug(entry.name, file, "module", report)) continue;
    const mod = readDocument(file, ModuleFrontmatterSchema, report);
    if (!mod) {
      report(file, { line: 1, column: 1, message: "is missing: every module folder needs an index.mdx" });
      continue;
    }
    const lessons: LoadedLesson[] = [];
    for (const lessonEntry of listEntries(folder)) {
      const lessonFolder = path.join(folder, lessonEntry.name);
      if (!lessonEntry.isDirectory()) {
        if (lessonEntry.name.endsWith(".mdx") && lessonEntry.name !== INDEX) {
          report(lessonFolder, {
            line: 1,
            column: 1,
            message: "is not part of the content layout: lessons live in `<module>/<lesson>/index.mdx`",
          });
        }
        continue;
      }
      const lessonFile = path.join(lessonFolder, INDEX);
      if (!checkSlug(lessonEntry.name, lessonFile, "lesson", report)) continue;
      const lesson = readDocument(lessonFile, LessonFrontmatterSchema, report);
      if (!lesson) {
        report(lessonFile, { line: 1, column: 1, message: "is missing: every lesson folder needs an index.mdx" });
        continue;
      }
      lessons.push({ ...lesson, id: `${entry.name}/${lessonEntry.name}`, slug: lessonEntry.name, moduleSlug: entry.name });
    }
    if (lessons.length === 0) {
      report(file, { line: 1, column: 1, message: `module \`${entry.name}\` has no lessons` });
    }
    checkUnique(lessons, "lesson", report);
    modules.push({ ...mod, slug: entry.name, lessons: lessons.sort(byOrder) });
  }
  if (!overview) {
    report(path.join(absoluteRoot, OVERVIEW_SLUG, INDEX), {
      line: 1,
      column: 1,
      message: "is missing: the overview page lives in `overview/index.mdx`",
    });
  }
  checkUnique(modules, "module", report);
  return { root: absoluteRoot, overview, modules: modules.sort(byOrder), problems };
}

/** Sorted directory entries; dot-files and folders are ignored. */
function listEntries(folder: string): fs.Dirent[] {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(folder, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.filter((entry) => !entry.name.startsWith(".")).sort((a, b) => a.name.localeCompare(b.name));
}

type Report = (file: string, problem: SourceProblem, blocking?: boolean) => void;

function checkSlug(name: string, file: string, kind: string, report: Report): boolean {
  const result = SlugSchema.safeParse(name);
  if (result.success) return true;
  report(file, { line: 1, column: 1, message: `${kind} folder name \`${name}\` ${result.error.issues[0]?.message}` }, true);
  return false;
}

function readDocument<S extends z.ZodType>(file: string, schema: S, report: Report): Document<z.infer<S>> | null {
  let source: string;
  try {
    source = fs.readFileSync(file, "utf8");
  } catch {
    return null;
  }
  const parsed = parseFrontmatter(source, schema);
  for (const problem of parsed.problems) report(file, problem, true);
  return { file, source, frontmatter: parsed.ok ? parsed.data : null };
}

type Ordered = { slug: string; file: string; source: string; frontmatter: { order: number } | null };

function byOrder(a: Ordered, b: Ordered): number {
  return (a.frontmatter?.order ?? Infinity) - (b.frontmatter?.order ?? Infinity) || a.slug.localeCompare(b.slug);
}

function checkUnique(items: Ordered[], kind: "module" | "lesson", report: Report) {
  const slugs = new Map<string, string>();
  const orders = new Map<number, string>();
  for (const item of [...items].sort((a, b) => a.slug.localeCompare(b.slug))) {
    const folded = item.slug.toLowerCase();
    const sameSlug = slugs.get(folded);
    if (sameSlug !== undefined) {
      report(item.file, { line: 1, column: 1, message: `${kind} slug \`${item.slug}\` duplicates \`${sameSlug}\`` });
    } else {
      slugs.set(folded, item.slug);
    }
    const order = item.frontmatter?.order;
    if (order === undefined) continue;
    const sameOrder = orders.get(order);
    if (sameOrder !== undefined) {
      const where = kind === "module" ? "among modules" : "inside this module";
      report(item.file, {
        ...frontmatterKeyPlace(item.source, "order"),
        message: `order ${order} is also used by ${kind} \`${sameOrder}\`; orders must be unique ${where}`,
      });
    } else {
      orders.set(order, item.slug);
    }
  }
}

/** Line and column of a top-level frontmatter key (1:1 when it cannot be found). */
export function frontmatterKeyPlace(source: string, key: string): { line: number; column: number } {
  return frontmatterLinePlace(source, (line) => new RegExp(`^${key}\\s*:`).test(line));
}

/** Line and column of the first frontmatter line for which `matches` holds (1:1 when none does). */
export function frontmatterLinePlace(
  source: string,
  matches: (line: string) => boolean,
  after?: (line: string) => boolean,
): { line: number; column: number } {
  const split = splitFrontmatter(source);
  if (split.yaml === null) return { line: 1, column: 1 };
  const lines = split.yaml.split("\n");
  let start = 0;
  if (after) {
    const index = lines.findIndex(after);
    if (index >= 0) start = index;
  }
  for (let index = start; index < lines.length; index++) {
    if (matches(lines[index]!)) {
      const column = lines[index]!.search(/\S/) + 1;
      return { line: index + split.yamlLine, column: Math.max(column, 1) };
    }
  }
  return { line: 1, column: 1 };
}
