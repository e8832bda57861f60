// The curriculum as pages see it: ordered modules and lessons with their metadata, and compiled
// MDX for one page at a time. Quiz answers never leave this folder except through
// `getQuizWithAnswers`, which only the grader uses.
import "server-only";
import fs from "node:fs";
import path from "node:path";
import { env } from "@/lib/env";
import { compileMdx, type CompiledMdx } from "./compile";
import { loadContent, OVERVIEW_SLUG, type LoadedContent, type LoadedLesson } from "./load";
import type { PublicQuestion, QuizQuestion } from "./schema";

export type { PublicQuestion } from "./schema";

export type ContentOptions = {
  /** The content folder; defaults to `<cwd>/content`. */
  root?: string;
  /** Where compiled MDX is cached on disk; defaults to `<ACADEMY_DATA_DIR>/cache/mdx`, null for memory only. */
  cacheDir?: string | null;
};

export type LessonRef = { id: string; moduleSlug: string; slug: string; title: string; href: string };

export type LessonMeta = LessonRef & {
  summary: string;
  order: number;
  minutes: number;
  objectives: string[];
  /** Prerequisite lessons that exist, in the order the frontmatter lists them. */
  prerequisites: LessonRef[];
  questionCount: number;
};

export type ModuleMeta = {
  slug: string;
  href: string;
  title: string;
  summary: string;
  order: number;
  /** Sum of the lessons' minutes. */
  minutes: number;
  lessons: LessonMeta[];
};

export type OverviewMeta = { title: string; summary: string; href: string };

export type Catalogue = { overview: OverviewMeta | null; modules: ModuleMeta[] };

export type TocEntry = { depth: number; text: string; id: string };

/** Compiled MDX for `MdxContent`, plus the page's table of contents (## and ### headings). */
export type CompiledPage = { code: string; toc: TocEntry[] };

export type OverviewPage = CompiledPage & { overview: OverviewMeta };
export type ModulePage = CompiledPage & { module: ModuleMeta };
export type LessonPage = CompiledPage & {
  lesson: LessonMeta;
  module: Pick<ModuleMeta, "slug" | "href" | "title">;
  quiz: PublicQuestion[];
  prev: LessonRef | null;
  next: LessonRef | null;
};

/** Thrown when content cannot be loaded; the message lists each problem as `file:line:column — …`. */
export class ContentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ContentError";
  }
}

type State = {
  fingerprint: string;
  loaded: LoadedContent;
  catalogue: Catalogue;
  lessons: Map<string, { loaded: LoadedLesson; meta: LessonMeta }>;
};

const states = new Map<string, State>();

function resolveRoot(options?: ContentOptions): string {
  // Kept statically scoped to content/ so the production build traces only that folder.
  if (options?.root) return path.resolve(/*turbopackIgnore: true*/ options.root);
  return path.join(process.cwd(), "content");
}

function resolveCacheDir(options?: ContentOptions): string | null {
  if (options && options.cacheDir !== undefined) return options.cacheDir;
  return path.join(env.ACADEMY_DATA_DIR, "cache", "mdx");
}

function load(options?: ContentOptions): State {
  const root = resolveRoot(options);
  const cached = states.get(root);
  // In production the content is fixed at build time; elsewhere authors edit it while the server
  // runs, so a cheap listing of modification times decides whether to read it again.
  if (cached && env.NODE_ENV === "production") return cached;
  const fingerprint = fingerprintOf(root);
  if (cached && cached.fingerprint === fingerprint) return cached;
  const state = build(loadContent(root), fingerprint);
  states.set(root, state);
  return state;
}

function fingerprintOf(root: string): string {
  const parts: string[] = [];
  const visit = (folder: string, depth: number) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(folder, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const full = path.join(folder, entry.name);
      if (entry.isDirectory() && depth < 2) visit(full, depth + 1);
      else if (entry.name.endsWith(".mdx")) {
        const stat = fs.statSync(full, { throwIfNoEntry: false });
        if (stat) parts.push(`${full}:${stat.mtimeMs}:${stat.size}`);
      }
    }
  };
  visit(root, 0);
  return parts.sort().join("\n");
}

function build(loaded: LoadedContent, fingerprint: string): State {
  const blocking = loaded.problems.filter((problem) => problem.blocking);
  if (blocking.length > 0) {
    const lines = blocking.map(
      (problem) => `${path.relative(process.cwd(), problem.file)}:${problem.line}:${problem.column} — ${problem.message}`,
    );
    throw new ContentError(`The curriculum in ${loaded.root} has invalid content:\n${lines.join("\n")}`);
  }

  const refs = new Map<string, LessonRef>();
  for (const mod of loaded.modules) {
    for (const lesson of mod.lessons) {
      refs.set(lesson.id, {
        id: lesson.id,
        moduleSlug: mod.slug,
        slug: lesson.slug,
        title: lesson.frontmatter!.title,
        href: `/learn/${mod.slug}/${lesson.slug}`,
      });
    }
  }

  const lessons = new Map<string, { loaded: LoadedLesson; meta: LessonMeta }>();
  const modules: ModuleMeta[] = loaded.modules.map((module) => {
    const metas = module.lessons.map((lesson): LessonMeta => {
      const frontmatter = lesson.frontmatter!;
      const meta: LessonMeta = {
        ...refs.get(lesson.id)!,
        summary: frontmatter.summary,
        order: frontmatter.order,
        minutes: frontmatter.minutes,
        objectives: frontmatter.objectives,
        prerequisites: frontmatter.prerequisites.flatMap((id) => refs.get(id) ?? []),
        questionCount: frontmatter.quiz.length,
      };
      lessons.set(lesson.id, { loaded: lesson, meta });
      return meta;
    });
    const frontmatter = module.frontmatter!;
    return {
      slug: module.slug,
      href: `/learn/${module.slug}`,
      title: frontmatter.title,
      summary: frontmatter.summary,
      order: frontmatter.order,
      minutes: metas.reduce((sum, lesson) => sum + lesson.minutes, 0),
      lessons: metas,
    };
  });

  const overview = loaded.overview?.frontmatter
    ? { title: loaded.overview.frontmatter.title, summary: loaded.overview.frontmatter.summary, href: `/learn/${OVERVIEW_SLUG}` }
    : null;
  return { fingerprint, loaded, catalogue: { overview, modules }, lessons };
}

async function compilePage(file: string, source: string, options?: ContentOptions): Promise<CompiledPage> {
  const compiled: CompiledMdx = await compileMdx(source, { file, cacheDir: resolveCacheDir(options) });
  const toc = compiled.analysis.headings
    .filter((heading) => heading.depth === 2 || heading.depth === 3)
    .map(({ depth, text, id }) => ({ depth, text, id }));
  return { code: compiled.code, toc };
}

/** All modules in order, each with its lessons in order. Metadata only: nothing is compiled. */
export function getCatalogue(options?: ContentOptions): Catalogue {
  return load(options).catalogue;
}

export async function getOverview(options?: ContentOptions): Promise<OverviewPage | null> {
  const state = load(options);
  const overview = state.catalogue.overview;
  const loaded = state.loaded.overview;
  if (!overview || !loaded) return null;
  return { overview, ...(await compilePage(loaded.file, loaded.source, options)) };
}

export async function getModule(moduleSlug: string, options?: ContentOptions): Promise<ModulePage | null> {
  const state = load(options);
  const mod = state.catalogue.modules.find((candidate) => candidate.slug === moduleSlug);
  const loaded = state.loaded.modules.find((candidate) => candidate.slug === moduleSlug);
  if (!mod || !loaded) return null;
  return { module: mod, ...(await compilePage(loaded.file, loaded.source, options)) };
}

export async function getLesson(
  moduleSlug: string,
  lessonSlug: string,
  options?: ContentOptions,
): Promise<LessonPage | null> {
  const state = load(options);
  const entry = state.lessons.get(`${moduleSlug}/${lessonSlug}`);
  if (!entry) return null;
  const mod = state.catalogue.modules.find((candidate) => candidate.slug === moduleSlug)!;
  // Previous and next run through the whole curriculum, across module boundaries.
  const sequence = state.catalogue.modules.flatMap((candidate) => candidate.lessons);
  const index = sequence.findIndex((lesson) => lesson.id === entry.meta.id);
  const ref = (lesson: LessonMeta | undefined): LessonRef | null =>
    lesson ? { id: lesson.id, moduleSlug: lesson.moduleSlug, slug: lesson.slug, title: lesson.title, href: lesson.href } : null;
  return {
    lesson: entry.meta,
    module: { slug: mod.slug, href: mod.href, title: mod.title },
    quiz: toPublicQuiz(entry.loaded.frontmatter!.quiz),
    prev: ref(sequence[index - 1]),
    next: ref(sequence[index + 1]),
    ...(await compilePage(entry.loaded.file, entry.loaded.source, options)),
  };
}

/** `generateStaticParams` for `/learn/[module]`. */
export function allModuleParams(options?: ContentOptions): Array<{ module: string }> {
  return getCatalogue(options).modules.map((module) => ({ module: module.slug }));
}

/** `generateStaticParams` for `/learn/[module]/[lesson]`. Cheap: reads frontmatter, compiles nothing. */
export function allLessonParams(options?: ContentOptions): Array<{ module: string; lesson: string }> {
  return getCatalogue(options).modules.flatMap((module) =>
    module.lessons.map((lesson) => ({ module: module.slug, lesson: lesson.slug })),
  );
}

export function toPublicQuiz(questions: readonly QuizQuestion[]): PublicQuestion[] {
  return questions.map(({ id, prompt, choices }) => ({ id, prompt, choices: [...choices] }));
}

/**
 * The quiz with its answers and explanations, for grading on the server. Never pass this to a
 * client component: use `publicQuiz` from ./quiz instead.
 */
export function getQuizWithAnswers(
  moduleSlug: string,
  lessonSlug: string,
  options?: ContentOptions,
): QuizQuestion[] | null {
  return load(options).lessons.get(`${moduleSlug}/${lessonSlug}`)?.loaded.frontmatter!.quiz ?? null;
}
