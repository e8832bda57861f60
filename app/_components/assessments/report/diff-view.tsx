// A line diff as a table: removed lines marked "−", added "+", both in words for screen readers.
import { diffRows, diffSummary, type DiffRow } from "./diff-rows";

/** Unchanged runs longer than this are folded to their first and last lines. */
const CONTEXT = 3;

function fold(rows: DiffRow[]): Array<DiffRow | { kind: "fold"; count: number }> {
  const out: Array<DiffRow | { kind: "fold"; count: number }> = [];
  let i = 0;
  while (i < rows.length) {
    if (rows[i]!.kind !== "same") {
      out.push(rows[i++]!);
      continue;
    }
    let j = i;
    while (j < rows.length && rows[j]!.kind === "same") j++;
    const run = rows.slice(i, j);
    const head = i === 0 ? 0 : CONTEXT;
    const tail = j === rows.length ? 0 : CONTEXT;
    if (run.length > head + tail + 1) {
      out.push(...run.slice(0, head), { kind: "fold", count: run.length - head - tail }, ...run.slice(run.length - tail));
    } else out.push(...run);
    i = j;
  }
  return out;
}

const MARK = { same: " ", added: "+", removed: "−" } as const;
const WORDS = { same: "unchanged", added: "added", removed: "removed" } as const;

export function DiffView({ before, after, caption }: { before: string; after: string; caption: string }) {
  const rows = diffRows(before, after);
  const { added, removed } = diffSummary(rows);
  if (added === 0 && removed === 0) return <p className="muted small">{caption}: no changes.</p>;
  return (
    <table className="diff">
      <caption>
        {caption}: <span className="diff-added-count">+{added}</span> <span className="diff-removed-count">−{removed}</span>
      </caption>
      <thead className="visually-hidden">
        <tr>
          <th scope="col">Line before</th>
          <th scope="col">Line after</th>
          <th scope="col">Change</th>
          <th scope="col">Text</th>
        </tr>
      </thead>
      <tbody>
        {fold(rows).map((row, i) =>
          row.kind === "fold" ? (
            <tr key={i} className="diff-fold">
              <td colSpan={4}>… {row.count} unchanged lines …</td>
            </tr>
          ) : (
            <tr key={i} className={`diff-${row.kind}`}>
              <td className="diff-no">{row.oldLine ?? ""}</td>
              <td className="diff-no">{row.newLine ?? ""}</td>
              <td className="diff-mark">
                <span aria-hidden="true">{MARK[row.kind]}</span>
                <span className="visually-hidden">{WORDS[row.kind]}</span>
              </td>
              <td className="diff-text">{row.text}</td>
            </tr>
          ),
        )}
      </tbody>
    </table>
  );
}
