// content:check — validates the whole curriculum and reports every problem as
// `file:line:column — what is wrong`. It compiles every document (through the same cached
// compiler the site uses) and checks what docs/content-format.md promises: frontmatter,
// components, links and anchors, prerequisites, the quiz and the "Check yourself" section.
// One file on purpose: each check is a short function over the same loaded tree and problem list.
import "server-only";
import fs from "node:fs";
import path from "node:path";
import { createLowlight, common } from "lowlight";
import { compileMdx, MdxCompileError, type CompiledMdx } from "./compile";
import { frontmatterLinePlace, loadContent, OVERVIEW_SLUG, type ContentProblem, type LoadedLesson } from "./load";
import type { MdxAnalysis } from "./mdx-plugins";
import { closestMatch } from "./suggest";

export type { ContentProblem } from "./load";

export type CheckOptions = {
  /** The content folder. */
  root: string;
  /** Paths in the report are relative to this; defaults to the content folder's parent. */
  base?: string;
  /** Where `/figures/…` images are looked up; defaults to `<base>/public`. */
  publicDir?: string;
  /** On-disk cache for compiled MDX; null or absent for memory only. */
  cacheDir?: string | null;
  /** Called after each document is compiled. */
  onProgress?: (done: number, total: number) => void;
};

export type CheckReport = {
  problems: ContentProblem[];
  documents: number;
  modules: number;
  lessons: number;
};

const COMPONENTS = ["Callout", "Quiz", "Figure"];
const CALLOUT_TYPES = ["note", "tip", "warning", "danger"];
const PLAIN_LANGUAGES = ["text", "console"];
const CHECK_YOURSELF = "Check yourself";

const highlighter = createLowlight(common);

type Page = {
  file: string;
  path: string;
  source: string;
  lesson?: LoadedLesson;
  compiled?: CompiledMdx;
};

export async function checkContent(options: CheckOptions): Promise<CheckReport> {
  const root = path.resolve(options.root);
  const base = path.resolve(options.base ?? path.dirname(root));
  const publicDir = path.resolve(options.publicDir ?? path.join(base, "public"));
  const loaded = loadContent(root);
  const problems: ContentProblem[] = [...loaded.problems];
  const report = (file: string, line: number, column: number, message: string, suggestion?: string) =>
    problems.push({ file, line, column, message, ...(suggestion ? { suggestion } : {}) });

  const pages: Page[] = [];
  if (loaded.overview) {
    pages.push({ file: loaded.overview.file, path: `/learn/${OVERVIEW_SLUG}`, source: loaded.overview.source });
  }
  for (const mod of loaded.modules) {
    pages.push({ file: mod.file, path: `/learn/${mod.slug}`, source: mod.source });
    for (const lesson of mod.lessons) {
      pages.push({ file: lesson.file, path: `/learn/${mod.slug}/${lesson.slug}`, source: lesson.source, lesson });
    }
  }

  let done = 0;
  await Promise.all(
    pages.map(async (page) => {
      try {
        page.compiled = await compileMdx(page.source, { file: page.file, cacheDir: options.cacheDir ?? null });
      } catch (error) {
        if (error instanceof MdxCompileError) {
          const hint = error.reason.startsWith("Could not resolve")
            ? ": imports are not allowed; Callout, Quiz and Figure are available without importing them"
            : "";
          report(page.file, error.line, error.column, `MDX does not compile: ${error.reason}${hint}`);
        } else {
          report(page.file, 1, 1, `MDX does not compile: ${error instanceof Error ? error.message : String(error)}`);
        }
      } finally {
        options.onProgress?.(++done, pages.length);
      }
    }),
  );

  const headingIds = new Map<string, string[]>();
  // Pages that failed to compile are left out: their anchors are unknown, not missing.
  for (const page of pages) {
    if (page.compiled) headingIds.set(page.path, page.compiled.analysis.headings.map((h) => h.id));
  }
  const sitePaths = ["/learn", ...pages.map((page) => page.path)];

  for (const page of pages) {
    if (!page.compiled) continue;
    const analysis = page.compiled.analysis;
    const at = (place: { line: number; column: number }, message: string, suggestion?: string) =>
      report(page.file, place.line, place.column, message, suggestion);
    checkComponents(analysis, Boolean(page.lesson), at);
    checkCodeBlocks(analysis, at);
    checkLinks(analysis, page, sitePaths, headingIds, at);
    checkImages(analysis, publicDir, at);
    if (page.lesson) checkLessonShape(analysis, at);
  }

  checkPrerequisites(loaded.modules.flatMap((module) => module.lessons), report);

  problems.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
  return {
    problems: problems.map(({ blocking: _blocking, ...problem }) => problem),
    documents: pages.length,
    modules: loaded.modules.length,
    lessons: loaded.modules.reduce((sum, module) => sum + module.lessons.length, 0),
  };
}

export type At = (place: { line: number; column: number }, message: string, suggestion?: string) => void;

function quote(text: string | undefined): string | undefined {
  return text === undefined ? undefined : `\`${text}\``;
}

export function checkComponents(analysis: MdxAnalysis, isLesson: boolean, at: At) {
  if (analysis.esm.length > 0) {
    for (const place of analysis.esm) {
      at(place, "`import` and `export` are not allowed: Callout, Quiz and Figure are available without importing them");
    }
  }
  for (const element of analysis.elements) {
    const name = element.name;
    if (name === "" || /^[a-z][a-z0-9-]*$/.test(name)) continue; // fragments and HTML elements
    if (!COMPONENTS.includes(name)) {
      const match = closestMatch(name, COMPONENTS);
      at(
        element,
        `unknown component <${name}>: only Callout, Quiz and Figure (and lowercase HTML) are available`,
        match ? `<${match}>` : undefined,
      );
      continue;
    }
    if (name === "Callout") {
      const type = element.attributes.type;
      if (!("type" in element.attributes)) {
        at(element, `<Callout> needs a type: ${CALLOUT_TYPES.join(", ")}`);
      } else if (type === null || type === undefined || !CALLOUT_TYPES.includes(type)) {
        at(
          element,
          `<Callout type="${type ?? "{…}"}"> is not a callout type: use ${CALLOUT_TYPES.join(", ")}`,
          type ? quote(closestMatch(type, CALLOUT_TYPES)) : undefined,
        );
      }
    }
    if (name === "Figure" && typeof element.attributes.caption !== "string") {
      at(element, '<Figure> needs a caption: <Figure caption="What the figure shows">');
    }
    if (name === "Quiz" && !isLesson) {
      at(element, "<Quiz /> belongs in lessons only; this page has no quiz");
    }
  }
}

function checkLessonShape(analysis: MdxAnalysis, at: At) {
  const quizzes = analysis.elements.filter((element) => element.name === "Quiz");
  if (quizzes.length === 0) {
    at({ line: 1, column: 1 }, "lesson has no <Quiz />: put it once, near the end, before `## Check yourself`");
  }
  for (const extra of quizzes.slice(1)) {
    at(extra, "lesson has more than one <Quiz />: keep exactly one");
  }
  const checkYourself = analysis.headings.filter((heading) => heading.text === CHECK_YOURSELF && heading.depth === 2);
  if (checkYourself.length === 0) {
    const near = analysis.headings.find((heading) => heading.text.toLowerCase().replace(/\W+/g, "") === "checkyourself");
    if (near) {
      at(near, `lesson has no \`## ${CHECK_YOURSELF}\` section: this heading should be exactly \`## ${CHECK_YOURSELF}\``);
    } else {
      at({ line: 1, column: 1 }, `lesson has no \`## ${CHECK_YOURSELF}\` section: end the lesson with one`);
    }
  }
}

/** Fence languages a `runnable` block may have: what the lab's terminal (bash) runs. */
export const RUNNABLE_LANGUAGES = ["bash", "sh", "shell", "console"];
const META_WORDS = ["title", "runnable"];

/** Why a page's code blocks cannot be `runnable` (it has no terminal), or null when they can. */
export type TerminalRule = { noTerminal: string } | null;

const LESSONS_HAVE_NO_TERMINAL: TerminalRule = {
  noTerminal: "lessons have no terminal (only a lab whose sandbox runs real workloads has one); remove `runnable`: the block keeps its Copy button",
};

/**
 * Code blocks: a known language, only known meta words, and `runnable` only where a terminal
 * runs it (`terminal`), on a shell block with something to run. Lab text is checked by this
 * function too (lib/labs/check.ts).
 */
export function checkCodeBlocks(analysis: MdxAnalysis, at: At, terminal: TerminalRule = LESSONS_HAVE_NO_TERMINAL) {
  for (const block of analysis.codeBlocks) {
    for (const word of block.unknownMeta) {
      const name = word.split("=")[0]!;
      const suggestion = closestMatch(name, META_WORDS);
      at(block, `code block meta \`${word}\` is not known: a fence takes \`title="…"\` and \`runnable\``, suggestion === name ? undefined : quote(suggestion));
    }
    if (block.runnable) checkRunnable(block, at, terminal);
    if (!block.language) {
      at(block, "code block has no language: fence it as ```python, ```console, ```text, …");
      continue;
    }
    if (PLAIN_LANGUAGES.includes(block.language) || highlighter.registered(block.language)) continue;
    if (block.language === "dockerfile" || block.language === "http") continue;
    const known = [...PLAIN_LANGUAGES, "dockerfile", "http", ...highlighter.listLanguages()];
    at(block, `code block language \`${block.language}\` is not known`, quote(closestMatch(block.language, known)));
  }
}

function checkRunnable(block: MdxAnalysis["codeBlocks"][number], at: At, terminal: TerminalRule) {
  if (terminal) {
    at(block, `\`runnable\` block, but ${terminal.noTerminal}`);
    return;
  }
  if (!block.language || !RUNNABLE_LANGUAGES.includes(block.language)) {
    at(block, `\`runnable\` is for shell commands: fence the block as \`\`\`bash runnable (or sh, shell, console)${block.language ? `, not ${block.language}` : ""}`);
    return;
  }
  if (block.commands.trim() === "") {
    at(
      block,
      block.language === "console"
        ? "`runnable` console block has no command: its commands are the lines that start with `$ `"
        : "`runnable` block is empty: write the command the learner runs",
    );
  }
}

function checkLinks(
  analysis: MdxAnalysis,
  page: Page,
  sitePaths: string[],
  headingIds: Map<string, string[]>,
  at: At,
) {
  for (const link of analysis.links) {
    const href = link.href;
    if (href.startsWith("#")) {
      checkAnchor(link, decodeURIComponent(href.slice(1)), page.path, headingIds, at, "this page");
      continue;
    }
    if (/^[a-z][a-z0-9+.-]*:/i.test(href) || href.startsWith("//")) continue; // https:, mailto:, …
    if (!href.startsWith("/")) {
      at(link, `link \`${href}\` is relative: write internal links as site paths, like /learn/<module>/<lesson>`);
      continue;
    }
    const [rawPath = "", hash] = href.split("#", 2) as [string, string | undefined];
    const target = rawPath.split("?")[0]!.replace(/(.)\/$/, "$1");
    if (target !== "/learn" && !target.startsWith("/learn/")) continue; // other parts of the site
    if (!sitePaths.includes(target)) {
      at(link, `link to \`${target}\` goes nowhere: there is no such page`, quote(closestMatch(target, sitePaths)));
      continue;
    }
    if (hash !== undefined && target !== "/learn") {
      checkAnchor(link, decodeURIComponent(hash), target, headingIds, at, `\`${target}\``);
    }
  }
}

function checkAnchor(
  place: { line: number; column: number },
  id: string,
  pagePath: string,
  headingIds: Map<string, string[]>,
  at: At,
  where: string,
) {
  const ids = headingIds.get(pagePath);
  if (!ids || ids.includes(id)) return;
  const match = closestMatch(id, ids);
  at(place, `link to \`#${id}\` goes nowhere: ${where} has no heading with that id`, match ? `\`#${match}\`` : undefined);
}

function checkImages(analysis: MdxAnalysis, publicDir: string, at: At) {
  for (const image of analysis.images) {
    const src = image.src;
    if (/^[a-z][a-z0-9+.-]*:/i.test(src) || src.startsWith("//")) continue;
    if (!src.startsWith("/figures/")) {
      at(image, `image \`${src}\` must be a site path under /figures/, with its file in public/figures/`);
      continue;
    }
    if (!fs.existsSync(path.join(publicDir, decodeURIComponent(src)))) {
      at(image, `image \`${src}\` does not exist: add the file public${src}`);
    }
  }
}

type Report = (file: string, line: number, column: number, message: string, suggestion?: string) => void;

function checkPrerequisites(lessons: LoadedLesson[], report: Report) {
  const byId = new Map(lessons.map((lesson) => [lesson.id, lesson]));
  const ids = [...byId.keys()];
  const placeOf = (lesson: LoadedLesson, id: string) =>
    frontmatterLinePlace(
      lesson.source,
      (line) => line.includes(id),
      (line) => /^prerequisites\s*:/.test(line),
    );

  for (const lesson of lessons) {
    for (const id of lesson.frontmatter?.prerequisites ?? []) {
      if (byId.has(id)) continue;
      const place = placeOf(lesson, id);
      report(lesson.file, place.line, place.column, `prerequisite \`${id}\` is not a lesson`, quote(closestMatch(id, ids)));
    }
  }

  // Depth-first search; each cycle is reported once, at the prerequisite that closes it.
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (id: string) => {
    state.set(id, "visiting");
    stack.push(id);
    const lesson = byId.get(id)!;
    for (const next of lesson.frontmatter?.prerequisites ?? []) {
      if (!byId.has(next)) continue;
      if (state.get(next) === "visiting") {
        const cycle = [...stack.slice(stack.indexOf(next)), next];
        const place = placeOf(lesson, next);
        report(lesson.file, place.line, place.column, `prerequisites form a cycle: ${cycle.join(" → ")}`);
      } else if (!state.has(next)) {
        visit(next);
      }
    }
    stack.pop();
    state.set(id, "done");
  };
  for (const id of ids) if (!state.has(id)) visit(id);
}

export function formatProblem(problem: ContentProblem, base: string): string {
  const file = path.relative(base, problem.file) || problem.file;
  const suggestion = problem.suggestion ? ` (did you mean ${problem.suggestion}?)` : "";
  return `${file}:${problem.line}:${problem.column} — ${problem.message}${suggestion}`;
}

export function formatSummary(report: CheckReport): string {
  const scope = `${report.documents} document${report.documents === 1 ? "" : "s"} (${report.modules} module${report.modules === 1 ? "" : "s"}, ${report.lessons} lesson${report.lessons === 1 ? "" : "s"})`;
  if (report.problems.length === 0) return `content:check: ${scope}, no problems.`;
  const files = new Set(report.problems.map((problem) => problem.file)).size;
  const count = report.problems.length;
  return `content:check: ${count} problem${count === 1 ? "" : "s"} in ${files} file${files === 1 ? "" : "s"}; checked ${scope}.`;
}
