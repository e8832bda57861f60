// Reads lesson frontmatter straight from content/, so tests know a quiz's right answers without
// asking the server (which never sends them before the learner submits).
import fs from "node:fs";
import path from "node:path";
import YAML from "yaml";

const contentRoot = path.resolve(import.meta.dirname, "../../../content");

export type QuizQuestion = { id: string; prompt: string; choices: string[]; answer: number; explanation: string };
export type LessonInfo = { id: string; href: string; title: string; quiz: QuizQuestion[] };

export function lessonInfo(moduleSlug: string, lessonSlug?: string): LessonInfo {
  const moduleDir = path.join(contentRoot, moduleSlug);
  const lessons = fs
    .readdirSync(moduleDir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => {
      const source = fs.readFileSync(path.join(moduleDir, e.name, "index.mdx"), "utf8");
      const frontmatter = YAML.parse(source.split(/^---$/m)[1] ?? "") as { title: string; order: number; quiz: QuizQuestion[] };
      return { slug: e.name, ...frontmatter };
    })
    .sort((a, b) => a.order - b.order);
  const lesson = lessonSlug ? lessons.find((l) => l.slug === lessonSlug) : lessons[0];
  if (!lesson) throw new Error(`no lesson ${moduleSlug}/${lessonSlug ?? "(first)"}`);
  return { id: `${moduleSlug}/${lesson.slug}`, href: `/learn/${moduleSlug}/${lesson.slug}`, title: lesson.title, quiz: lesson.quiz };
}

/** Every lesson of every module (modules that have lessons), as lessonInfo gives them. */
export function allLessons(): LessonInfo[] {
  return fs
    .readdirSync(contentRoot, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .flatMap((m) =>
      fs
        .readdirSync(path.join(contentRoot, m.name), { withFileTypes: true })
        .filter((e) => e.isDirectory() && fs.existsSync(path.join(contentRoot, m.name, e.name, "index.mdx")))
        .map((e) => lessonInfo(m.name, e.name)),
    );
}
