// The learner's files for checks: required (an empty file fails with what to do) and, for YAML
// and JSON, parsed with the grader's limits (no alias bombs, bounded depth).
import { failWith } from "./failure";
import { missingFile } from "./kinds/kind";
import { parseStructured } from "./kinds/structured";
import type { CheckContext } from "./types";
import { learnerPattern } from "./pattern";

const TRAILING_PUNCTUATION = learnerPattern("[:.]+$");

/** The file's text; an empty or missing file fails the check with what to do. */
export function requireFile(ctx: CheckContext, file: string): string {
  const text = ctx.files[file];
  if (text === undefined || text.trim() === "") return failWith(missingFile(file).message);
  return text;
}

/**
 * A YAML or JSON file (by extension unless `format` says) parsed with the grader's limits; fails
 * the check with the line of the first error (and `fix`, e.g. which check to fix first).
 * `expect: "mapping"` also refuses a file whose top level is not `key: value` pairs.
 */
export function requireStructured<T = unknown>(
  ctx: CheckContext,
  file: string,
  options: { format?: "yaml" | "json"; expect?: "mapping"; fix?: string } = {},
): T {
  const text = requireFile(ctx, file);
  const parsed = parseStructured(text, options.format ?? (file.endsWith(".json") ? "json" : "yaml"));
  if (!parsed.ok) {
    return failWith(`\`${file}\`${parsed.line ? ` line ${parsed.line}` : ""}: ${TRAILING_PUNCTUATION.replaceFirst(parsed.message, "")}.${options.fix ? ` ${options.fix}` : ""}`);
  }
  if (options.expect === "mapping" && !isMapping(parsed.value)) return failWith(`\`${file}\` is not a mapping (\`key: value\` pairs at the top level).`);
  return parsed.value as T;
}

export function isMapping(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === "object" && !Array.isArray(value);
}
