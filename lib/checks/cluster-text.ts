// Text that comes from the cluster (pod names, event messages, container logs) is written by
// whoever controls the workload, which is the learner or their image: it is untrusted. Before
// any of it reaches a page or an explanation it is cut to a length and stripped of control
// characters, terminal escape sequences and bidirectional overrides (which can make a line read
// differently from what it says). Pure functions, shared by the workloads view and the checks.

/** ANSI escape sequences (colours, cursor moves, window titles) as terminals understand them. */
const ANSI_SEQUENCE = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)|[@-Z\\-_])/g;
/** C0 and C1 control characters and DEL, except tab and newline (handled by the callers). */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
/** Bidirectional embeddings, overrides and isolates. */
const BIDI = /[\u202a-\u202e\u2066-\u2069]/g;

/** Cuts `text` to at most `max` characters, marking the cut with an ellipsis. */
export function capLength(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, Math.max(0, max - 1))}…`;
}

/**
 * One line of untrusted text: a string (or number) from the cluster, without control characters,
 * newlines folded into spaces, trimmed and capped at `max` characters. Anything else is "".
 */
export function cleanText(value: unknown, max = 500): string {
  if (typeof value !== "string" && typeof value !== "number") return "";
  const text = String(value)
    .replace(ANSI_SEQUENCE, "")
    .replace(/[\t\r\n]+/g, " ")
    .replace(CONTROL, "")
    .replace(BIDI, "")
    .trim();
  return capLength(text, max);
}

/** The last `maxLines` lines of a container log, each cleaned and capped; blank trailing lines dropped. */
export function cleanLogLines(log: string, options: { maxLines?: number; maxLineLength?: number } = {}): string[] {
  const { maxLines = 20, maxLineLength = 400 } = options;
  const lines = log.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === "") lines.pop();
  return lines.slice(-maxLines).map((line) =>
    capLength(
      line
        .replace(ANSI_SEQUENCE, "")
        .replace(/\t/g, "    ")
        .replace(/\r/g, "")
        .replace(CONTROL, "")
        .replace(BIDI, "")
        .trimEnd(),
      maxLineLength,
    ),
  );
}
