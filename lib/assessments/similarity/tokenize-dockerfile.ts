// Dockerfile: instructions are kept as written (upper-cased), their arguments go through the shell
// lexer (commands and flags kept, variables and names → ID, numbers → NUM, messages → STR), the
// exec form `["a", "b"]` tokenises like the shell form `a b`, and a stage name (`AS build`,
// `--from=build`) and the users it creates are identifiers. Comments and line continuations are dropped. One segment: the
// order of instructions is part of what a Dockerfile says.
import { lexShell, lineIndex } from "./tokenize-shell";
import { IDENTIFIER, STRING, type Token } from "./tokens";

type Instruction = { keyword: string; keywordOffset: number; argsStart: number; argsEnd: number };

function instructions(text: string): Instruction[] {
  const found: Instruction[] = [];
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") lineStarts.push(i + 1);
  let l = 0;
  while (l < lineStarts.length) {
    const start = lineStarts[l]!;
    const end = l + 1 < lineStarts.length ? lineStarts[l + 1]! - 1 : text.length;
    const line = text.slice(start, end);
    const m = /^\s*([A-Za-z]+)(\s+|$)/.exec(line);
    if (!m || /^\s*#/.test(line)) {
      l++;
      continue;
    }
    // The instruction runs until a line that does not end with a continuation backslash
    // (comment lines inside it do not end it, as in Docker).
    let last = l;
    while (last + 1 < lineStarts.length) {
      const s = lineStarts[last]!;
      const e = last + 1 < lineStarts.length ? lineStarts[last + 1]! - 1 : text.length;
      const content = text.slice(s, e).replace(/\r$/, "");
      if (last !== l && /^\s*#/.test(content)) {
        last++;
        continue;
      }
      if (!/\\\s*$/.test(content)) break;
      last++;
    }
    const argsEnd = last + 1 < lineStarts.length ? lineStarts[last + 1]! - 1 : text.length;
    found.push({ keyword: m[1]!.toUpperCase(), keywordOffset: start + line.indexOf(m[1]!), argsStart: start + m[0].length, argsEnd });
    l = last + 1;
  }
  return found;
}

/** `["uvicorn", "app.main:app"]` → the words, or null when the text is not a JSON array of strings. */
function execForm(args: string): string[] | null {
  const trimmed = args.replace(/\\\r?\n/g, " ").trim();
  if (!trimmed.startsWith("[")) return null;
  try {
    const parsed: unknown = JSON.parse(trimmed);
    return Array.isArray(parsed) && parsed.every((w) => typeof w === "string") ? parsed : null;
  } catch {
    return null;
  }
}

/** Names the Dockerfile chooses: stage names, and the users and groups it creates and runs as. */
function definedNames(text: string): Set<string> {
  const names = new Set([...text.matchAll(/^\s*FROM\s+.*?\s+AS\s+([\w.-]+)/gim)].map((m) => m[1]!));
  for (const m of text.matchAll(/\b(?:useradd|adduser|groupadd|addgroup)\b[^&;|\n]*?\s([A-Za-z_][\w-]*)[ \t]*(?=$|&&|;|\||\\)/gm)) names.add(m[1]!);
  for (const m of text.matchAll(/^\s*USER\s+(\S+)/gim)) for (const part of m[1]!.split(":")) names.add(part);
  return names;
}

function wordTokens(words: string[], line: number, names: ReadonlySet<string>): Token[] {
  return words.flatMap((word) => (/\s/.test(word.trim()) ? [{ text: STRING, line }] : lexShell(word, 0, word.length, () => line, { names })));
}

export function tokenizeDockerfile(text: string): Token[][] {
  const lineOf = lineIndex(text);
  const names = definedNames(text);
  const tokens: Token[] = [];
  for (const instruction of instructions(text)) {
    const line = lineOf(instruction.keywordOffset);
    tokens.push({ text: instruction.keyword, line });
    const args = text.slice(instruction.argsStart, instruction.argsEnd);
    const words = execForm(args);
    if (words) {
      tokens.push(...wordTokens(words, line, names));
      continue;
    }
    if (instruction.keyword === "FROM") {
      // FROM image [AS name]: the base image is a choice worth keeping, the stage name is not.
      const [image, as, stage] = args.trim().split(/\s+/);
      if (image) tokens.push({ text: image.toLowerCase(), line });
      if (as && as.toUpperCase() === "AS" && stage) tokens.push({ text: "AS", line }, { text: IDENTIFIER, line });
      continue;
    }
    // HEALTHCHECK [options] CMD ["a", "b"]: the options as shell, the command as the exec form.
    const nested = instruction.keyword === "HEALTHCHECK" ? /\bCMD\s+(?=\[)/.exec(args) : null;
    const nestedWords = nested ? execForm(args.slice(nested.index + nested[0].length)) : null;
    if (nested && nestedWords) {
      tokens.push(...lexShell(text, instruction.argsStart, instruction.argsStart + nested.index, lineOf, { names }));
      const cmdLine = lineOf(instruction.argsStart + nested.index);
      tokens.push({ text: "CMD", line: cmdLine }, ...wordTokens(nestedWords, cmdLine, names));
      continue;
    }
    tokens.push(...lexShell(text, instruction.argsStart, instruction.argsEnd, lineOf, { names }));
  }
  return tokens.length > 0 ? [tokens] : [];
}
