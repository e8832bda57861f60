// Every regular expression that is applied to learner text goes through this file. Patterns run
// on RE2 (the re2js port), whose matching time is linear in the text: no pattern, however it is
// written, can backtrack for seconds on crafted input and stall the server (review finding H2).
// RE2 has no backreferences or lookaround; content:check refuses such patterns when it
// validates a lab, so an author finds out before a learner does.
import { RE2JS } from "re2js";

/** Flags a lab may give: i (case), m (^/$ per line), s (. matches newlines). `u` is accepted and is RE2's default. */
export type PatternFlags = string;

export type LearnerPattern = {
  readonly source: string;
  /** Whether the pattern occurs anywhere in the text. */
  test(text: string): boolean;
  /** The first match and its groups (index 0: the whole match), or null. */
  exec(text: string): string[] | null;
  /** Every match and its groups, left to right. */
  matchAll(text: string): string[][];
  /** The text with every match replaced (by a fixed string, or a function of the groups). */
  replaceAll(text: string, replacement: string | ((groups: string[]) => string)): string;
  /** The text with the first match replaced. */
  replaceFirst(text: string, replacement: string | ((groups: string[]) => string)): string;
  /** The text split at every match. */
  split(text: string): string[];
};

const cache = new Map<string, LearnerPattern>();
const CACHE_MAX = 500;

function flagBits(flags: PatternFlags): number {
  let bits = 0;
  for (const f of flags) {
    if (f === "i") bits |= RE2JS.CASE_INSENSITIVE;
    else if (f === "m") bits |= RE2JS.MULTILINE;
    else if (f === "s") bits |= RE2JS.DOTALL;
    else if (f !== "u") throw new Error(`unsupported pattern flag "${f}" (use i, m or s)`);
  }
  return bits;
}

/** Compiles a pattern for learner text; throws on a pattern RE2 cannot run (see patternProblem). */
export function learnerPattern(source: string, flags: PatternFlags = ""): LearnerPattern {
  const key = `${flags}\0${source}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const re = RE2JS.compile(source, flagBits(flags));
  // Matches as [start, end, groups], left to right, at most `limit`.
  const scan = (text: string, limit: number): Array<{ start: number; end: number; groups: string[] }> => {
    const m = re.matcher(text);
    const out: Array<{ start: number; end: number; groups: string[] }> = [];
    while (out.length < limit && m.find()) {
      const groups: string[] = [];
      for (let g = 0; g <= m.groupCount(); g++) groups.push(m.group(g) ?? "");
      out.push({ start: m.start(), end: m.end(), groups });
    }
    return out;
  };
  const replace = (text: string, replacement: string | ((groups: string[]) => string), limit: number) => {
    let out = "";
    let from = 0;
    for (const match of scan(text, limit)) {
      out += text.slice(from, match.start) + (typeof replacement === "string" ? replacement : replacement(match.groups));
      from = match.end;
    }
    return out + text.slice(from);
  };
  const pattern: LearnerPattern = {
    source,
    test: (text) => re.matcher(text).find(),
    exec: (text) => scan(text, 1)[0]?.groups ?? null,
    matchAll: (text) => scan(text, Infinity).map((m) => m.groups),
    replaceAll: (text, replacement) => replace(text, replacement, Infinity),
    replaceFirst: (text, replacement) => replace(text, replacement, 1),
    split(text) {
      const parts: string[] = [];
      let from = 0;
      for (const match of scan(text, Infinity)) {
        if (match.end === match.start) continue;
        parts.push(text.slice(from, match.start));
        from = match.end;
      }
      parts.push(text.slice(from));
      return parts;
    },
  };
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
  cache.set(key, pattern);
  return pattern;
}

/** Why a pattern cannot be used on learner text (invalid, or needs backtracking), or null. */
export function patternProblem(source: string, flags: PatternFlags = ""): string | null {
  try {
    learnerPattern(source, flags);
    return null;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return `is not a regular expression RE2 can run (no backreferences or lookaround): ${message}`;
  }
}
