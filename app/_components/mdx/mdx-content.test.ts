import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { expect, test } from "vitest";
import { compileMdx } from "@/lib/content/compile";
import { consoleCommands } from "@/lib/content/console";
import { MdxContent } from "./mdx-content";

async function render(source: string, quiz?: string) {
  const { code } = await compileMdx(source, { file: "/tmp/academy-render-test/index.mdx" });
  return renderToStaticMarkup(createElement(MdxContent, { code, quiz: quiz ? createElement("p", null, quiz) : undefined }));
}

test("renders callouts as labelled notes and figures with captions", async () => {
  const html = await render(
    '<Callout type="warning" title="Mind the grace period">Body text</Callout>\n\n<Figure caption="A pod">\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n</Figure>\n',
  );
  expect(html).toContain('role="note" aria-label="Warning: Mind the grace period"');
  expect(html).toContain("callout-warning");
  expect(html).toMatch(/<figure class="figure">.*<table>.*<figcaption>A pod<\/figcaption><\/figure>/s);
});

test("renders the quiz where <Quiz /> appears", async () => {
  const html = await render("Before\n\n<Quiz />\n\nAfter\n", "THE QUIZ");
  expect(html).toMatch(/Before.*THE QUIZ.*After/s);
});

test("code blocks get a title bar and a copy button; console lines are split into commands and output", async () => {
  const html = await render('```python title="serve.py"\nimport os\n```\n\n```console\n$ ls\nfile.txt\n```\n');
  expect(html).toContain('<span class="code-block-title">serve.py</span>');
  expect(html).toContain('aria-label="Copy code"');
  expect(html).toContain('class="hljs-keyword"');
  expect(html).toContain('aria-label="Copy commands"');
  expect(html).toContain('<span class="console-command"><span class="console-prompt">$ </span>ls</span>');
  expect(html).toContain('<span class="console-output">file.txt</span>');
});

test("the Copy button copies only the commands of a transcript, without prompts", () => {
  const transcript = "$ docker build -t model \\\n    .\nStep 1/4\n$ docker run model\nserving on :8080\n";
  expect(consoleCommands(transcript)).toBe("docker build -t model \\\n    .\ndocker run model");
});
