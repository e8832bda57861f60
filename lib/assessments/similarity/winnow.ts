// Winnowing (Schleimer, Wilkerson, Aiken, SIGMOD 2003 — the algorithm behind MOSS): hash every
// k-gram of normalised tokens, then in every window of w consecutive hashes keep the minimum
// (robust winnowing: the rightmost minimum, and the previous pick while it is still in the window
// and still minimal). Guarantees: any shared run of at least w + k - 1 tokens yields at least one
// shared fingerprint; runs shorter than k are never matched (noise). See docs/decisions/018.
import type { Language, TokenisedFile } from "./tokens";

export type WinnowingParameters = { k: number; w: number };

/**
 * k and w per language, in tokens. Languages whose lines carry few tokens (YAML: a key and a value)
 * get a smaller k so a fingerprint still spans a few lines; Python, whose normalised tokens are the
 * least distinctive (ID ( ID , ID )), the largest. Measured in docs/decisions/018-similarity.md.
 */
export const WINNOWING: Readonly<Record<Language, WinnowingParameters>> = {
  python: { k: 15, w: 6 },
  shell: { k: 12, w: 5 },
  dockerfile: { k: 10, w: 5 },
  yaml: { k: 10, w: 5 },
  json: { k: 10, w: 5 },
  requirements: { k: 4, w: 3 },
  "ignore-list": { k: 3, w: 3 },
  generic: { k: 12, w: 5 },
};

/** A k-gram of one file: its hash and the flat token range [start, end) it covers. */
export type KGram = { hash: number; start: number; end: number };

/** Segments shorter than this are too small to say anything (a lone `import os`). */
const MIN_SEGMENT_TOKENS = 3;

function fnv1a(text: string, seed: number): number {
  let h = seed;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

/** murmur3's finaliser: spreads the bits so the minimum of a window is not biased by the last token. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export type HashCache = Map<string, number>;

/**
 * Every k-gram of a file, segment by segment (never across a segment boundary). A segment shorter
 * than k is one k-gram of its own. The language is part of the hash: a YAML k-gram never equals a
 * Python one.
 */
export function kgrams(file: TokenisedFile, cache: HashCache = new Map(), parameters: WinnowingParameters = WINNOWING[file.language]): KGram[][] {
  const { k } = parameters;
  const seed = fnv1a(file.language, 2166136261);
  const out: KGram[][] = [];
  let offset = 0;
  for (const segment of file.segments) {
    const hashes = segment.map((token) => {
      let h = cache.get(token.text);
      if (h === undefined) {
        h = fnv1a(token.text, 2166136261);
        cache.set(token.text, h);
      }
      return h;
    });
    const grams: KGram[] = [];
    const count = segment.length >= k ? segment.length - k + 1 : segment.length >= MIN_SEGMENT_TOKENS ? 1 : 0;
    for (let i = 0; i < count; i++) {
      const end = Math.min(i + k, segment.length);
      let h = seed;
      for (let j = i; j < end; j++) h = Math.imul(h ^ hashes[j]!, 16777619);
      grams.push({ hash: mix(h), start: offset + i, end: offset + end });
    }
    if (grams.length > 0) out.push(grams);
    offset += segment.length;
  }
  return out;
}

/**
 * Robust winnowing over one sequence of k-gram hashes: the indices of the selected k-grams, in
 * order, each once. A sequence shorter than w is one window.
 */
export function winnow(hashes: readonly number[], w: number): number[] {
  const selected: number[] = [];
  if (hashes.length === 0) return selected;
  const windows = Math.max(1, hashes.length - w + 1);
  let pick = -1;
  for (let start = 0; start < windows; start++) {
    const end = Math.min(start + w, hashes.length);
    if (pick >= start) {
      // The previous pick is still in the window: only a strictly smaller hash (the new element) replaces it.
      const last = end - 1;
      if (hashes[last]! < hashes[pick]!) {
        pick = last;
        selected.push(pick);
      }
      continue;
    }
    // The previous pick left the window: the rightmost minimum of the window.
    let min = start;
    for (let i = start + 1; i < end; i++) if (hashes[i]! <= hashes[min]!) min = i;
    pick = min;
    selected.push(pick);
  }
  return selected;
}

/** The winnowed fingerprints of a file. */
export function fingerprints(file: TokenisedFile, cache: HashCache = new Map(), parameters: WinnowingParameters = WINNOWING[file.language]): KGram[] {
  const out: KGram[] = [];
  for (const grams of kgrams(file, cache, parameters)) {
    const picks = winnow(
      grams.map((g) => g.hash),
      parameters.w,
    );
    for (const i of picks) out.push(grams[i]!);
  }
  return out;
}
