import fs from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { allLessonParams, ContentError, getCatalogue, getLesson, getModule, getOverview } from "./catalogue";
import { writeCurriculum } from "./test-fixtures";

test("the catalogue lists modules and lessons in order, without quiz answers", () => {
  const root = writeCurriculum();
  const catalogue = getCatalogue({ root, cacheDir: null });
  expect(catalogue.overview).toEqual({ title: "The Y-shaped ML engineer", summary: "One sentence.", href: "/learn/overview" });
  expect(catalogue.modules.map((module) => module.slug)).toEqual(["linux", "containers"]);
  expect(catalogue.modules[0]!.lessons.map((lesson) => lesson.id)).toEqual(["linux/the-shell", "linux/signals"]);
  expect(catalogue.modules[0]!.minutes).toBe(20);
  const signals = catalogue.modules[0]!.lessons[1]!;
  expect(signals.prerequisites).toEqual([
    { id: "linux/the-shell", moduleSlug: "linux", slug: "the-shell", title: "The shell", href: "/learn/linux/the-shell" },
  ]);
  expect(JSON.stringify(catalogue)).not.toContain("Because");
  expect(JSON.stringify(catalogue)).not.toContain("answer");
});

test("allLessonParams lists every lesson for generateStaticParams", () => {
  const root = writeCurriculum();
  expect(allLessonParams({ root, cacheDir: null })).toEqual([
    { module: "linux", lesson: "the-shell" },
    { module: "linux", lesson: "signals" },
    { module: "containers", lesson: "images" },
  ]);
});

test("getLesson compiles the page and gives its table of contents, quiz and neighbours", async () => {
  const root = writeCurriculum();
  const page = await getLesson("linux", "signals", { root, cacheDir: null });
  expect(page).not.toBeNull();
  expect(page!.code).toContain("return Component");
  expect(page!.toc).toEqual([
    { depth: 2, text: "The idea", id: "the-idea" },
    { depth: 3, text: "A detail", id: "a-detail" },
    { depth: 2, text: "Check yourself", id: "check-yourself" },
  ]);
  expect(page!.quiz).toEqual([
    { id: "first", prompt: "First?", choices: ["a", "b"] },
    { id: "second", prompt: "Second?", choices: ["a", "b", "c"] },
  ]);
  expect(page!.prev?.id).toBe("linux/the-shell");
  // The next lesson is in the next module.
  expect(page!.next?.id).toBe("containers/images");
  expect(JSON.stringify(page)).not.toContain("Because");
});

test("unknown slugs give null, so pages can call notFound()", async () => {
  const root = writeCurriculum();
  expect(await getLesson("linux", "nope", { root, cacheDir: null })).toBeNull();
  expect(await getLesson("nope", "signals", { root, cacheDir: null })).toBeNull();
  expect(await getModule("nope", { root, cacheDir: null })).toBeNull();
  expect((await getModule("linux", { root, cacheDir: null }))?.module.title).toBe("Linux");
  expect((await getOverview({ root, cacheDir: null }))?.toc).toEqual([{ depth: 2, text: "The shape", id: "the-shape" }]);
});

test("invalid frontmatter fails loudly with the file and line", () => {
  const root = writeCurriculum({ "linux/the-shell/index.mdx": "---\ntitle: x\n---\n" });
  expect(() => getCatalogue({ root, cacheDir: null })).toThrow(ContentError);
  expect(() => getCatalogue({ root, cacheDir: null })).toThrow(/linux\/the-shell\/index\.mdx:1:1 — frontmatter is missing `summary`/);
});

test("edited content is picked up outside production", () => {
  const root = writeCurriculum();
  expect(getCatalogue({ root, cacheDir: null }).modules[1]!.title).toBe("Containers");
  const file = path.join(root, "containers/index.mdx");
  fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("title: Containers", "title: Containers and images"));
  expect(getCatalogue({ root, cacheDir: null }).modules[1]!.title).toBe("Containers and images");
});
