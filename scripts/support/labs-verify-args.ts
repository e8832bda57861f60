// The command line of npm run labs:verify: which labs to verify. Kept apart from the script so it
// can be tested without running a self-test.
import { parseArgs } from "node:util";

export const LABS_VERIFY_USAGE = "Usage: npm run labs:verify [-- --lab <lab-id> [--lab <lab-id> ...]] (every lab when none is named; bare lab ids work too)";

export type VerifyArgs = { ok: true; labIds: string[] | null } | { ok: false; error: string };

/**
 * The lab ids to verify (null: every lab) from `--lab <id>` options and bare ids, or what is
 * wrong with the command line, in words that list the known ids.
 */
export function parseVerifyArgs(argv: readonly string[], knownIds: readonly string[]): VerifyArgs {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    return { ok: false, error: `${error instanceof Error ? error.message : String(error)}. ${LABS_VERIFY_USAGE}` };
  }
  const named = [...(parsed.values.lab ?? []), ...parsed.positionals];
  if (named.some((id) => id.trim() === "")) return { ok: false, error: `--lab needs a lab id. ${LABS_VERIFY_USAGE}` };
  if (named.length === 0) return { ok: true, labIds: null };
  const unknown = named.filter((id) => !knownIds.includes(id));
  if (unknown.length > 0) {
    return { ok: false, error: `no lab ${unknown.map((id) => `"${id}"`).join(", ")}. The labs are: ${knownIds.join(", ")}.` };
  }
  return { ok: true, labIds: [...new Set(named)] };
}

function parse(argv: readonly string[]) {
  return parseArgs({ args: [...argv], options: { lab: { type: "string", multiple: true } }, allowPositionals: true, strict: true });
}
