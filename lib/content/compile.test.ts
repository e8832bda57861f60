import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { clearMemoryCache, compileMdx, MdxCompileError } from "./compile";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "academy-compile-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const lesson = `---
title: Example
quiz:
  - id: secret
    answer: 1
    explanation: THE-ANSWER-EXPLANATION
---

# Serving a model

Intro with a [link](/learn/linux#the-shell).

## Check yourself

\`\`\`python title="serve.py"
print("hello")
\`\`\`

\`\`\`console
$ echo hi
hi
\`\`\`

<Callout type="tip">Body</Callout>

<Quiz />
`;

test("compiles MDX to code and collects headings with rehype-slug ids, links and components", async () => {
  const compiled = await compileMdx(lesson, { file: path.join(tmp, "a/index.mdx") });
  expect(compiled.code).toContain("return Component");
  expect(compiled.analysis.headings).toEqual([
    { depth: 1, text: "Serving a model", id: "serving-a-model", line: 9, column: 1 },
    { depth: 2, text: "Check yourself", id: "check-yourself", line: 13, column: 1 },
  ]);
  expect(compiled.analysis.links).toEqual([{ href: "/learn/linux#the-shell", line: 11, column: 14 }]);
  expect(compiled.analysis.elements.map((e) => e.name)).toEqual(["Callout", "Quiz"]);
  expect(compiled.analysis.elements[0]?.attributes).toEqual({ type: "tip" });
  expect(compiled.analysis.codeBlocks.map((c) => c.language)).toEqual(["python", "console"]);
});

test("leaves the frontmatter, and so the quiz answers, out of the compiled code", async () => {
  // The file exists on disk, as it does for real lessons: the compiler must still use the stripped source.
  const file = path.join(tmp, "b/index.mdx");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, lesson);
  const compiled = await compileMdx(lesson, { file });
  expect(compiled.code).not.toContain("THE-ANSWER-EXPLANATION");
});

test("highlights code on the server and keeps the code-block title", async () => {
  const compiled = await compileMdx(lesson, { file: path.join(tmp, "c/index.mdx") });
  expect(compiled.code).toContain("hljs-built_in");
  expect(compiled.code).toContain("serve.py");
  expect(compiled.code).toContain("console-prompt");
});

test("a syntax error names the file, line and column", async () => {
  const file = path.join(tmp, "broken/index.mdx");
  const source = "---\ntitle: x\n---\n\n# Title\n\n<Callout>\n  text {\n";
  const error = await compileMdx(source, { file }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(MdxCompileError);
  const compileError = error as MdxCompileError;
  expect(compileError.file).toBe(file);
  expect(compileError.line).toBe(8);
  expect(compileError.column).toBeGreaterThan(1);
  expect(compileError.message).toMatch(/broken\/index\.mdx:8:\d+ — /);
});

test("caches compiled output on disk, keyed by source and compiler version", async () => {
  const cacheDir = path.join(tmp, "cache");
  const source = "# Cached\n\nSome text.\n";
  const first = await compileMdx(source, { file: path.join(tmp, "d/index.mdx"), cacheDir });
  const files = fs.readdirSync(cacheDir);
  expect(files).toHaveLength(1);
  expect(files[0]).toMatch(/^[0-9a-f]{64}\.json$/);
  // A restart: memory is empty, the disk copy is served (a tampered copy proves it was read).
  const file = path.join(cacheDir, files[0]!);
  fs.writeFileSync(file, JSON.stringify({ ...first, code: "FROM-DISK" }));
  clearMemoryCache();
  const second = await compileMdx(source, { file: path.join(tmp, "d/index.mdx"), cacheDir });
  expect(second.code).toBe("FROM-DISK");
});

test("compiles deterministically", async () => {
  const source = "# Same\n\n```bash\nls -la\n```\n";
  const first = await compileMdx(source, { file: path.join(tmp, "e/index.mdx") });
  clearMemoryCache();
  const second = await compileMdx(source, { file: path.join(tmp, "f/index.mdx") });
  expect(second.code).toBe(first.code);
});
