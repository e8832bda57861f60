import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { checkContent, formatProblem, formatSummary } from "./check";
import { lessonFrontmatter } from "./test-fixtures";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "academy-check-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

type LessonOptions = { title?: string; order?: number; prerequisites?: string[]; body?: string; minutes?: string };

const defaultBody = `Why this matters in production.

## Running it

Some text and a [link to the shell](/learn/linux/the-shell#running-it).

<Quiz />

## Check yourself

- I can do the thing.
`;

/** A valid lesson. Its frontmatter takes lines 1–21; the body starts on line 22 (the link is on 26). */
function lesson({ title = "A lesson", order = 1, prerequisites = [], body = defaultBody, minutes = "10" }: LessonOptions = {}) {
  return `${lessonFrontmatter({ title, order, prerequisites, minutes, summary: "One sentence." })}\n${body}`;
}

function moduleIndex(order: number, body = "An introduction.\n") {
  return `---\ntitle: Module ${order}\nsummary: One sentence.\norder: ${order}\n---\n${body}`;
}

function validContent(): Record<string, string> {
  return {
    "overview/index.mdx": "---\ntitle: The Y-shaped ML engineer\nsummary: One sentence.\n---\n\nSee [Linux](/learn/linux).\n",
    "linux/index.mdx": moduleIndex(1),
    "linux/the-shell/index.mdx": lesson({ title: "The shell", order: 1 }),
    "linux/processes/index.mdx": lesson({ title: "Processes", order: 2, prerequisites: ["linux/the-shell"] }),
    "containers/index.mdx": moduleIndex(2),
    "containers/images/index.mdx": lesson({ title: "Images", prerequisites: ["linux/processes"] }),
  };
}

let fixtures = 0;

/** Writes the valid content with `changes` applied (null deletes a file) and checks it. */
async function check(changes: Record<string, string | null> = {}) {
  const base = path.join(tmp, `fixture-${++fixtures}`);
  const root = path.join(base, "content");
  const files = { ...validContent(), ...changes };
  for (const [name, text] of Object.entries(files)) {
    if (text === null) continue;
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), text);
  }
  fs.mkdirSync(path.join(base, "public", "figures"), { recursive: true });
  fs.writeFileSync(path.join(base, "public", "figures", "pod.svg"), "<svg/>");
  const report = await checkContent({ root });
  return { report, lines: report.problems.map((problem) => formatProblem(problem, base)) };
}

test("valid content has no problems", async () => {
  const { report, lines } = await check();
  expect(lines).toEqual([]);
  expect(formatSummary(report)).toBe("content:check: 6 documents (2 modules, 3 lessons), no problems.");
});

test("frontmatter that breaks the schema is reported at the offending value", async () => {
  const { lines } = await check({ "linux/the-shell/index.mdx": lesson({ minutes: "ten" }) });
  expect(lines).toEqual(["content/linux/the-shell/index.mdx:5:10 — frontmatter `minutes` must be a number of minutes"]);
});

test("an unknown frontmatter key is reported with the key it was probably meant to be", async () => {
  const source = lesson().replace("objectives:", "objective:");
  const { lines } = await check({ "linux/the-shell/index.mdx": source });
  expect(lines).toContain(
    "content/linux/the-shell/index.mdx:6:1 — frontmatter has an unknown key `objective` (did you mean `objectives`?)",
  );
  expect(lines).toContain("content/linux/the-shell/index.mdx:1:1 — frontmatter is missing `objectives`");
});

test("a quiz answer out of range is reported at the answer", async () => {
  const source = lesson().replace("answer: 2", "answer: 3");
  const { lines } = await check({ "linux/the-shell/index.mdx": source });
  expect(lines).toEqual([
    "content/linux/the-shell/index.mdx:19:13 — frontmatter `quiz[1].answer` is 3 but there are only 3 choices (answers are zero-based: 0 to 2)",
  ]);
});

test("an MDX syntax error is reported with the compiler's line and column", async () => {
  const body = defaultBody.replace("Some text", "Some {broken text");
  const { lines } = await check({ "linux/the-shell/index.mdx": lesson({ body }) });
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^content\/linux\/the-shell\/index\.mdx:26:\d+ — MDX does not compile: /);
});

test("an unknown component is reported, with the component it was probably meant to be", async () => {
  const body = `${defaultBody}\n<Callot type="tip">Hi</Callot>\n\n<details>HTML is fine</details>\n`;
  const { lines } = await check({ "linux/the-shell/index.mdx": lesson({ body }) });
  expect(lines).toEqual([
    "content/linux/the-shell/index.mdx:34:1 — unknown component <Callot>: only Callout, Quiz and Figure (and lowercase HTML) are available (did you mean <Callout>?)",
  ]);
});

test("a Callout with an unknown type and a Figure without a caption are reported", async () => {
  const body = `${defaultBody}\n<Callout type="warn">Careful</Callout>\n\n<Figure>Diagram</Figure>\n`;
  const { lines } = await check({ "linux/the-shell/index.mdx": lesson({ body }) });
  expect(lines).toEqual([
    'content/linux/the-shell/index.mdx:34:1 — <Callout type="warn"> is not a callout type: use note, tip, warning, danger (did you mean `warning`?)',
    'content/linux/the-shell/index.mdx:36:1 — <Figure> needs a caption: <Figure caption="What the figure shows">',
  ]);
});

test("imports are reported: components need none", async () => {
  const body = `export const answer = 42\n\n${defaultBody}`;
  const { lines } = await check({ "linux/the-shell/index.mdx": lesson({ body }) });
  expect(lines).toEqual([
    "content/linux/the-shell/index.mdx:22:1 — `import` and `export` are not allowed: Callout, Quiz and Figure are available without importing them",
  ]);
});

test("an import is reported at its line, not at a line of the generated code", async () => {
  const body = `${defaultBody}\nimport { Chart } from "./chart.js"\n`;
  const { lines } = await check({ "linux/the-shell/index.mdx": lesson({ body }) });
  expect(lines).toEqual([
    'content/linux/the-shell/index.mdx:34:24 — MDX does not compile: Could not resolve "./chart.js": imports are not allowed; Callout, Quiz and Figure are available without importing them',
  ]);
});

test("a link to a page that does not exist is reported, with the nearest page", async () => {
  const body = defaultBody.replace("/learn/linux/the-shell#running-it", "/learn/linux/the-shel");
  const { lines } = await check({ "linux/processes/index.mdx": lesson({ order: 2, body }) });
  expect(lines).toEqual([
    "content/linux/processes/index.mdx:26:17 — link to `/learn/linux/the-shel` goes nowhere: there is no such page (did you mean `/learn/linux/the-shell`?)",
  ]);
});

test("a link to a heading that does not exist is reported, on another page or the same one", async () => {
  const body = defaultBody
    .replace("#running-it", "#runing-it")
    .replace("## Check yourself", "See [below](#check-yoursef).\n\n## Check yourself");
  const { lines } = await check({ "containers/images/index.mdx": lesson({ body }) });
  expect(lines).toEqual([
    "content/containers/images/index.mdx:26:17 — link to `#runing-it` goes nowhere: `/learn/linux/the-shell` has no heading with that id (did you mean `#running-it`?)",
    "content/containers/images/index.mdx:30:5 — link to `#check-yoursef` goes nowhere: this page has no heading with that id (did you mean `#check-yourself`?)",
  ]);
});

test("anchors match the ids rehype-slug gives headings", async () => {
  const body = `${defaultBody}\n## What \`SIGTERM\` does (and why)\n\nSee [it](#what-sigterm-does-and-why).\n`;
  const { lines } = await check({ "linux/the-shell/index.mdx": lesson({ body }) });
  expect(lines).toEqual([]);
});

test("an image whose file is not in public/figures is reported", async () => {
  const body = `${defaultBody}\n<Figure caption="A pod">\n![A pod](/figures/pod.svg)\n</Figure>\n\n![Missing](/figures/missing.svg)\n`;
  const { lines } = await check({ "linux/the-shell/index.mdx": lesson({ body }) });
  expect(lines).toEqual([
    "content/linux/the-shell/index.mdx:38:1 — image `/figures/missing.svg` does not exist: add the file public/figures/missing.svg",
  ]);
});

test("a code block with an unknown language is reported", async () => {
  const body = `${defaultBody}\n\`\`\`pyhton\nprint(1)\n\`\`\`\n`;
  const { lines } = await check({ "linux/the-shell/index.mdx": lesson({ body }) });
  expect(lines).toEqual([
    "content/linux/the-shell/index.mdx:34:1 — code block language `pyhton` is not known (did you mean `python`?)",
  ]);
});

test("code-fence meta words other than title and runnable are reported, and lessons have no terminal to run a block in", async () => {
  const body = `${defaultBody}\n\`\`\`bash runable\nls\n\`\`\`\n\n\`\`\`bash runnable\nls\n\`\`\`\n\n\`\`\`python title="a.py" linenos\nprint(1)\n\`\`\`\n`;
  const { lines } = await check({ "linux/the-shell/index.mdx": lesson({ body }) });
  expect(lines).toEqual([
    'content/linux/the-shell/index.mdx:34:1 — code block meta `runable` is not known: a fence takes `title="…"` and `runnable` (did you mean `runnable`?)',
    "content/linux/the-shell/index.mdx:38:1 — `runnable` block, but lessons have no terminal (only a lab whose sandbox runs real workloads has one); remove `runnable`: the block keeps its Copy button",
    'content/linux/the-shell/index.mdx:42:1 — code block meta `linenos` is not known: a fence takes `title="…"` and `runnable`',
  ]);
});

test("a prerequisite that is not a lesson is reported at its line", async () => {
  const { lines } = await check({
    "containers/images/index.mdx": lesson({ prerequisites: ["linux/processes", "linux/the-shel"] }),
  });
  expect(lines).toEqual([
    "content/containers/images/index.mdx:9:1 — prerequisite `linux/the-shel` is not a lesson (did you mean `linux/the-shell`?)",
  ]);
});

test("prerequisites that form a cycle are reported once", async () => {
  const { lines } = await check({
    "linux/the-shell/index.mdx": lesson({ order: 1, prerequisites: ["containers/images"] }),
  });
  expect(lines).toEqual([
    "content/linux/processes/index.mdx:9:1 — prerequisites form a cycle: linux/the-shell → containers/images → linux/processes → linux/the-shell",
  ]);
});

test("duplicate orders are reported, among modules and inside a module", async () => {
  const { lines } = await check({
    "containers/index.mdx": moduleIndex(1),
    "linux/processes/index.mdx": lesson({ order: 1, prerequisites: ["linux/the-shell"] }),
  });
  expect(lines).toEqual([
    "content/linux/index.mdx:4:1 — order 1 is also used by module `containers`; orders must be unique among modules",
    "content/linux/the-shell/index.mdx:4:1 — order 1 is also used by lesson `processes`; orders must be unique inside this module",
  ]);
});

test("folder names that are not kebab-case slugs are reported", async () => {
  const { lines } = await check({ "linux/The_Shell/index.mdx": lesson({ order: 3 }) });
  expect(lines).toEqual([
    "content/linux/The_Shell/index.mdx:1:1 — lesson folder name `The_Shell` must be lowercase kebab-case, like `processes-and-signals`",
  ]);
});

test("a lesson without a quiz, or with two, is reported", async () => {
  const { lines } = await check({
    "linux/the-shell/index.mdx": lesson({ body: defaultBody.replace("<Quiz />", "") }),
    "linux/processes/index.mdx": lesson({
      order: 2,
      prerequisites: ["linux/the-shell"],
      body: `${defaultBody}\n<Quiz />\n`,
    }),
  });
  expect(lines).toEqual([
    "content/linux/processes/index.mdx:34:1 — lesson has more than one <Quiz />: keep exactly one",
    "content/linux/the-shell/index.mdx:1:1 — lesson has no <Quiz />: put it once, near the end, before `## Check yourself`",
  ]);
});

test("a lesson without a `## Check yourself` section is reported", async () => {
  const { lines } = await check({
    "linux/the-shell/index.mdx": lesson({ body: defaultBody.replace("## Check yourself", "### Check Yourself") }),
    "linux/processes/index.mdx": lesson({
      order: 2,
      prerequisites: ["linux/the-shell"],
      body: defaultBody.replace("## Check yourself", "## Summary"),
    }),
  });
  expect(lines).toEqual([
    "content/linux/processes/index.mdx:1:1 — lesson has no `## Check yourself` section: end the lesson with one",
    "content/linux/the-shell/index.mdx:30:1 — lesson has no `## Check yourself` section: this heading should be exactly `## Check yourself`",
  ]);
});

test("a module without lessons, and a folder without index.mdx, are reported", async () => {
  const { lines } = await check({
    "containers/images/index.mdx": null,
    "containers/images/notes.txt": "draft",
  });
  expect(lines).toEqual([
    "content/containers/images/index.mdx:1:1 — is missing: every lesson folder needs an index.mdx",
    "content/containers/index.mdx:1:1 — module `containers` has no lessons",
  ]);
});

test("every problem is reported, and the summary counts them", async () => {
  const { report, lines } = await check({
    "linux/the-shell/index.mdx": lesson({ minutes: "ten" }),
    "containers/images/index.mdx": lesson({ prerequisites: ["linux/nope"] }),
  });
  expect(lines).toHaveLength(2);
  expect(formatSummary(report)).toBe(
    "content:check: 2 problems in 2 files; checked 6 documents (2 modules, 3 lessons).",
  );
});

const realContent = path.resolve(__dirname, "../../content");
const hasLessons =
  fs.existsSync(realContent) &&
  fs.readdirSync(realContent, { recursive: true }).some((name) => String(name).split(path.sep).length === 3);

test.skipIf(!hasLessons)("the curriculum in content/ passes content:check", { timeout: 120_000 }, async () => {
  const report = await checkContent({ root: realContent });
  expect(report.problems.map((problem) => formatProblem(problem, path.dirname(realContent)))).toEqual([]);
});
