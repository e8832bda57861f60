// Shell script checks. Static only: ShellCheck reads the script from stdin (it never runs it and,
// without -x, never follows `source`), plus structure checks on the parsed script
// (shell-syntax.ts): comments, strings, heredocs and code after an unconditional `exit` never
// count as work.
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { patternProblem, learnerPattern } from "../pattern";
import { failWith } from "../failure";
import { fail, pass, type CheckContext } from "../types";
import { FileParam, defineKind, fileText, missingFile } from "./kind";
import { earlyExit, parseShell, reachableCommands, type ShellScript } from "./shell-syntax";

export type ShellcheckFinding = { line: number; column: number; level: "error" | "warning" | "info" | "style"; code: number; message: string };

const LEVELS = ["style", "info", "warning", "error"] as const;

export class ShellcheckUnavailable extends Error {
  override name = "ShellcheckUnavailable";
}

/**
 * The environment ShellCheck runs with: a fixed PATH, a C locale and a HOME of its own, nothing of
 * the server's (its secrets, DATABASE_URL, …) — review finding I1.
 */
let shellcheckHome: string | null = null;
export function isolatedEnv(): Record<string, string> {
  shellcheckHome ??= mkdtempSync(join(tmpdir(), "academy-shellcheck-"));
  return { PATH: "/usr/local/bin:/usr/bin:/bin", LANG: "C.UTF-8", LC_ALL: "C.UTF-8", HOME: shellcheckHome };
}

/** Runs a tool with the isolated environment, the text on stdin; resolves with its exit code and output. */
export function runIsolated(command: string, args: string[], input: string, signal?: AbortSignal): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const env = isolatedEnv();
    // Next's types declare NODE_ENV as always present; the child does not need it.
    const child = spawn(command, args, { stdio: "pipe", env: env as unknown as NodeJS.ProcessEnv, cwd: env.HOME, ...(signal ? { signal } : {}) });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code: number | null) => resolve({ code, stdout, stderr }));
    child.stdin.on("error", () => {});
    child.stdin.end(input);
  });
}

/**
 * The script with every `# shellcheck …` directive made inert (same length, so lines and columns
 * of findings stay right): a learner's `disable=all` or `shell=sh` must not switch off what the
 * lab checks (review finding H1). ShellCheck's --include/--exclude cannot override in-file
 * directives, so they are removed from the text ShellCheck reads.
 */
export function withoutDirectives(text: string): string {
  let out = "";
  let from = 0;
  for (let i = text.indexOf("#"); i !== -1; i = text.indexOf("#", i + 1)) {
    let j = i + 1;
    while (text[j] === " " || text[j] === "\t") j++;
    if (text.slice(j, j + 10).toLowerCase() === "shellcheck") {
      out += text.slice(from, j) + "-".repeat(10);
      from = j + 10;
    }
  }
  return out + text.slice(from);
}

/** Runs `shellcheck --format=json1 --norc -` on the text, learner directives made inert. */
export async function runShellcheck(text: string, signal?: AbortSignal): Promise<ShellcheckFinding[]> {
  const args = ["--format=json1", "--norc"];
  if (!text.startsWith("#!")) args.push("--shell=bash");
  args.push("-");
  let result: Awaited<ReturnType<typeof runIsolated>>;
  try {
    result = await runIsolated("shellcheck", args, withoutDirectives(text), signal);
  } catch (e) {
    throw (e as NodeJS.ErrnoException).code === "ENOENT" ? new ShellcheckUnavailable("The shellcheck binary is not installed on the grading server.") : e;
  }
  // 0: clean, 1: findings; anything else is ShellCheck failing.
  if (result.code !== 0 && result.code !== 1) throw new Error(`shellcheck exited with ${result.code}: ${result.stderr.trim()}`);
  const parsed = JSON.parse(result.stdout || '{"comments":[]}') as { comments: ShellcheckFinding[] };
  return parsed.comments.map(({ line, column, level, code, message }) => ({ line, column, level, code, message }));
}

/**
 * The options a script turns on with `set` before its first other command. Only real commands
 * count: `set` in a comment, a string, a function body or after `exit` does nothing.
 */
export function strictModeOf(text: string): { e: boolean; u: boolean; pipefail: boolean; line: number | null } {
  const found = { e: false, u: false, pipefail: false, line: null as number | null };
  const script = parseShell(text);
  for (const command of script.commands) {
    if (command.inFunction) continue;
    const [name, ...tokens] = command.words;
    if (name !== "set" || command.depth !== 0 || command.conditional || command.piped || command.substitution) break;
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (OPTION_LETTERS.test(t)) {
        if (t.includes("e")) found.e = true;
        if (t.includes("u")) found.u = true;
        if (t.endsWith("o")) {
          const option = tokens[++i];
          if (option === "pipefail") found.pipefail = true;
          if (option === "errexit") found.e = true;
          if (option === "nounset") found.u = true;
        }
      }
    }
    found.line = command.line;
  }
  return found;
}

const OPTION_LETTERS = learnerPattern("^-[A-Za-z]+$");

/** The fail outcome for a script that stops before its work, or null. */
/**
 * The learner's script as it runs, for the structural kinds. The check fails (through the kit)
 * when the file is empty, or when the script always exits before doing its work.
 */
function runnableScript(ctx: CheckContext, file: string): ShellScript {
  const text = fileText(ctx, file);
  if (text === null) failWith(missingFile(file).message);
  const script = parseShell(text);
  const stop = earlyExit(script);
  if (stop) {
    failWith(`\`${file}\` line ${stop.line}: \`${stop.words.join(" ")}\` always ends the script, so nothing after it runs. Exit only on a condition (\`if …; then …; exit 2; fi\`) or at the end.`);
  }
  return script;
}

export const shellKinds = {
  "shell.shellcheck": defineKind({
    params: z.object({
      file: FileParam,
      severity: z.enum(LEVELS).default("warning"),
      /** Only these codes count (e.g. [2086, 2046] for quoting). */
      codes: z.array(z.number().int()).optional(),
      exclude: z.array(z.number().int()).default([]),
    }),
    needsCluster: false,
    async run(p, ctx) {
      const text = fileText(ctx, p.file);
      if (text === null) return missingFile(p.file);
      const findings = (await runShellcheck(text, ctx.signal)).filter(
        (f) =>
          LEVELS.indexOf(f.level) >= LEVELS.indexOf(p.severity) &&
          !p.exclude.includes(f.code) &&
          (!p.codes || p.codes.includes(f.code)),
      );
      if (findings.length === 0) return pass(`ShellCheck finds nothing at ${p.severity} level or above.`);
      const details = findings.map((f) => `${p.file}:${f.line}:${f.column} ${f.level} SC${f.code}: ${f.message} (https://www.shellcheck.net/wiki/SC${f.code})`);
      return fail(`ShellCheck reports ${findings.length} problem(s); the first: line ${findings[0]!.line}, SC${findings[0]!.code}: ${findings[0]!.message}`, details);
    },
  }),

  "shell.strictMode": defineKind({
    params: z.object({ file: FileParam }),
    needsCluster: false,
    async run(p, ctx) {
      const text = fileText(ctx, p.file);
      if (text === null) return missingFile(p.file);
      if (!BASH_SHEBANG.test(text)) {
        return fail(`\`${p.file}\` must start with a bash shebang (\`#!/usr/bin/env bash\`): \`pipefail\` is a bash option.`);
      }
      runnableScript(ctx, p.file);
      const mode = strictModeOf(text);
      const missing = [!mode.e && "-e (stop on the first failing command)", !mode.u && "-u (unset variables are errors)", !mode.pipefail && "-o pipefail (a failure inside a pipe counts)"].filter(Boolean);
      if (missing.length) {
        return fail(`Strict mode is incomplete before the first command: missing ${missing.join(", ")}. Put \`set -euo pipefail\` right after the shebang.`);
      }
      return pass("The script runs in strict mode (`set -euo pipefail`).");
    },
  }),

  "shell.exitCodes": defineKind({
    params: z.object({ file: FileParam, minDistinct: z.number().int().min(1).default(1) }),
    needsCluster: false,
    async run(p, ctx) {
      const script = runnableScript(ctx, p.file);
      const codes = new Set(
        reachableCommands(script)
          .filter((c) => c.words[0] === "exit" && DIGITS.test(c.words[1] ?? ""))
          .map((c) => Number(c.words[1]))
          .filter((n) => n > 0),
      );
      if (codes.size < p.minDistinct) {
        return fail(
          codes.size === 0
            ? "The script never exits with an explicit non-zero code. On bad input or a failed step, print a message to stderr and `exit` with a documented code (e.g. `exit 2` for usage errors)."
            : `The script uses ${codes.size} distinct failure code(s) (${[...codes].join(", ")}); the lab asks for at least ${p.minDistinct}, so callers can tell failures apart.`,
        );
      }
      return pass(`Explicit exit codes: ${[...codes].sort((a, b) => a - b).join(", ")}.`);
    },
  }),

  /** Commands the script really runs (not in comments, strings or dead code), optionally in order. */
  "shell.runs": defineKind({
    params: z.object({
      file: FileParam,
      /** Command names, e.g. ["mktemp", "mv"]. */
      commands: z.array(z.string().min(1)).min(1),
      /** Each command must first run on a line after the previous one's first run. */
      inOrder: z.boolean().default(false),
      failure: z.string().min(1),
      success: z.string().min(1).default("The script runs what this check looks for."),
    }),
    needsCluster: false,
    async run(p, ctx) {
      const script = runnableScript(ctx, p.file);
      const reachable = reachableCommands(script);
      let after = 0;
      for (const name of p.commands) {
        const lines = reachable.filter((c) => commandName(c.words) === name).map((c) => c.line);
        const candidates = p.inOrder ? lines.filter((l) => l >= after) : lines;
        if (candidates.length === 0) return fail(p.failure);
        after = Math.min(...candidates);
      }
      return pass(p.success);
    },
  }),

  /** A `trap` on a signal whose handler (inline or a function) runs the given commands. */
  "shell.trap": defineKind({
    params: z.object({
      file: FileParam,
      signal: z.string().min(1).default("EXIT"),
      /** Commands the handler must run, e.g. ["rm"]. */
      runs: z.array(z.string().min(1)).default([]),
      failure: z.string().min(1),
      success: z.string().min(1).default("A trap handles the signal."),
    }),
    needsCluster: false,
    async run(p, ctx) {
      const script = runnableScript(ctx, p.file);
      const wanted = signalName(p.signal);
      for (const command of reachableCommands(script)) {
        if (command.words[0] !== "trap" || command.words.length < 3) continue;
        const [, handler, ...signals] = command.words;
        if (!signals.some((s) => signalName(s) === wanted)) continue;
        const ran = handlerCommands(script, handler!);
        if (p.runs.every((name) => ran.has(name))) return pass(p.success);
      }
      return fail(p.failure);
    },
  }),

  /** The script tests how many arguments it got (`$#` in a test) or requires them (`${1:?…}`). */
  "shell.checksArguments": defineKind({
    params: z.object({
      file: FileParam,
      failure: z.string().min(1).default("The script never checks how many arguments it got."),
      success: z.string().min(1).default("The script checks its arguments."),
    }),
    needsCluster: false,
    async run(p, ctx) {
      const script = runnableScript(ctx, p.file);
      const checks = reachableCommands(script).some((c) => {
        const name = c.words[0] ?? "";
        const isTest = name === "[[" || name === "[" || name === "test" || name.startsWith("((");
        return c.words.some((w) => (isTest && (w.includes("$#") || w.includes("${#}"))) || REQUIRED_ARGUMENT.test(w));
      });
      return checks ? pass(p.success) : fail(p.failure);
    },
  }),

  "text.matches": defineKind({
    params: z.object({
      file: FileParam,
      pattern: z.string().min(1),
      flags: z.string().regex(/^[imsu]*$/).default("m"),
      /** false: the file must NOT match. */
      present: z.boolean().default(true),
      /** What to tell the learner when the check fails. */
      failure: z.string().min(1),
      success: z.string().min(1).default("Found what this check looks for."),
    }).superRefine((p, issue) => {
      const problem = patternProblem(p.pattern, p.flags);
      if (problem) issue.addIssue({ code: "custom", path: ["pattern"], message: problem });
    }),
    needsCluster: false,
    async run(p, ctx) {
      const text = fileText(ctx, p.file);
      if (text === null) return missingFile(p.file);
      const found = learnerPattern(p.pattern, p.flags).test(text);
      return found === p.present ? pass(p.success) : fail(p.failure);
    },
  }),
};

const BASH_SHEBANG = learnerPattern("^#!\\s*(/usr/bin/env\\s+bash|/bin/bash|/usr/bin/bash)\\b");
/** `${1:?usage}` / `${2?…}`: bash stops with a message when the argument is missing. */
const REQUIRED_ARGUMENT = learnerPattern("\\$\\{[1-9]:?\\?");

const DIGITS = learnerPattern("^[0-9]+$");
const ASSIGNMENT = learnerPattern("^[A-Za-z_][A-Za-z0-9_]*=");

/** The command a simple command runs, past `command`, `env` prefixes and assignments. */
function commandName(words: string[]): string | undefined {
  let i = 0;
  while (i < words.length && (ASSIGNMENT.test(words[i]!) || words[i] === "command" || words[i] === "builtin" || words[i] === "exec")) i++;
  return words[i];
}

function signalName(signal: string): string {
  const upper = signal.toUpperCase().startsWith("SIG") ? signal.toUpperCase().slice(3) : signal.toUpperCase();
  return upper === "0" ? "EXIT" : upper;
}

/** Command names a trap handler runs, following functions it calls. */
function handlerCommands(script: ShellScript, handler: string): Set<string> {
  const names = new Set<string>();
  const seen = new Set<string>();
  const queue = parseShell(handler).commands;
  while (queue.length) {
    const command = queue.shift()!;
    const name = commandName(command.words);
    if (!name) continue;
    names.add(name);
    if (script.functions.has(name) && !seen.has(name)) {
      seen.add(name);
      queue.push(...script.commands.filter((c) => c.inFunction === name));
    }
  }
  return names;
}
