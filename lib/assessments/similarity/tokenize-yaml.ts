// YAML (Kubernetes manifests, workflows, OpenAPI) and JSON, from the parsed document rather than
// the text: keys are kept as written (they are the schema: `readinessProbe`, `containerPort`),
// mapping keys are emitted in sorted order (a mapping has no order, so reordering keys changes
// nothing), sequences keep theirs, values keep their canonical text (`"0.5"` and `0.5` alike)
// because in configuration the values are the author's choices, and the renameable parts become
// ID: the value of any `name` / `…Name` key and the keys and values of label maps. `run:` scripts
// go through the shell lexer. Each document is a segment. Comments, quoting, flow vs block style
// and indentation do not matter. A file that does not parse falls back to the generic tokeniser.
import { isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments, type Node } from "yaml";
import { tokenizeGeneric } from "./tokenize-lines";
import { lexShell, lineIndex } from "./tokenize-shell";
import { IDENTIFIER, type Token } from "./tokens";

/** Maps whose keys and values are user-chosen labels. */
const LABEL_MAPS = new Set(["labels", "matchLabels", "annotations", "nodeSelector"]);

type Context = { key: string | null; labels: boolean };

function isNameKey(key: string | null): boolean {
  return key !== null && (key === "name" || /[a-z]Name$/.test(key));
}

function keyText(node: unknown): string {
  if (isScalar(node)) return String(node.value);
  return "?";
}

export function tokenizeYaml(text: string): Token[][] {
  let documents;
  try {
    documents = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: false});
  } catch {
    return tokenizeGeneric(text);
  }
  const list = Array.isArray(documents) ? documents : [documents];
  if (list.some((d) => d.errors.length > 0)) return tokenizeGeneric(text);
  const lineOf = lineIndex(text);
  const segments: Token[][] = [];
  for (const document of list) {
    const tokens: Token[] = [];
    emit(document.contents as Node | null, { key: null, labels: false }, tokens, text, lineOf);
    if (tokens.length > 0) segments.push(tokens);
  }
  return segments;
}

function emit(node: Node | null, context: Context, out: Token[], text: string, lineOf: (offset: number) => number): void {
  if (!node) return;
  const line = lineOf(node.range?.[0] ?? 0);
  if (isMap(node)) {
    out.push({ text: "{", line });
    const selectorLike = context.key === "selector" && !node.items.some((p) => isPair(p) && ["matchLabels", "matchExpressions"].includes(keyText(p.key)));
    const labels = context.labels || LABEL_MAPS.has(context.key ?? "") || selectorLike;
    const pairs = node.items.filter(isPair).map((pair) => ({ pair, key: keyText(pair.key) }));
    pairs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    for (const { pair, key } of pairs) {
      const keyNode = pair.key as Node | null;
      const keyLine = lineOf(keyNode?.range?.[0] ?? node.range?.[0] ?? 0);
      out.push({ text: labels ? IDENTIFIER : `${key}:`, line: keyLine });
      emit(pair.value as Node | null, { key, labels }, out, text, lineOf);
    }
    out.push({ text: "}", line });
    return;
  }
  if (isSeq(node)) {
    out.push({ text: "[", line });
    for (const item of node.items) emit(item as Node | null, { key: null, labels: context.labels }, out, text, lineOf);
    out.push({ text: "]", line });
    return;
  }
  if (isAlias(node)) {
    out.push({ text: IDENTIFIER, line });
    return;
  }
  if (!isScalar(node)) return;
  const value = node.value;
  if (typeof value !== "string") {
    out.push({ text: String(value), line });
    return;
  }
  if (context.labels || isNameKey(context.key)) {
    out.push({ text: IDENTIFIER, line });
    return;
  }
  const start = node.range?.[0] ?? 0;
  const end = node.range?.[1] ?? start;
  if (context.key === "run" || context.key === "script" || (context.key === "command" && value.includes("\n"))) {
    // A script inside YAML: lexed as shell, lines counted from where the scalar's text starts.
    const firstLine = value === text.slice(start, end) ? line : line + (/^[|>]/.test(text.slice(start, end)) ? 1 : 0);
    const scriptLine = lineIndex(value);
    out.push(...lexShell(value, 0, value.length, (offset) => firstLine + scriptLine(offset) - 1));
    return;
  }
  if (!/\s/.test(value.trim())) {
    out.push({ text: value, line });
    return;
  }
  // Prose (a description, a message): its words, each on the line where it appears.
  // Searched within the scalar's own source only, so a long document stays linear.
  const source = text.slice(start, end);
  let cursor = 0;
  for (const word of value.trim().split(/\s+/)) {
    const at = source.indexOf(word, cursor);
    out.push({ text: word.toLowerCase(), line: at >= 0 ? lineOf(start + at) : line });
    if (at >= 0) cursor = at + word.length;
  }
}
