// Python: a small lexer (not a parser) that keeps keywords, operators and the indentation
// structure, turns every name into ID and every literal into its class, and drops comments,
// docstrings and whitespace. Segments: each `def`/`class` (with its decorators, at any depth) and
// each run of other top-level statements, so reordering functions, methods or classes leaves the
// fingerprints unchanged.
import { IDENTIFIER, NUMBER, STRING, type Token } from "./tokens";

const KEYWORDS = new Set([
  "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
  "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal",
  "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
]);

const OPERATORS = [
  "**=", "//=", ">>=", "<<=", "...", "->", ":=", "**", "//", "<<", ">>", "<=", ">=", "==", "!=", "+=", "-=", "*=",
  "/=", "%=", "&=", "|=", "^=", "@=",
];

type LogicalLine = { indent: number; tokens: Token[] };

const STRING_START = /^(?:[rRbBuUfF]{0,2})("""|'''|"|')/;

/** Splits the source into logical lines (brackets and backslashes join physical lines). */
function logicalLines(text: string): LogicalLine[] {
  const lines: LogicalLine[] = [];
  let current: Token[] = [];
  let indent = 0;
  let depth = 0;
  let atLineStart = true;
  let line = 1;
  let i = 0;
  const n = text.length;
  const endLine = () => {
    if (current.length > 0) lines.push({ indent, tokens: current });
    current = [];
    atLineStart = true;
  };
  while (i < n) {
    const c = text[i]!;
    if (atLineStart && depth === 0) {
      // Measure the indentation of a new logical line (tabs count as 8, as Python does).
      let width = 0;
      while (i < n && (text[i] === " " || text[i] === "\t")) {
        width = text[i] === "\t" ? width + 8 - (width % 8) : width + 1;
        i++;
      }
      indent = width;
      atLineStart = false;
      continue;
    }
    if (c === "\n") {
      line++;
      i++;
      if (depth === 0) endLine();
      continue;
    }
    if (c === " " || c === "\t" || c === "\r" || c === "\f") {
      i++;
      continue;
    }
    if (c === "\\" && text[i + 1] === "\n") {
      line++;
      i += 2;
      continue;
    }
    if (c === "#") {
      while (i < n && text[i] !== "\n") i++;
      continue;
    }
    const rest = text.slice(i, i + 4);
    const quote = STRING_START.exec(rest);
    if (quote && (quote[0].length === quote[1]!.length || /[A-Za-z]/.test(c))) {
      const startLine = line;
      const delimiter = quote[1]!;
      let j = i + quote[0].length;
      while (j < n) {
        if (text[j] === "\\") {
          if (text[j + 1] === "\n") line++;
          j += 2;
          continue;
        }
        if (text.startsWith(delimiter, j)) {
          j += delimiter.length;
          break;
        }
        if (text[j] === "\n") {
          // An unterminated one-line string ends at the line's end (the file is not valid Python,
          // but it should still tokenise); the main loop then reads the newline.
          if (delimiter.length === 1) break;
          line++;
        }
        j++;
      }
      current.push({ text: STRING, line: startLine });
      i = j;
      continue;
    }
    if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(text[i + 1] ?? ""))) {
      let j = i + 1;
      while (j < n && /[0-9A-Za-z_.]/.test(text[j]!)) {
        // An exponent's sign belongs to the number (1e-3).
        if ((text[j] === "e" || text[j] === "E") && (text[j + 1] === "-" || text[j + 1] === "+") && !/^0[xX]/.test(text.slice(i, j))) j++;
        j++;
      }
      current.push({ text: NUMBER, line });
      i = j;
      continue;
    }
    if (/[A-Za-z_\u00C0-\uFFFF]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_\u00C0-\uFFFF]/.test(text[j]!)) j++;
      const word = text.slice(i, j);
      current.push({ text: KEYWORDS.has(word) ? word : IDENTIFIER, line });
      i = j;
      continue;
    }
    if (c === "(" || c === "[" || c === "{") depth++;
    if ((c === ")" || c === "]" || c === "}") && depth > 0) depth--;
    const operator = OPERATORS.find((op) => text.startsWith(op, i)) ?? c;
    current.push({ text: operator, line });
    i += operator.length;
  }
  endLine();
  return lines;
}

/** A statement that is only a string: a docstring or a string used as a comment. */
function isDocstring(tokens: Token[]): boolean {
  return tokens.every((t) => t.text === STRING);
}

function startsBlockSegment(tokens: Token[]): boolean {
  const first = tokens[0]!.text;
  return first === "def" || first === "class" || first === "@" || (first === "async" && tokens[1]?.text === "def");
}

export function tokenizePython(text: string): Token[][] {
  const segments: Token[][] = [];
  let current: Token[] = [];
  let currentIsBlock = false;
  // Indentation levels as INDENT/DEDENT tokens, so `if a: b` and `if a:\n    b` differ from
  // statements that merely follow each other.
  const indents: number[] = [0];
  let afterDecorator = false;
  const flush = () => {
    if (current.length > 0) segments.push(current);
    current = [];
  };
  for (const logical of logicalLines(text)) {
    if (isDocstring(logical.tokens)) continue;
    const line = logical.tokens[0]!.line;
    const structure: Token[] = [];
    while (logical.indent < indents[indents.length - 1]!) {
      indents.pop();
      structure.push({ text: "DEDENT", line });
    }
    if (logical.indent > indents[indents.length - 1]!) {
      indents.push(logical.indent);
      structure.push({ text: "INDENT", line });
    }
    const block = startsBlockSegment(logical.tokens);
    if (!afterDecorator && (block || (logical.indent === 0 && currentIsBlock))) {
      // A new def/class (at any depth) or the first top-level statement after one starts a segment.
      flush();
      currentIsBlock = block;
      // The segment does not carry the indentation change that led into it: a method hashes the
      // same wherever it sits in its class.
      structure.length = 0;
    }
    afterDecorator = logical.tokens[0]!.text === "@";
    current.push(...structure, ...logical.tokens);
  }
  flush();
  return segments;
}
