// Writes small curricula to temporary folders for the content tests.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/** A valid lesson's frontmatter (lines 1–21: the body starts on line 22). */
export function lessonFrontmatter(options: {
  title: string;
  order: number;
  prerequisites?: string[];
  summary?: string;
  minutes?: string | number;
}): string {
  const { title, order, prerequisites = [], summary = `About ${title}.`, minutes = 10 } = options;
  return `---
title: ${title}
summary: ${summary}
order: ${order}
minutes: ${minutes}
objectives:
  - Do one thing
  - Do another thing
prerequisites: [${prerequisites.join(", ")}]
quiz:
  - id: first
    prompt: First?
    choices: [a, b]
    answer: 0
    explanation: Because a.
  - id: second
    prompt: Second?
    choices: [a, b, c]
    answer: 2
    explanation: Because c.
---`;
}

export function lessonSource(title: string, order: number, prerequisites: string[] = []): string {
  return `${lessonFrontmatter({ title, order, prerequisites })}\n\nWhy ${title} matters.

## The idea

### A detail

<Quiz />

## Check yourself

- I can explain ${title}.
`;
}

export function moduleSource(title: string, order: number): string {
  return `---\ntitle: ${title}\nsummary: About ${title}.\norder: ${order}\n---\n\n## Why\n\nIntro.\n`;
}

/** A curriculum of two modules (given out of order on purpose) and three lessons. */
export function writeCurriculum(files: Record<string, string> = {}): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "academy-content-"));
  const all: Record<string, string> = {
    "overview/index.mdx": "---\ntitle: The Y-shaped ML engineer\nsummary: One sentence.\n---\n\n## The shape\n",
    "linux/index.mdx": moduleSource("Linux", 1),
    "linux/signals/index.mdx": lessonSource("Signals", 2, ["linux/the-shell"]),
    "linux/the-shell/index.mdx": lessonSource("The shell", 1),
    "containers/index.mdx": moduleSource("Containers", 2),
    "containers/images/index.mdx": lessonSource("Images", 1),
    ...files,
  };
  for (const [name, text] of Object.entries(all)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), text);
  }
  return root;
}
