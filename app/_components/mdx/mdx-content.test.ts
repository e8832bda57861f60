import { createElement, type ReactNode } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { expect, test } from "vitest";
import { compileMdx } from "@/lib/content/compile";
import { consoleCommands } from "@/lib/content/console";
import { MdxContent } from "./mdx-content";
import { TERMINAL_NOT_READY, TerminalCommands, terminalCommands } from "./terminal-commands";

async function render(source: string, quiz?: string, terminal?: boolean) {
  const { code } = await compileMdx(source, { file: "/tmp/academy-render-test/index.mdx" });
  const content = createElement(MdxContent, { code, quiz: quiz ? createElement("p", null, quiz) : undefined });
  return renderToStaticMarkup(terminal === undefined ? content : createElement(TerminalCommands, { hasTerminal: terminal } as { hasTerminal: boolean; children: ReactNode }, content));
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

test("a runnable block gets a Run in terminal button only on a page with a terminal; Copy everywhere", async () => {
  const source = "```bash runnable\nkubectl get pods\n```\n\n```bash\nls\n```\n";
  const lab = await render(source, undefined, true);
  expect(lab.match(/aria-label="Run in terminal"/g)).toHaveLength(1);
  expect(lab).toMatch(/<button type="button" class="code-copy code-run"[^>]*aria-label="Run in terminal"[^>]*>Run<\/button>/);
  expect(lab.match(/aria-label="Copy code"/g)).toHaveLength(2);
  expect(lab).toContain('<span class="code-run-status small" role="status"></span>');
  // A lesson (no provider) and a lab without a terminal: Copy only.
  for (const html of [await render(source), await render(source, undefined, false)]) {
    expect(html).not.toContain("Run in terminal");
    expect(html.match(/aria-label="Copy code"/g)).toHaveLength(2);
  }
});

test("commands go to the terminal panel attached last, and wait for none: the learner is told to start the lab environment", () => {
  const commands = terminalCommands();
  expect(commands.run("kubectl get pods")).toBe(TERMINAL_NOT_READY);
  const first: string[] = [];
  const second: string[] = [];
  const detachFirst = commands.attach((c) => first.push(c));
  expect(commands.run("kubectl get pods")).toBeNull();
  const detachSecond = commands.attach((c) => second.push(c));
  // A panel that goes away after a newer one attached does not take the newer one with it.
  detachFirst();
  expect(commands.run("kubectl get svc")).toBeNull();
  expect(first).toEqual(["kubectl get pods"]);
  expect(second).toEqual(["kubectl get svc"]);
  detachSecond();
  expect(commands.run("ls")).toBe(TERMINAL_NOT_READY);
});
