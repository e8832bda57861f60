// Shell script checks. Static only: ShellCheck reads the script from stdin (it never runs it and,
// without -x, never follows `source`), plus structure checks on the text.
import { spawn } from "node:child_process";
import { z } from "zod";
import { fail, pass } from "../types";
import { FileParam, defineKind, fileText, missingFile } from "./kind";

export type ShellcheckFinding = { line: number; column: number; level: "error" | "warning" | "info" | "style"; code: number; message: string };

const LEVELS = ["style", "info", "warning", "error"] as const;

export class ShellcheckUnavailable extends Error {
  override name = "ShellcheckUnavailable";
}

/** Runs `shellcheck --format=json1 -` on the text. */
export function runShellcheck(text: string, signal?: AbortSignal): Promise<ShellcheckFinding[]> {
  const args = ["--format=json1", "--norc"];
  if (!text.startsWith("#!")) args.push("--shell=bash");
  args.push("-");
  return new Promise((resolve, reject) => {
    const child = spawn("shellcheck", args, { stdio: "pipe", ...(signal ? { signal } : {}) });
    let out = "";
    let err = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (err += d));
    child.on("error", (e: NodeJS.ErrnoException) =>
      reject(e.code === "ENOENT" ? new ShellcheckUnavailable("The shellcheck binary is not installed on the grading server.") : e),
    );
    child.on("close", (code: number | null) => {
      // 0: clean, 1: findings; anything else is ShellCheck failing.
      if (code !== 0 && code !== 1) return reject(new Error(`shellcheck exited with ${code}: ${err.trim()}`));
      try {
        const parsed = JSON.parse(out || '{"comments":[]}') as { comments: ShellcheckFinding[] };
        resolve(parsed.comments.map(({ line, column, level, code, message }) => ({ line, column, level, code, message })));
      } catch (error) {
        reject(error);
      }
    });
    child.stdin.on("error", () => {});
    child.stdin.end(text);
  });
}

/** The options a script turns on with `set` before its first other command. */
export function strictModeOf(text: string): { e: boolean; u: boolean; pipefail: boolean; line: number | null } {
  const found = { e: false, u: false, pipefail: false, line: null as number | null };
  const lines = text.split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!.trim();
    if (!line || line.startsWith("#")) continue;
    const m = /^set\s+(.+?)\s*(?:#.*)?$/.exec(line);
    if (!m) break;
    const tokens = m[1]!.split(/\s+/);
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (/^-[A-Za-z]+$/.test(t)) {
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
    found.line = index + 1;
  }
  return found;
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
      if (!/^#!\s*(\/usr\/bin\/env\s+bash|\/bin\/bash|\/usr\/bin\/bash)\b/.test(text)) {
        return fail(`\`${p.file}\` must start with a bash shebang (\`#!/usr/bin/env bash\`): \`pipefail\` is a bash option.`);
      }
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
      const text = fileText(ctx, p.file);
      if (text === null) return missingFile(p.file);
      const code = text
        .split(/\r?\n/)
        .map((l) => l.replace(/(^|\s)#.*$/, ""))
        .join("\n");
      const codes = new Set([...code.matchAll(/\bexit\s+([0-9]+)\b/g)].map((m) => Number(m[1])).filter((n) => n > 0));
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

  "text.matches": defineKind({
    params: z.object({
      file: FileParam,
      pattern: z.string().min(1).refine((s) => {
        try {
          new RegExp(s, "m");
          return true;
        } catch {
          return false;
        }
      }, "is not a valid regular expression"),
      flags: z.string().regex(/^[imsu]*$/).default("m"),
      /** false: the file must NOT match. */
      present: z.boolean().default(true),
      /** What to tell the learner when the check fails. */
      failure: z.string().min(1),
      success: z.string().min(1).default("Found what this check looks for."),
    }),
    needsCluster: false,
    async run(p, ctx) {
      const text = fileText(ctx, p.file);
      if (text === null) return missingFile(p.file);
      const found = new RegExp(p.pattern, p.flags).test(text);
      return found === p.present ? pass(p.success) : fail(p.failure);
    },
  }),
};
