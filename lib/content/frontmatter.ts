// Splits an MDX file into its YAML frontmatter and body, and validates the frontmatter against a
// zod schema, reporting each problem at the line and column of the offending key or value.
// Pure (no filesystem), so the catalogue, content:check and tests share it.
import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document } from "yaml";
import type { z } from "zod";
import { closestMatch } from "./suggest";

export type SourceProblem = { line: number; column: number; message: string; suggestion?: string };

export type SplitSource = {
  /** The YAML between the `---` fences, or null when the file has no frontmatter. */
  yaml: string | null;
  /** Line (1-based) of the file on which the YAML starts. */
  yamlLine: number;
  /** The MDX body with the frontmatter lines blanked, so that line numbers still match the file. */
  body: string;
};

const FENCE = /^---[ \t]*$/;
const CLOSING_FENCE = /^(---|\.\.\.)[ \t]*$/;

export function splitFrontmatter(source: string): SplitSource {
  const lines = source.split(/\r?\n/);
  if (!FENCE.test(lines[0] ?? "")) return { yaml: null, yamlLine: 1, body: source };
  const end = lines.findIndex((line, index) => index > 0 && CLOSING_FENCE.test(line));
  if (end === -1) return { yaml: null, yamlLine: 1, body: source };
  const yaml = lines.slice(1, end).join("\n");
  const body = [...lines.slice(0, end + 1).map(() => ""), ...lines.slice(end + 1)].join("\n");
  return { yaml, yamlLine: 2, body };
}

/** Every key any frontmatter may have, for "did you mean" on unknown keys. */
const KNOWN_KEYS = [
  "title",
  "summary",
  "order",
  "minutes",
  "objectives",
  "prerequisites",
  "quiz",
  "id",
  "prompt",
  "choices",
  "answer",
  "explanation",
];

type PathKey = string | number;

export function formatPath(path: readonly PathKey[]): string {
  return path
    .map((key, index) => (typeof key === "number" ? `[${key}]` : index === 0 ? key : `.${key}`))
    .join("");
}

export type FrontmatterResult<T> =
  | { ok: true; data: T; problems: [] }
  | { ok: false; data: undefined; problems: SourceProblem[] };

export function parseFrontmatter<S extends z.ZodType>(
  source: string,
  schema: S,
): FrontmatterResult<z.infer<S>> {
  const split = splitFrontmatter(source);
  if (split.yaml === null) {
    return failure([
      {
        line: 1,
        column: 1,
        message: "has no frontmatter: start the file with a YAML block between `---` lines",
      },
    ]);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(split.yaml, { lineCounter, prettyErrors: false });
  const at = (offset: number) => {
    const pos = lineCounter.linePos(offset);
    return { line: pos.line + split.yamlLine - 1, column: pos.col };
  };

  if (doc.errors.length > 0) {
    return failure(
      doc.errors.map((error) => ({
        ...at(error.pos[0]),
        message: `frontmatter is not valid YAML: ${error.message.split("\n")[0]}${
          error.code === "BLOCK_AS_IMPLICIT_KEY" || /nested mappings/i.test(error.message)
            ? ' (text containing ": " must be put in quotes)'
            : ""
        }`,
      })),
    );
  }
  if (!isMap(doc.contents)) {
    return failure([{ line: split.yamlLine, column: 1, message: "frontmatter must be a YAML mapping of keys to values" }]);
  }

  const result = schema.safeParse(doc.toJS());
  if (result.success) return { ok: true, data: result.data, problems: [] };

  const problems: SourceProblem[] = [];
  for (const issue of result.error.issues) {
    const path = issue.path.filter((key): key is PathKey => typeof key !== "symbol");
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        const keyPath = [...path, key];
        problems.push({
          ...at(keyOffset(doc, path, key) ?? valueOffset(doc, path) ?? 0),
          message: `frontmatter has an unknown key \`${formatPath(keyPath)}\``,
          suggestion: suggestKey(key),
        });
      }
      continue;
    }
    if (!doc.hasIn(path) && path.length > 0) {
      // A required key is absent: point at the object that should hold it.
      const parent = path.slice(0, -1);
      problems.push({
        ...(parent.length > 0 ? at(valueOffset(doc, parent) ?? 0) : { line: 1, column: 1 }),
        message: `frontmatter is missing \`${formatPath(path)}\``,
      });
      continue;
    }
    const offset = valueOffset(doc, path) ?? keyOffset(doc, path.slice(0, -1), path.at(-1)) ?? 0;
    // The classic YAML trap: unquoted text containing ": " becomes a mapping.
    const hint =
      issue.code === "invalid_type" && issue.expected === "string" && isMap(doc.getIn(path, true))
        ? ': the text contains ": ", which YAML reads as a key and value; put the text in quotes'
        : "";
    problems.push({
      ...at(offset),
      message: `frontmatter \`${formatPath(path)}\` ${issue.message}${hint}`,
    });
  }
  return failure(problems);
}

function failure(problems: SourceProblem[]): { ok: false; data: undefined; problems: SourceProblem[] } {
  return { ok: false, data: undefined, problems };
}

function suggestKey(key: string): string | undefined {
  const match = closestMatch(key, KNOWN_KEYS);
  return match ? `\`${match}\`` : undefined;
}

function valueOffset(doc: Document, path: readonly PathKey[]): number | undefined {
  const node = path.length === 0 ? doc.contents : doc.getIn(path, true);
  if (node && typeof node === "object" && "range" in node && Array.isArray(node.range)) {
    return node.range[0] as number;
  }
  return undefined;
}

function keyOffset(doc: Document, path: readonly PathKey[], key: PathKey | undefined): number | undefined {
  if (key === undefined) return undefined;
  const map = path.length === 0 ? doc.contents : doc.getIn(path, true);
  if (!isMap(map)) return undefined;
  for (const item of map.items) {
    if (isPair(item) && isScalar(item.key) && item.key.value === key) {
      return item.key.range?.[0];
    }
  }
  return undefined;
}
