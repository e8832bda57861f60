// Rehype plugins used when compiling lesson MDX: code-block titles, languages and marks (the
// fence's meta: `title="…"`, `runnable`), terminal transcripts, and a collector that records what content:check and the table of contents need
// (headings with their rehype-slug ids, links, components used) in the same pass as the compile.
import type { Element, ElementContent, Root, RootContent } from "hast";
import { commandsOf, consoleLines } from "./console";

export type Place = { line: number; column: number };

export type MdxAnalysis = {
  headings: Array<{ depth: number; text: string; id: string } & Place>;
  links: Array<{ href: string } & Place>;
  images: Array<{ src: string } & Place>;
  /** JSX elements; attribute values are null when written as an expression (`{…}`) or bare. */
  elements: Array<{ name: string; attributes: Record<string, string | null> } & Place>;
  /** `import` / `export` statements, which lessons may not use. */
  esm: Place[];
  codeBlocks: Array<CodeBlockInfo & Place>;
};

export type CodeBlockInfo = {
  language: string | null;
  /** Marked `runnable` in its meta: the lab page offers to run it in the lab's terminal. */
  runnable: boolean;
  /** Words of the meta that mean nothing (content:check refuses them), as written. */
  unknownMeta: string[];
  /** What "Run in terminal" would send: the code, or a `console` block's commands without `$ `. */
  commands: string;
};

export function emptyAnalysis(): MdxAnalysis {
  return { headings: [], links: [], images: [], elements: [], esm: [], codeBlocks: [] };
}

type AnyNode = Root | RootContent | { type: string; children?: unknown; position?: Element["position"] };

type JsxNode = {
  type: "mdxJsxFlowElement" | "mdxJsxTextElement";
  name: string | null;
  attributes: Array<{ type: string; name?: string; value?: unknown }>;
  children: AnyNode[];
  position?: Element["position"];
};

function walk(node: AnyNode, visit: (node: AnyNode, parent: AnyNode | null) => void, parent: AnyNode | null = null) {
  visit(node, parent);
  const children = (node as { children?: unknown }).children;
  if (Array.isArray(children)) {
    for (const child of children as AnyNode[]) walk(child, visit, node);
  }
}

function place(node: AnyNode): Place {
  const start = node.position?.start;
  return { line: start?.line ?? 1, column: start?.column ?? 1 };
}

function isElement(node: AnyNode, tagName?: string): node is Element {
  return node.type === "element" && (tagName === undefined || (node as Element).tagName === tagName);
}

function languageOf(code: Element): string | null {
  const className = code.properties.className;
  const classes = Array.isArray(className) ? className.map(String) : [];
  const language = classes.find((name) => name.startsWith("language-"));
  return language ? language.slice("language-".length) : null;
}

export type CodeMeta = { title: string | null; runnable: boolean; unknown: string[] };

/**
 * A code fence's meta string, e.g. ```` ```bash title="deploy.sh" runnable ````: `title="…"` (or
 * single quotes) and the bare word `runnable`; anything else is returned in `unknown` as written.
 */
export function parseCodeMeta(meta: string | undefined | null): CodeMeta {
  const parsed: CodeMeta = { title: null, runnable: false, unknown: [] };
  for (const match of (meta ?? "").matchAll(/([^\s=]+)=(?:"([^"]*)"|'([^']*)'|(\S*))|(\S+)/g)) {
    const [word, key, double, single, bare, alone] = match;
    if (key === "title" && bare === undefined) parsed.title = double ?? single ?? "";
    else if (alone === "runnable") parsed.runnable = true;
    else parsed.unknown.push(word);
  }
  return parsed;
}

/**
 * Puts a code block's language, title and `runnable` mark on its `<pre>` (`data-language`,
 * `data-title`, `data-runnable`) so the `pre` component can render the title bar and buttons
 * without looking inside the highlighted code.
 */
export function rehypeCodeBlocks() {
  return (tree: Root) => {
    walk(tree, (node) => {
      if (!isElement(node, "pre")) return;
      const code = node.children.find((child): child is Element => isElement(child, "code"));
      if (!code) return;
      const language = languageOf(code);
      const meta = parseCodeMeta((code.data as { meta?: string } | undefined)?.meta);
      if (language) node.properties.dataLanguage = language;
      if (meta.title) node.properties.dataTitle = meta.title;
      if (meta.runnable) node.properties.dataRunnable = "true";
    });
  };
}

/** Splits `console` blocks into command and output lines so they can be styled apart. */
export function rehypeConsole() {
  return (tree: Root) => {
    walk(tree, (node) => {
      if (!isElement(node, "pre")) return;
      const code = node.children.find((child): child is Element => isElement(child, "code"));
      if (!code || languageOf(code) !== "console") return;
      const lines = consoleLines(textOf(code));
      const children: ElementContent[] = [];
      lines.forEach((line, index) => {
        if (index > 0) children.push({ type: "text", value: "\n" });
        if (line.kind === "command" && line.text.startsWith("$ ")) {
          children.push({
            type: "element",
            tagName: "span",
            properties: { className: ["console-command"] },
            children: [
              { type: "element", tagName: "span", properties: { className: ["console-prompt"] }, children: [{ type: "text", value: "$ " }] },
              { type: "text", value: line.text.slice(2) },
            ],
          });
        } else {
          children.push({
            type: "element",
            tagName: "span",
            properties: { className: [line.kind === "command" ? "console-command" : "console-output"] },
            children: [{ type: "text", value: line.text }],
          });
        }
      });
      code.children = children;
    });
  };
}

/** Text content the way hast-util-to-string (and so rehype-slug) computes it. */
function textOf(node: AnyNode): string {
  if (node.type === "text") return (node as { value: string }).value;
  const children = (node as { children?: unknown }).children;
  return Array.isArray(children) ? (children as AnyNode[]).map(textOf).join("") : "";
}

/** Records headings, links, images, JSX elements, ESM and code languages into `analysis`. */
export function rehypeCollect(analysis: MdxAnalysis) {
  return () => (tree: Root) => {
    walk(tree, (node, parent) => {
      if (isElement(node)) {
        const heading = /^h([1-6])$/.exec(node.tagName);
        if (heading) {
          const id = node.properties.id;
          analysis.headings.push({
            depth: Number(heading[1]),
            text: textOf(node).trim(),
            id: typeof id === "string" ? id : "",
            ...place(node),
          });
        } else if (node.tagName === "a" && typeof node.properties.href === "string") {
          analysis.links.push({ href: node.properties.href, ...place(node) });
        } else if (node.tagName === "img" && typeof node.properties.src === "string") {
          analysis.images.push({ src: node.properties.src, ...place(node) });
        } else if (node.tagName === "code" && parent && isElement(parent, "pre")) {
          const language = languageOf(node);
          const meta = parseCodeMeta((node.data as { meta?: string } | undefined)?.meta);
          analysis.codeBlocks.push({
            language,
            runnable: meta.runnable,
            unknownMeta: meta.unknown,
            commands: meta.runnable ? commandsOf(language, textOf(node)) : "",
            ...place(parent),
          });
        }
        return;
      }
      if (node.type === "mdxJsxFlowElement" || node.type === "mdxJsxTextElement") {
        const jsx = node as unknown as JsxNode;
        const attributes: Record<string, string | null> = {};
        for (const attribute of jsx.attributes) {
          if (attribute.type === "mdxJsxAttribute" && attribute.name) {
            attributes[attribute.name] = typeof attribute.value === "string" ? attribute.value : null;
          }
        }
        // A fragment (`<>…</>`) has no name.
        analysis.elements.push({ name: jsx.name ?? "", attributes, ...place(node) });
        return;
      }
      // remark-mdx-frontmatter adds its own `export` with no position; only the author's count.
      if (node.type === "mdxjsEsm" && node.position) analysis.esm.push(place(node));
    });
  };
}
