import { expect, test } from "vitest";
import { z } from "zod";
import { parseFrontmatter, splitFrontmatter } from "./frontmatter";
import { LessonFrontmatterSchema, ModuleFrontmatterSchema } from "./schema";

const validLesson = {
  title: "Processes and signals",
  summary: "One sentence.",
  order: 2,
  minutes: 15,
  objectives: ["Explain SIGTERM", "Handle SIGTERM in a server"],
  prerequisites: ["linux/the-shell"],
  quiz: [
    { id: "sigterm", prompt: "First signal?", choices: ["SIGKILL", "SIGTERM"], answer: 1, explanation: "SIGTERM first." },
    { id: "grace", prompt: "Then?", choices: ["wait", "nothing"], answer: 0, explanation: "It waits." },
  ],
};

function lessonWith(changes: Record<string, unknown>) {
  return LessonFrontmatterSchema.safeParse({ ...validLesson, ...changes });
}

function messages(result: ReturnType<typeof lessonWith>) {
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
}

test("accepts a lesson as documented in docs/content-format.md", () => {
  expect(lessonWith({}).success).toBe(true);
  expect(lessonWith({ prerequisites: [] }).success).toBe(true);
});

test("quiz question ids must be unique", () => {
  const quiz = [validLesson.quiz[0], { ...validLesson.quiz[1], id: "sigterm" }];
  expect(messages(lessonWith({ quiz }))).toEqual([
    "quiz.1.id: `sigterm` is used by another question in this quiz; ids must be unique",
  ]);
});

test("quiz answer must index one of the choices", () => {
  const quiz = [{ ...validLesson.quiz[0], answer: 2 }, validLesson.quiz[1]];
  expect(messages(lessonWith({ quiz }))[0]).toMatch(/^quiz\.0\.answer: is 2 but there are only 2 choices/);
  const negative = [{ ...validLesson.quiz[0], answer: -1 }, validLesson.quiz[1]];
  expect(lessonWith({ quiz: negative }).success).toBe(false);
});

test("quizzes have 2 to 6 questions and questions 2 to 6 choices", () => {
  expect(messages(lessonWith({ quiz: [validLesson.quiz[0]] }))).toEqual(["quiz: needs at least 2 questions"]);
  const sevenQuestions = Array.from({ length: 7 }, (_, i) => ({ ...validLesson.quiz[0], id: `q-${i}` }));
  expect(messages(lessonWith({ quiz: sevenQuestions }))).toEqual(["quiz: allows at most 6 questions"]);
  const oneChoice = [{ ...validLesson.quiz[0], choices: ["only"], answer: 0 }, validLesson.quiz[1]];
  expect(messages(lessonWith({ quiz: oneChoice }))).toEqual(["quiz.0.choices: needs at least 2 choices"]);
  const sevenChoices = [{ ...validLesson.quiz[0], choices: ["a", "b", "c", "d", "e", "f", "g"] }, validLesson.quiz[1]];
  expect(messages(lessonWith({ quiz: sevenChoices }))).toEqual(["quiz.0.choices: allows at most 6 choices"]);
});

test("lessons have 2 to 6 objectives", () => {
  expect(messages(lessonWith({ objectives: ["one"] }))).toEqual(["objectives: needs at least 2 objectives"]);
  expect(messages(lessonWith({ objectives: ["1", "2", "3", "4", "5", "6", "7"] }))).toEqual([
    "objectives: allows at most 6 objectives",
  ]);
});

test("prerequisites are lesson ids and quiz ids are kebab-case", () => {
  expect(messages(lessonWith({ prerequisites: ["the-shell"] }))[0]).toMatch(/^prerequisites\.0: must be a lesson id/);
  const quiz = [{ ...validLesson.quiz[0], id: "Sig_Term" }, validLesson.quiz[1]];
  expect(messages(lessonWith({ quiz }))[0]).toMatch(/^quiz\.0\.id: must be lowercase kebab-case/);
});

test("a module needs a whole-number order", () => {
  expect(ModuleFrontmatterSchema.safeParse({ title: "Linux", summary: "S.", order: 1 }).success).toBe(true);
  expect(ModuleFrontmatterSchema.safeParse({ title: "Linux", summary: "S.", order: 1.5 }).success).toBe(false);
});

test("splitFrontmatter blanks the frontmatter so body lines keep their numbers", () => {
  const split = splitFrontmatter("---\ntitle: x\n---\n# Heading\n");
  expect(split.yaml).toBe("title: x");
  expect(split.body.split("\n")[3]).toBe("# Heading");
});

test("frontmatter problems point at the offending key or value in the file", () => {
  const source = [
    "---",
    "title: Linux",
    "summary: S.",
    "order: first",
    "colour: blue",
    "---",
    "",
  ].join("\n");
  const result = parseFrontmatter(source, ModuleFrontmatterSchema);
  expect(result.problems).toEqual([
    { line: 4, column: 8, message: "frontmatter `order` must be a number" },
    { line: 5, column: 1, message: "frontmatter has an unknown key `colour`", suggestion: undefined },
  ]);
});

test("a missing key is reported, and a misspelt key gets a suggestion", () => {
  const source = "---\ntitle: Linux\nsumary: S.\norder: 1\n---\n";
  const result = parseFrontmatter(source, ModuleFrontmatterSchema);
  expect(result.problems).toContainEqual({
    line: 3,
    column: 1,
    message: "frontmatter has an unknown key `sumary`",
    suggestion: "`summary`",
  });
  expect(result.problems).toContainEqual({ line: 1, column: 1, message: "frontmatter is missing `summary`" });
});

test("invalid YAML and a missing frontmatter block are reported with a position", () => {
  const broken = parseFrontmatter("---\ntitle: [unclosed\n---\n", ModuleFrontmatterSchema);
  expect(broken.problems[0]?.message).toMatch(/^frontmatter is not valid YAML/);
  expect(broken.problems[0]?.line).toBeGreaterThanOrEqual(2);
  const none = parseFrontmatter("# No frontmatter\n", ModuleFrontmatterSchema);
  expect(none.problems).toEqual([
    { line: 1, column: 1, message: "has no frontmatter: start the file with a YAML block between `---` lines" },
  ]);
});

test("unquoted text with a colon gets a hint to quote it", () => {
  const inList = "---\ntitle: T\nsummary: S.\nchoices:\n  - Deploys depend on it: it is required\n---\n";
  const schema = ModuleFrontmatterSchema.omit({ order: true }).extend({ choices: z.array(z.string({ error: "must be text" })) });
  expect(parseFrontmatter(inList, schema).problems).toEqual([
    {
      line: 5,
      column: 5,
      message: 'frontmatter `choices[0]` must be text: the text contains ": ", which YAML reads as a key and value; put the text in quotes',
    },
  ]);
  const topLevel = parseFrontmatter("---\ntitle: Linux: the basics\nsummary: S.\norder: 1\n---\n", ModuleFrontmatterSchema);
  expect(topLevel.problems[0]?.message).toMatch(/text containing ": " must be put in quotes/);
});
