import { expect, test } from "vitest";
import { MAX_CANDIDATES_PER_PASTE, parseCandidateList } from "./candidate-list";

test("each line is a candidate in any of the usual shapes; blank lines and a header are skipped", () => {
  const parsed = parseCandidateList(
    ["name, email", "Ada Lovelace, ADA@example.com", "", "Grace Hopper <grace@example.com>", "\"Turing, Alan\" <alan@example.com>", "Katherine Johnson\tkj@example.com", "Hopper, Grace M., gmh@example.com"].join("\r\n"),
  );
  expect(parsed).toEqual({
    ok: true,
    candidates: [
      { line: 2, name: "Ada Lovelace", email: "ada@example.com" },
      { line: 4, name: "Grace Hopper", email: "grace@example.com" },
      { line: 5, name: "Turing, Alan", email: "alan@example.com" },
      { line: 6, name: "Katherine Johnson", email: "kj@example.com" },
      { line: 7, name: "Hopper, Grace M.", email: "gmh@example.com" },
    ],
  });
});

test("every bad line is reported with its number and what to write instead", () => {
  expect(parseCandidateList("ok, ok@example.com\njust a name\n, nobody@example.com\nBad <not-an-email>\nOk Again, OK@example.com")).toEqual({
    ok: false,
    // The good lines too: the server checks them against earlier invites in the same answer.
    candidates: [{ line: 1, name: "ok", email: "ok@example.com" }],
    problems: [
      { line: 2, error: 'Write "Name, email" or "Name <email>".' },
      { line: 3, error: "The candidate's name must not be empty." },
      { line: 4, error: "That is not an email address (like name@example.com)." },
      { line: 5, error: "ok@example.com is already on line 1." },
    ],
  });
  expect(parseCandidateList(" \n\n")).toMatchObject({ ok: false, problems: [{ line: 1, error: expect.stringContaining("empty") }] });
});

test("a paste over the limit names the first line that is too many", () => {
  const text = Array.from({ length: MAX_CANDIDATES_PER_PASTE + 2 }, (_, i) => `C ${i}, c${i}@example.com`).join("\n");
  expect(parseCandidateList(text)).toEqual({
    ok: false,
    candidates: [],
    problems: [{ line: MAX_CANDIDATES_PER_PASTE + 1, error: expect.stringContaining(`At most ${MAX_CANDIDATES_PER_PASTE}`) }],
  });
});
