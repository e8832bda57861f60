// A small structural reader for bash scripts, for the static shell checks. It is not a full bash
// parser: it knows enough to tell commands from comments, strings, heredocs and dead code, which
// is what a check must know so that `: "mktemp mv"`, `# trap cleanup EXIT` or a line after an
// unconditional `exit` never count as the learner's work (review finding H1). It never runs
// anything and is linear in the text (no regex over the script).
import { learnerPattern } from "../pattern";

const DIGITS = learnerPattern("^[0-9]+$");

export type ShellCommand = {
  /** The words after quote removal; expansions stay as written (`"$file"` -> `$file`). */
  words: string[];
  line: number;
  /** Nesting in compound commands (if, loops, case, { }, ( )); 0 at the top of the script. */
  depth: number;
  /** The function whose body holds it, or null. */
  inFunction: string | null;
  /** Runs only when an earlier command of its and-or list succeeded or failed (`a && b`, `a || b`). */
  conditional: boolean;
  /** Part of a pipeline or sent to the background (`a | b`, `a &`). */
  piped: boolean;
  /** Inside a command substitution `$(…)` or backticks. */
  substitution: boolean;
  /** Its pipeline starts with `!` (the exit status is inverted). */
  negated: boolean;
  /** What joins it to the command before it: `a && b`, `a || b`, `a | b` (null after `;`, a newline, or first). */
  operator: "&&" | "||" | "|" | null;
  /** The body of a heredoc (`<<EOF … EOF`) given to it, as written (null when it has none). */
  heredoc: string | null;
};

export type ShellComment = { start: number; end: number; line: number; text: string };

export type ShellScript = {
  commands: ShellCommand[];
  comments: ShellComment[];
  functions: Set<string>;
};

const RESERVED_OPEN = new Set(["if", "while", "until", "for", "select", "case"]);
const RESERVED_CLOSE = new Set(["fi", "done", "esac"]);
const RESERVED_MID = new Set(["then", "elif", "else", "do", "in", "!", "time"]);

type Frame = { type: "if" | "loop" | "case" | "brace" | "subshell"; fn: string | null };

/** Reads a script into its simple commands (with where they sit) and its comments. */
export function parseShell(text: string): ShellScript {
  const commands: ShellCommand[] = [];
  const comments: ShellComment[] = [];
  const functions = new Set<string>();
  const state = { text, i: 0, line: 1 };
  readList(state, { commands, comments, functions }, { substitution: false, fnBase: null });
  return { commands, comments, functions };
}

type State = { text: string; i: number; line: number };
type Sink = { commands: ShellCommand[]; comments: ShellComment[]; functions: Set<string> };

function isBlank(c: string | undefined): boolean {
  return c === " " || c === "\t" || c === "\r";
}
const OPERATOR_CHARS = new Set([";", "&", "|", "(", ")", "<", ">", "\n"]);

/**
 * Scans from just after an opening bracket to its matching close, skipping quoted text (and, for
 * `$(…)`, comments); returns the inner text.
 */
function scanNested(s: State, open: "(" | "{", close: ")" | "}", comments: boolean): string {
  const start = s.i;
  let depth = 1;
  while (s.i < s.text.length) {
    const c = s.text[s.i]!;
    if (c === "\\") {
      s.i += 2;
      continue;
    }
    if (c === "\n") s.line++;
    if (c === "'") {
      skipSingle(s);
      continue;
    }
    if (c === '"') {
      s.i++;
      readDouble(s, null);
      continue;
    }
    if (comments && c === "#" && (s.i === start || /\s/.test(s.text[s.i - 1]!))) {
      while (s.i < s.text.length && s.text[s.i] !== "\n") s.i++;
      continue;
    }
    if (c === open) depth++;
    if (c === close && --depth === 0) {
      s.i++;
      return s.text.slice(start, s.i - 1);
    }
    s.i++;
  }
  return s.text.slice(start);
}

/** `$(…)`, `(…)`: s.i is just after "(". */
function scanParens(s: State): string {
  return scanNested(s, "(", ")", true);
}

/** `${…}`: s.i is just after "${". */
function scanBraces(s: State): string {
  return scanNested(s, "{", "}", false);
}

function skipSingle(s: State): string {
  // s.i at the opening quote.
  const start = ++s.i;
  while (s.i < s.text.length && s.text[s.i] !== "'") {
    if (s.text[s.i] === "\n") s.line++;
    s.i++;
  }
  const inner = s.text.slice(start, s.i);
  s.i++;
  return inner;
}

type Substitutions = { texts: Array<{ text: string; line: number }> } | null;

/** Reads `$…` at s.i; returns its text as written. Command substitutions go to subs. */
function readDollar(s: State, subs: Substitutions): string {
  const start = s.i;
  const line = s.line;
  s.i++;
  const c = s.text[s.i];
  if (c === "(") {
    s.i++;
    const arithmetic = s.text[s.i] === "(";
    const inner = scanParens(s);
    if (!arithmetic && subs) subs.texts.push({ text: inner, line });
  } else if (c === "{") {
    s.i++;
    scanBraces(s);
  } else if (c === "'") {
    skipSingle(s);
  } else if (c === '"') {
    s.i++;
    readDouble(s, subs);
  } else if (c !== undefined && /[A-Za-z_]/.test(c)) {
    while (s.i < s.text.length && /[A-Za-z0-9_]/.test(s.text[s.i]!)) s.i++;
  } else if (c !== undefined && /[0-9#?@*!$-]/.test(c)) {
    s.i++;
  }
  return s.text.slice(start, s.i);
}

function readBacktick(s: State, subs: Substitutions): void {
  const line = s.line;
  const start = ++s.i;
  while (s.i < s.text.length && s.text[s.i] !== "`") {
    if (s.text[s.i] === "\\") s.i++;
    else if (s.text[s.i] === "\n") s.line++;
    s.i++;
  }
  if (subs) subs.texts.push({ text: s.text.slice(start, s.i), line });
  s.i++;
}

/** Reads a double-quoted string from just after `"`; returns its content (expansions as written). */
function readDouble(s: State, subs: Substitutions): string {
  let out = "";
  while (s.i < s.text.length && s.text[s.i] !== '"') {
    const c = s.text[s.i]!;
    if (c === "\\") {
      out += s.text[s.i + 1] ?? "";
      if (s.text[s.i + 1] === "\n") s.line++;
      s.i += 2;
    } else if (c === "$") {
      out += readDollar(s, subs);
    } else if (c === "`") {
      const from = s.i;
      readBacktick(s, subs);
      out += s.text.slice(from, s.i);
    } else {
      if (c === "\n") s.line++;
      out += c;
      s.i++;
    }
  }
  s.i++;
  return out;
}

type Token = { type: "word"; value: string; line: number; subs: Array<{ text: string; line: number }> } | { type: "op"; value: string; line: number };

type Context = { substitution: boolean; fnBase: string | null };

function readWord(s: State): Token {
  const line = s.line;
  const subs = { texts: [] as Array<{ text: string; line: number }> };
  let out = "";
  while (s.i < s.text.length) {
    const c = s.text[s.i]!;
    if (isBlank(c) || OPERATOR_CHARS.has(c)) {
      // `<(…)` / `>(…)` process substitution and `=(` array assignment are part of the word.
      if (c === "(" && out.endsWith("=")) {
        s.i++;
        out += `(${scanParens(s)})`;
        continue;
      }
      break;
    }
    if (c === "\\") {
      if (s.text[s.i + 1] === "\n") {
        s.line++;
      } else out += s.text[s.i + 1] ?? "";
      s.i += 2;
    } else if (c === "'") {
      out += skipSingle(s);
    } else if (c === '"') {
      s.i++;
      out += readDouble(s, subs);
    } else if (c === "$") {
      out += readDollar(s, subs);
    } else if (c === "`") {
      const from = s.i;
      readBacktick(s, subs);
      out += s.text.slice(from, s.i);
    } else {
      out += c;
      s.i++;
    }
  }
  return { type: "word", value: out, line, subs: subs.texts };
}

const OPERATORS = [";;&", ";;", ";&", "&&", "||", "|&", "<<<", "<<-", "<<", ">>", "<&", ">&", "<>", ">|", "&>>", "&>", ";", "&", "|", "(", ")", "<", ">", "\n"];

/**
 * Reads commands until `end` (or the end of the text) and records them in the sink, with their
 * nesting. Heredoc bodies are skipped; comments are recorded.
 */
function readList(s: State, sink: Sink, ctx: Context): void {
  const frames: Frame[] = [];
  const heredocs: Array<{ delimiter: string; strip: boolean; command: ShellCommand | null }> = [];
  let words: Token[] = [];
  let conditional = false;
  let piped = false;
  let negated = false;
  let operator: ShellCommand["operator"] = null;
  let pendingFunction: string | null = null;
  let caseState: "word" | "pattern" | "body" | null = null;
  let expectRedirectTarget: string | null = null;
  let inTest = false; // inside [[ … ]]

  const fnNow = (): string | null => {
    for (let f = frames.length - 1; f >= 0; f--) if (frames[f]!.fn) return frames[f]!.fn;
    return ctx.fnBase;
  };
  const depthNow = () => frames.length;

  const flush = (nextConditional: boolean, nextPiped: boolean, nextOperator: ShellCommand["operator"] = null) => {
    if (words.length) {
      const values = words.map((w) => (w.type === "word" ? w.value : w.value));
      const command: ShellCommand = {
        words: values,
        line: words[0]!.line,
        depth: depthNow(),
        inFunction: fnNow(),
        conditional,
        piped: piped || nextPiped,
        substitution: ctx.substitution,
        negated,
        operator,
        heredoc: null,
      };
      sink.commands.push(command);
      for (const h of heredocs) h.command ??= command;
      for (const w of words) {
        if (w.type !== "word") continue;
        for (const sub of w.subs) {
          const inner: State = { text: sub.text, i: 0, line: sub.line };
          readList(inner, sink, { substitution: true, fnBase: fnNow() });
        }
      }
    }
    words = [];
    conditional = nextConditional;
    piped = nextPiped;
    negated = false;
    operator = nextOperator;
  };

  const startOfCommand = () => words.length === 0;

  while (s.i < s.text.length) {
    const c = s.text[s.i]!;
    if (isBlank(c)) {
      s.i++;
      continue;
    }
    if (c === "\\" && s.text[s.i + 1] === "\n") {
      s.i += 2;
      s.line++;
      continue;
    }
    if (c === "#") {
      const start = s.i;
      while (s.i < s.text.length && s.text[s.i] !== "\n") s.i++;
      sink.comments.push({ start, end: s.i, line: s.line, text: s.text.slice(start, s.i) });
      continue;
    }
    if (inTest) {
      const w = readWordOrOperatorInTest(s);
      words.push(w);
      if (w.value === "]]") inTest = false;
      continue;
    }
    if (c === "(" && s.text[s.i + 1] === "(" && startOfCommand()) {
      // (( arithmetic )): one word.
      const line = s.line;
      s.i += 2;
      const inner = scanParens(s);
      if (s.text[s.i] === ")") s.i++;
      words.push({ type: "word", value: `((${inner}))`, line, subs: [] });
      continue;
    }
    if (OPERATOR_CHARS.has(c)) {
      const op = OPERATORS.find((o) => s.text.startsWith(o, s.i))!;
      s.i += op.length;
      if (op === "\n") {
        s.line++;
        // The command ends here, before its heredoc bodies (which follow the line) are read.
        if (heredocs.length) flush(false, false);
        for (const h of heredocs.splice(0)) {
          const body = skipHeredoc(s, h.delimiter, h.strip);
          if (h.command) h.command.heredoc = body;
        }
      }
      if (caseState === "pattern") {
        if (op === ")") caseState = "body";
        continue;
      }
      if (op.startsWith("<") || op.startsWith(">") || op.startsWith("&>")) {
        if (op === "<<" || op === "<<-") expectRedirectTarget = op;
        else expectRedirectTarget = "file";
        // A redirection's fd number (`2>`) was read as a word: drop it.
        const last = words[words.length - 1];
        if (last && last.type === "word" && DIGITS.test(last.value) && s.text[s.i - op.length - 1] !== " ") words.pop();
        continue;
      }
      if (op === "(") {
        if (words.length === 1 && s.text[s.i] === ")") {
          // name() — a function definition; the body follows.
          s.i++;
          pendingFunction = (words[0] as { value: string }).value;
          sink.functions.add(pendingFunction);
          words = [];
          continue;
        }
        flush(false, false);
        frames.push({ type: "subshell", fn: pendingFunction });
        pendingFunction = null;
        continue;
      }
      if (op === ")") {
        flush(false, false);
        popFrame(frames, "subshell");
        continue;
      }
      if (op === ";;" || op === ";&" || op === ";;&") {
        flush(false, false);
        caseState = "pattern";
        continue;
      }
      if (op === "&&" || op === "||") flush(true, false, op);
      else if (op === "|" || op === "|&") flush(conditional, true, "|");
      else if (op === "&") {
        piped = true;
        flush(false, false);
      } else flush(false, false);
      continue;
    }
    const w = readWord(s);
    if (expectRedirectTarget) {
      if (expectRedirectTarget !== "file") heredocs.push({ delimiter: w.value, strip: expectRedirectTarget === "<<-", command: null });
      expectRedirectTarget = null;
      continue;
    }
    if (caseState === "word") {
      if (w.value === "in") caseState = "pattern";
      continue;
    }
    if (caseState === "pattern") {
      if (w.value === "esac") {
        popFrame(frames, "case");
        caseState = frames.some((f) => f.type === "case") ? "body" : null;
      }
      continue;
    }
    if (startOfCommand()) {
      if (w.value === "{") {
        frames.push({ type: "brace", fn: pendingFunction });
        pendingFunction = null;
        continue;
      }
      if (w.value === "}") {
        popFrame(frames, "brace");
        continue;
      }
      if (w.value === "function") {
        const name = readWordAfterBlanks(s);
        if (name) {
          if (s.text.startsWith("()", s.i)) s.i += 2;
          pendingFunction = name;
          sink.functions.add(name);
        }
        continue;
      }
      if (RESERVED_OPEN.has(w.value)) {
        frames.push({ type: w.value === "if" ? "if" : w.value === "case" ? "case" : "loop", fn: null });
        if (w.value === "case") caseState = "word";
        if (w.value === "for" || w.value === "select") skipToEndOfLine(s);
        continue;
      }
      if (RESERVED_CLOSE.has(w.value)) {
        popFrame(frames, w.value === "fi" ? "if" : w.value === "esac" ? "case" : "loop");
        if (w.value === "esac") caseState = frames.some((f) => f.type === "case") ? "body" : null;
        continue;
      }
      if (w.value === "!") negated = true;
      if (RESERVED_MID.has(w.value)) continue;
      if (w.value === "[[") inTest = true;
    }
    words.push(w);
  }
  flush(false, false);
}

function popFrame(frames: Frame[], type: Frame["type"]): void {
  for (let f = frames.length - 1; f >= 0; f--) {
    if (frames[f]!.type === type) {
      frames.splice(f);
      return;
    }
  }
}

function readWordAfterBlanks(s: State): string | null {
  while (isBlank(s.text[s.i])) s.i++;
  const start = s.i;
  while (s.i < s.text.length && /[A-Za-z0-9_:.-]/.test(s.text[s.i]!)) s.i++;
  return s.i > start ? s.text.slice(start, s.i) : null;
}

/** `for x in a b; do` — the loop header is not a command. */
function skipToEndOfLine(s: State): void {
  while (s.i < s.text.length) {
    const c = s.text[s.i]!;
    if (c === "\n" || c === ";") return;
    if (c === "'") skipSingle(s);
    else if (c === '"') {
      s.i++;
      readDouble(s, null);
    } else if (c === "$") readDollar(s, null);
    else s.i++;
  }
}

function readWordOrOperatorInTest(s: State): Token {
  const c = s.text[s.i]!;
  if (c === "\n") {
    s.i++;
    s.line++;
    return { type: "op", value: "\n", line: s.line - 1 };
  }
  for (const op of ["&&", "||", "<", ">", "(", ")", "!"]) {
    if (s.text.startsWith(op, s.i)) {
      s.i += op.length;
      return { type: "word", value: op, line: s.line, subs: [] };
    }
  }
  return readWord(s);
}

/** Skips a heredoc's body and returns it (without its delimiter line). */
function skipHeredoc(s: State, delimiter: string, strip: boolean): string {
  const body: string[] = [];
  while (s.i < s.text.length) {
    let end = s.text.indexOf("\n", s.i);
    if (end === -1) end = s.text.length;
    let line = s.text.slice(s.i, end);
    if (line.endsWith("\r")) line = line.slice(0, -1);
    if (strip) while (line.startsWith("\t")) line = line.slice(1);
    s.i = Math.min(end + 1, s.text.length);
    s.line++;
    if (line === delimiter) break;
    body.push(line);
  }
  return body.map((l) => `${l}\n`).join("");
}

// ---------------------------------------------------------------------------------------------
// What the checks ask of a parsed script

/** Commands that can run: before the first unconditional top-level exit, plus the bodies of functions they call. */
export function reachableCommands(script: ShellScript): ShellCommand[] {
  const top: ShellCommand[] = [];
  for (const command of script.commands) {
    if (command.inFunction) continue;
    top.push(command);
    if (endsScript(command)) break;
  }
  const called = new Set<string>();
  const queue = [...top];
  const out = [...top];
  while (queue.length) {
    const command = queue.shift()!;
    for (const name of calledFunctions(command, script.functions)) {
      if (called.has(name)) continue;
      called.add(name);
      const body = script.commands.filter((c) => c.inFunction === name);
      out.push(...body);
      queue.push(...body);
    }
  }
  return out;
}

/** An `exit`/`return` that always runs: top level, not after `&&`/`||`, not in a pipe or `$(…)`. */
export function endsScript(command: ShellCommand): boolean {
  return (command.words[0] === "exit" || command.words[0] === "return") && command.depth === 0 && !command.inFunction && !command.conditional && !command.piped && !command.substitution;
}

function calledFunctions(command: ShellCommand, functions: Set<string>): string[] {
  const names: string[] = [];
  const [first, ...rest] = command.words;
  if (first && functions.has(first)) names.push(first);
  if (first === "trap" && rest.length) {
    // trap 'cleanup; other' EXIT — the handler's commands.
    const handler = parseShell(rest[0]!);
    for (const c of handler.commands) if (c.words[0] && functions.has(c.words[0])) names.push(c.words[0]);
  }
  return names;
}

/** The first top-level command that ends the script while real commands follow it, or null. */
export function earlyExit(script: ShellScript): ShellCommand | null {
  const top = script.commands.filter((c) => !c.inFunction);
  const index = top.findIndex(endsScript);
  if (index === -1 || index === top.length - 1) return null;
  return top[index]!;
}
