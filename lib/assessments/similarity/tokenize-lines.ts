// Line-oriented files and the fallback. requirements.txt and .dockerignore are sets of lines (their
// order means nothing), so their lines are sorted before hashing; package names, versions and
// patterns are kept because they are the content. Anything else gets a generic lexer: words,
// numbers as NUM, punctuation, with `#` and `//` comment lines dropped, in source order.
import { NUMBER, type Token } from "./tokens";

function contentLines(text: string): { text: string; line: number }[] {
  return text
    .split("\n")
    .map((raw, index) => ({ text: raw.replace(/(^|\s)#.*$/, "").trim(), line: index + 1 }))
    .filter((l) => l.text.length > 0);
}

/** `fastapi==0.92.0` → `fastapi`, `==`, `0.92.0`; names compared as pip does (case, `_` vs `-`). */
export function tokenizeRequirements(text: string): Token[][] {
  const lines = contentLines(text).map((l) => {
    const m = /^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?\s*(.*)$/.exec(l.text);
    if (!m) return [{ text: l.text.toLowerCase(), line: l.line }];
    const name = m[1]!.toLowerCase().replace(/[._-]+/g, "-");
    const tokens: Token[] = [{ text: name, line: l.line }];
    if (m[2]) tokens.push({ text: m[2].toLowerCase().replace(/\s+/g, ""), line: l.line });
    for (const part of m[3]!.replace(/\s+/g, "").split(/(==|>=|<=|~=|!=|===|<|>|,|;)/).filter(Boolean)) tokens.push({ text: part, line: l.line });
    return tokens;
  });
  return sortedSegment(lines);
}

/** One pattern per line; `dir/` and `dir` are different patterns, so they stay as written. */
export function tokenizeIgnoreList(text: string): Token[][] {
  return sortedSegment(contentLines(text).map((l) => [{ text: l.text, line: l.line }]));
}

function sortedSegment(lines: Token[][]): Token[][] {
  const key = (tokens: Token[]) => tokens.map((t) => t.text).join("\u0000");
  const sorted = [...lines].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  const tokens = sorted.flat();
  return tokens.length > 0 ? [tokens] : [];
}

export function tokenizeGeneric(text: string): Token[][] {
  const tokens: Token[] = [];
  text.split("\n").forEach((raw, index) => {
    if (/^\s*(#|\/\/)/.test(raw)) return;
    for (const m of raw.matchAll(/[A-Za-z_][\w.-]*|[0-9][\w.]*|\S/g)) {
      tokens.push({ text: /^[0-9]/.test(m[0]) ? NUMBER : m[0].toLowerCase(), line: index + 1 });
    }
  });
  return tokens.length > 0 ? [tokens] : [];
}
