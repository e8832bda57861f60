// Line diff rows for the report's final-files diff and the replay (pure; the server and the
// browser both use it). The `diff` package finds the edit script; this numbers the lines.
import { diffLines } from "diff";

export type DiffRow = { kind: "same" | "added" | "removed"; text: string; oldLine: number | null; newLine: number | null };

/** Past this many edits the diff is not worth computing line by line: the file was rewritten. */
const MAX_EDIT_LENGTH = 4000;

function splitLines(value: string): string[] {
  const lines = value.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines;
}

export function diffRows(before: string, after: string): DiffRow[] {
  const changes = diffLines(before, after, { maxEditLength: MAX_EDIT_LENGTH }) ?? [
    { value: before, removed: true, added: false, count: 0 },
    { value: after, added: true, removed: false, count: 0 },
  ];
  const rows: DiffRow[] = [];
  let oldLine = 1;
  let newLine = 1;
  for (const change of changes) {
    for (const text of splitLines(change.value)) {
      if (change.added) rows.push({ kind: "added", text, oldLine: null, newLine: newLine++ });
      else if (change.removed) rows.push({ kind: "removed", text, oldLine: oldLine++, newLine: null });
      else rows.push({ kind: "same", text, oldLine: oldLine++, newLine: newLine++ });
    }
  }
  return rows;
}

/** "+3 −1": how much a diff changes. */
export function diffSummary(rows: readonly DiffRow[]): { added: number; removed: number } {
  return { added: rows.filter((r) => r.kind === "added").length, removed: rows.filter((r) => r.kind === "removed").length };
}
