import { expect, test } from "vitest";
import type { Token, TokenisedFile } from "./tokens";
import { fingerprints, kgrams, winnow } from "./winnow";

test("robust winnowing picks the rightmost minimum, and keeps the previous pick while it is still minimal", () => {
  // Windows of 3: [3,1,4] → the 1 at 1; [1,4,1] → still the 1 at 1 (a tie does not move the pick);
  // [4,1,5] → the 1 at 1 has left, the 1 at 3; [1,5,9] → still 3; [5,9,2] → 2 at 6.
  expect(winnow([3, 1, 4, 1, 5, 9, 2], 3)).toEqual([1, 3, 6]);
  // Plain "rightmost minimum" in a fresh window with ties: the rightmost.
  expect(winnow([2, 2, 2], 3)).toEqual([2]);
  expect(winnow([], 4)).toEqual([]);
  // Fewer hashes than a window: one window.
  expect(winnow([5, 3, 8], 6)).toEqual([1]);
});

/** A deterministic pseudo-random generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function file(words: string[]): TokenisedFile {
  return { path: "x.txt", language: "generic", segments: [words.map((text, i): Token => ({ text, line: i + 1 }))] };
}

test("any shared run of w + k - 1 tokens or more shares a fingerprint (the winnowing guarantee)", () => {
  const next = random(42);
  const parameters = { k: 8, w: 5 };
  const guarantee = parameters.k + parameters.w - 1;
  const vocabulary = Array.from({ length: 40 }, (_, i) => `t${i}`);
  const pick = () => vocabulary[Math.floor(next() * vocabulary.length)]!;
  for (let round = 0; round < 200; round++) {
    const shared = Array.from({ length: guarantee }, pick);
    const a = [...Array.from({ length: 30 + Math.floor(next() * 50) }, pick), ...shared, ...Array.from({ length: 20 }, pick)];
    const b = [...Array.from({ length: 10 + Math.floor(next() * 80) }, pick), ...shared, ...Array.from({ length: 40 }, pick)];
    const fa = new Set(fingerprints(file(a), new Map(), parameters).map((f) => f.hash));
    const fb = fingerprints(file(b), new Map(), parameters).map((f) => f.hash);
    expect(fb.some((h) => fa.has(h)), `round ${round}`).toBe(true);
  }
});

test("winnowing keeps about 2 / (w + 1) of the k-grams", () => {
  const next = random(7);
  const words = Array.from({ length: 5000 }, () => `t${Math.floor(next() * 1000)}`);
  const parameters = { k: 6, w: 5 };
  const density = fingerprints(file(words), new Map(), parameters).length / kgrams(file(words), new Map(), parameters)[0]!.length;
  expect(density).toBeGreaterThan(0.28);
  expect(density).toBeLessThan(0.39);
});

test("k-grams never cross a segment boundary; a short segment is one k-gram; a tiny one none", () => {
  const tokens = (texts: string[]) => texts.map((text, i): Token => ({ text, line: i + 1 }));
  const f: TokenisedFile = { path: "x.txt", language: "generic", segments: [tokens(["a", "b", "c", "d"]), tokens(["e", "f"]), tokens(["g", "h", "i"])] };
  const grams = kgrams(f, new Map(), { k: 3, w: 2 });
  expect(grams.map((g) => g.map((x) => [x.start, x.end]))).toEqual([
    [
      [0, 3],
      [1, 4],
    ],
    [[6, 9]],
  ]);
  // Same tokens in another language: other hashes.
  const asYaml = kgrams({ ...f, language: "yaml" }, new Map(), { k: 3, w: 2 });
  expect(asYaml[0]![0]!.hash).not.toBe(grams[0]![0]!.hash);
});
