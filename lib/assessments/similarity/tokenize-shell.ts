// Shell (sh/bash), also used for the arguments of Dockerfile instructions. Keeps keywords,
// operators, command names and flags (they are the substance of a script), turns variables and
// the names of the script's own functions and variables into ID, paths into PATH, messages (quoted text with spaces)
// into STR, numbers into NUM, and drops comments and whitespace. Newlines and `;` are one token.
import { IDENTIFIER, NUMBER, STRING, type Token } from "./tokens";

const OPERATORS = ["&&", "||", ";;", ">>", "<<", "2>&1", ">&2", "2>", "&>", "$((", "$(", "((", "))", "[[", "]]", "|", ";", "&", "<", ">", "(", ")", "{", "}", "`"];

const SEPARATOR = ";";
/** After these a newline is only layout: `then\n  cmd` is `then cmd`. */
const NO_SEPARATOR_AFTER = new Set([SEPARATOR, "then", "do", "else", "{", "(", "&&", "||", "|", "$("]);

/** Offsets → 1-based lines, for a text whose tokens are lexed by offset. */
export function lineIndex(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

/** The names a script defines (functions, assignments, loop variables): they are renameable. */
function definedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(/(?:^|[\s;&|(])(?:local\s+|export\s+|readonly\s+|declare\s+(?:-\w+\s+)*)?([A-Za-z_]\w*)(?:\[[^\]]*\])?\+?=/g)) names.add(m[1]!);
  for (const m of text.matchAll(/(?:^|[\s;])(?:function\s+)?([A-Za-z_][\w-]*)\s*\(\s*\)/g)) names.add(m[1]!);
  for (const m of text.matchAll(/\bfunction\s+([A-Za-z_][\w-]*)/g)) names.add(m[1]!);
  for (const m of text.matchAll(/\b(?:for|select)\s+([A-Za-z_]\w*)\s+in\b/g)) names.add(m[1]!);
  for (const m of text.matchAll(/\bread\s+(?:-\w+\s+)*([A-Za-z_]\w*(?:\s+[A-Za-z_]\w*)*)/g)) for (const name of m[1]!.split(/\s+/)) names.add(name);
  return names;
}

/** A file or folder path: a name the author chose (/opt/venv, ./app/, $dir/out), like an identifier. */
export const PATH = "PATH";

function classifyLiteral(word: string, names: ReadonlySet<string>): string {
  if (/^[0-9]+(\.[0-9]+)?$/.test(word)) return NUMBER;
  if (names.has(word)) return IDENTIFIER;
  if (word.includes("/") && !word.includes("://")) return PATH;
  return word;
}

/** A `$…` expansion starting at `i`: its end offset, or -1 when `$` is literal. */
function expansionEnd(text: string, i: number): number {
  const next = text[i + 1];
  if (next === "{") {
    let depth = 1;
    let j = i + 2;
    while (j < text.length && depth > 0) {
      if (text[j] === "{") depth++;
      else if (text[j] === "}") depth--;
      j++;
    }
    return j;
  }
  if (next !== undefined && /[A-Za-z_]/.test(next)) {
    let j = i + 2;
    while (j < text.length && /\w/.test(text[j]!)) j++;
    return j;
  }
  if (next !== undefined && /[0-9#?@*$!-]/.test(next)) return i + 2;
  return -1;
}

/** `$1`, `$#`, `$@` are the script's interface, not names: kept. Everything else is a variable. */
function expansionToken(expansion: string): string {
  return /^\$[0-9#?@*$!-]$/.test(expansion) ? expansion : IDENTIFIER;
}

export type ShellLexOptions = {
  /** Names to treat as identifiers besides the ones the text defines. */
  names?: ReadonlySet<string>;
};

/**
 * Lexes `text` from `start` to `end` (offsets) into tokens whose lines come from `lineOf`. Used for
 * whole scripts and for the argument span of a Dockerfile instruction.
 */
export function lexShell(text: string, start: number, end: number, lineOf: (offset: number) => number, options: ShellLexOptions = {}): Token[] {
  const names = new Set([...definedNames(text.slice(start, end)), ...(options.names ?? [])]);
  const tokens: Token[] = [];
  const push = (tokenText: string, offset: number) => {
    if (tokenText === SEPARATOR && (tokens.length === 0 || NO_SEPARATOR_AFTER.has(tokens[tokens.length - 1]!.text))) return;
    tokens.push({ text: tokenText, line: lineOf(offset) });
  };
  let i = start;
  let wordStart = true;
  while (i < end) {
    const c = text[i]!;
    if (c === "\\" && text[i + 1] === "\n") {
      i += 2;
      continue;
    }
    if (c === "\\" && text[i + 1] === "\r" && text[i + 2] === "\n") {
      i += 3;
      continue;
    }
    if (c === "\n") {
      push(SEPARATOR, i);
      i++;
      wordStart = true;
      continue;
    }
    if (c === " " || c === "\t" || c === "\r") {
      i++;
      wordStart = true;
      continue;
    }
    if (c === "#" && wordStart) {
      while (i < end && text[i] !== "\n") i++;
      continue;
    }
    if (c === "'" || c === '"') {
      let j = i + 1;
      while (j < end && text[j] !== c) j += text[j] === "\\" && c === '"' ? 2 : 1;
      const content = text.slice(i + 1, Math.min(j, end));
      if (/\s/.test(content.trim()) || content.trim() === "") {
        // Quoted text with spaces is a message or a snippet of another language: its class only.
        push(STRING, i);
      } else if (c === "'") {
        push(classifyLiteral(content, names), i);
      } else {
        // "$dir/$name.csv" is a word that happens to be quoted: lex what is inside.
        tokens.push(...lexShell(text, i + 1, Math.min(j, end), lineOf, { names }));
      }
      i = j + 1;
      wordStart = false;
      continue;
    }
    if (c === "$") {
      if (text[i + 1] === "(") {
        const operator = text[i + 2] === "(" ? "$((" : "$(";
        push(operator, i);
        i += operator.length;
        wordStart = true;
        continue;
      }
      const j = expansionEnd(text, i);
      if (j > 0) {
        push(expansionToken(text.slice(i, j)), i);
        i = j;
        wordStart = false;
        continue;
      }
    }
    const operator = OPERATORS.find((op) => text.startsWith(op, i));
    if (operator) {
      push(operator, i);
      i += operator.length;
      wordStart = true;
      continue;
    }
    // A literal run: up to whitespace, an operator, a quote or an expansion.
    let j = i;
    while (j < end && !/[\s'"$;&|<>()`{}]/.test(text[j]!)) {
      if (text[j] === "\\" && j + 1 < end) j++;
      j++;
      // `name=value`: the name and `=` are separate tokens, so a renamed variable still matches.
      if (text[j - 1] === "=" && wordStart) break;
    }
    if (j === i) j = i + 1;
    const word = text.slice(i, j);
    if (word.endsWith("=") && word.length > 1 && !word.startsWith("-")) {
      push(classifyLiteral(word.slice(0, -1), names), i);
      push("=", j - 1);
    } else if (word.startsWith("-") && word.includes("=")) {
      // --flag=value: the flag stays, the value is classified.
      const eq = word.indexOf("=");
      push(word.slice(0, eq), i);
      push("=", i + eq);
      if (eq + 1 < word.length) push(classifyLiteral(word.slice(eq + 1), names), i + eq + 1);
    } else {
      push(classifyLiteral(word, names), i);
    }
    i = j;
    wordStart = false;
  }
  while (tokens.length > 0 && tokens[tokens.length - 1]!.text === SEPARATOR) tokens.pop();
  return tokens;
}

/** Segments: each function definition, and each run of other top-level commands. */
export function tokenizeShell(text: string): Token[][] {
  const tokens = lexShell(text, 0, text.length, lineIndex(text));
  // A function starts at `ID ( ) {` at depth 0 and ends at its matching `}`.
  const segments: Token[][] = [];
  let current: Token[] = [];
  let i = 0;
  while (i < tokens.length) {
    const isFunction = tokens[i]!.text === IDENTIFIER && tokens[i + 1]?.text === "(" && tokens[i + 2]?.text === ")" && tokens[i + 3]?.text === "{";
    if (!isFunction) {
      current.push(tokens[i]!);
      i++;
      continue;
    }
    if (current.length > 0) segments.push(current);
    current = [];
    let depth = 0;
    const fn: Token[] = [];
    for (; i < tokens.length; i++) {
      fn.push(tokens[i]!);
      if (tokens[i]!.text === "{") depth++;
      if (tokens[i]!.text === "}" && --depth === 0) {
        i++;
        break;
      }
    }
    segments.push(fn);
  }
  if (current.length > 0) segments.push(current);
  return segments.map(trimSeparators).filter((s) => s.length > 0);
}

function trimSeparators(segment: Token[]): Token[] {
  let from = 0;
  let to = segment.length;
  while (from < to && segment[from]!.text === SEPARATOR) from++;
  while (to > from && segment[to - 1]!.text === SEPARATOR) to--;
  return segment.slice(from, to);
}
