import { expect, test } from "vitest";
import { diffRows, diffSummary } from "./diff-rows";

test("lines are numbered on both sides: unchanged on both, removed on the old side, added on the new", () => {
  const rows = diffRows("FROM python:latest\nCOPY . /app\nCMD run\n", "FROM python:3.12-slim\nCOPY . /app\nUSER app\nCMD run\n");
  expect(rows).toEqual([
    { kind: "removed", text: "FROM python:latest", oldLine: 1, newLine: null },
    { kind: "added", text: "FROM python:3.12-slim", oldLine: null, newLine: 1 },
    { kind: "same", text: "COPY . /app", oldLine: 2, newLine: 2 },
    { kind: "added", text: "USER app", oldLine: null, newLine: 3 },
    { kind: "same", text: "CMD run", oldLine: 3, newLine: 4 },
  ]);
  expect(diffSummary(rows)).toEqual({ added: 2, removed: 1 });
});

test("from nothing, to nothing, and a last line without a newline", () => {
  expect(diffRows("", "a\nb")).toEqual([
    { kind: "added", text: "a", oldLine: null, newLine: 1 },
    { kind: "added", text: "b", oldLine: null, newLine: 2 },
  ]);
  expect(diffRows("a\n", "")).toEqual([{ kind: "removed", text: "a", oldLine: 1, newLine: null }]);
  expect(diffSummary(diffRows("same\n", "same\n"))).toEqual({ added: 0, removed: 0 });
});

test("a complete rewrite too large to diff line by line is shown as all removed, then all added", () => {
  const before = Array.from({ length: 3000 }, (_, i) => `old ${i}`).join("\n");
  const after = Array.from({ length: 3000 }, (_, i) => `new ${i}`).join("\n");
  const rows = diffRows(before, after);
  expect(diffSummary(rows)).toEqual({ added: 3000, removed: 3000 });
  expect(rows[0]).toEqual({ kind: "removed", text: "old 0", oldLine: 1, newLine: null });
  expect(rows[3000]).toEqual({ kind: "added", text: "new 0", oldLine: null, newLine: 1 });
});
