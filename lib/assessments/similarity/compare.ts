// Comparing the final files of every candidate of one lab, pairwise and against the lab's
// published solution. Each submission's winnowed fingerprints lose those that also occur anywhere
// in the lab's starter files (everyone shares them) and, for the pairwise comparison, those that
// more than a fraction of all submissions share (boilerplate everyone converges on). Pairs are
// found through an inverted index, fingerprint → submissions, so only submissions that share
// something are ever looked at, and a fingerprint's cost is bounded by the common-fingerprint cap.
// See docs/decisions/018-similarity.md for the numbers.
import { fingerprints, kgrams, WINNOWING, type HashCache } from "./winnow";
import { tokenizeFile } from "./tokenize";
import type { Token, TokenisedFile } from "./tokens";

/** A lab's files by path. */
export type FileTree = Readonly<Record<string, string>>;

export type Submission = { id: string; files: FileTree };

/** Inclusive 1-based line range. */
export type LineRange = [from: number, to: number];

/** One matching region: lines of `aPath` in the first submission match lines of `bPath` in the second. */
export type Passage = { aPath: string; aLines: LineRange; bPath: string; bLines: LineRange; fingerprints: number };

export type SimilarPair = {
  a: string;
  b: string;
  /**
   * Max containment: shared fingerprints (common ones not counted) / fingerprints of the smaller
   * submission (starter ones not counted), 0–1.
   */
  score: number;
  /** Shared / union, for context: low when a small submission is contained in a large one. */
  jaccard: number;
  sharedFingerprints: number;
  /** How many of the shared fingerprints are also in the published solution (both may have copied it). */
  alsoInSolution: number;
  passages: Passage[];
};

/** A submission that matches the published solution; passages' b side is the solution's files. */
export type SolutionMatch = { id: string; score: number; jaccard: number; sharedFingerprints: number; passages: Passage[] };

export type SimilarityOptions = {
  /** Flag at or above this score (0–1). */
  threshold?: number;
  /** A pair must share at least this many fingerprints to be flagged, whatever its score (tiny submissions). */
  minSharedFingerprints?: number;
  /** A fingerprint in more than this fraction of the submissions is common boilerplate… */
  commonFraction?: number;
  /** …unless it is in this many submissions or fewer (small assessments have no "common"). */
  commonFloor?: number;
};

export type CompareInput = SimilarityOptions & {
  submissions: readonly Submission[];
  /** The lab's starter files: fingerprints found in them never count. */
  starter: FileTree;
  /** The lab's published solution; null for none. */
  solution: FileTree | null;
};

export type SimilarityResult = {
  /** Flagged pairs, highest score first. */
  pairs: SimilarPair[];
  /** Submissions that match the published solution, highest score first. */
  solutionMatches: SolutionMatch[];
  stats: {
    submissions: number;
    /** Distinct fingerprints over all submissions after the starter's were removed. */
    fingerprints: number;
    /** Submissions' fingerprints dropped because the starter has them. */
    starterExcluded: number;
    /** Distinct fingerprints dropped as common, and the number of submissions above which one is. */
    commonExcluded: number;
    commonLimit: number;
    /** Pairs that shared at least one fingerprint (the only ones scored). */
    candidatePairs: number;
  };
};

export const SIMILARITY_DEFAULTS: Required<SimilarityOptions> = {
  threshold: 0.5,
  minSharedFingerprints: 8,
  commonFraction: 0.1,
  commonFloor: 10,
};

type Occurrence = { file: number; start: number; end: number };

type Prepared = {
  id: string;
  files: TokenisedFile[];
  flat: Token[][];
  /** Fingerprint hash → where it occurs. */
  prints: Map<number, Occurrence[]>;
};

function prepare(id: string, tree: FileTree, exclude: ReadonlySet<number>, cache: HashCache): { prepared: Prepared; excluded: number } {
  const files = Object.keys(tree)
    .sort()
    .map((path) => tokenizeFile(path, tree[path]!));
  const prints = new Map<number, Occurrence[]>();
  let excluded = 0;
  files.forEach((file, index) => {
    for (const print of fingerprints(file, cache)) {
      if (exclude.has(print.hash)) {
        excluded++;
        continue;
      }
      const list = prints.get(print.hash);
      const occurrence = { file: index, start: print.start, end: print.end };
      if (list) list.push(occurrence);
      else prints.set(print.hash, [occurrence]);
    }
  });
  return { prepared: { id, files, flat: files.map((f) => f.segments.flat()), prints }, excluded };
}

/** Every k-gram hash of the starter (not only the winnowed ones: a submission's winnowing picks other k-grams). */
function starterHashes(starter: FileTree, cache: HashCache): Set<number> {
  const hashes = new Set<number>();
  for (const [path, text] of Object.entries(starter)) {
    for (const grams of kgrams(tokenizeFile(path, text), cache)) for (const gram of grams) hashes.add(gram.hash);
  }
  return hashes;
}

function validate(input: CompareInput): Required<SimilarityOptions> {
  const options = { ...SIMILARITY_DEFAULTS, ...Object.fromEntries(Object.entries(input).filter(([key, value]) => key in SIMILARITY_DEFAULTS && value !== undefined)) };
  const fraction = (name: keyof SimilarityOptions, value: number) => {
    if (!Number.isFinite(value) || value < 0 || value > 1) throw new RangeError(`compareSubmissions: ${name} must be a number from 0 to 1, got ${value}.`);
  };
  const count = (name: keyof SimilarityOptions, value: number) => {
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`compareSubmissions: ${name} must be a whole number of 0 or more, got ${value}.`);
  };
  fraction("threshold", options.threshold);
  fraction("commonFraction", options.commonFraction);
  count("minSharedFingerprints", options.minSharedFingerprints);
  count("commonFloor", options.commonFloor);
  const seen = new Set<string>();
  for (const submission of input.submissions) {
    if (seen.has(submission.id)) throw new RangeError(`compareSubmissions: the candidate id "${submission.id}" appears twice; pass each candidate's final files once.`);
    seen.add(submission.id);
  }
  return options;
}

export function compareSubmissions(input: CompareInput): SimilarityResult {
  const options = validate(input);
  const cache: HashCache = new Map();
  const starter = starterHashes(input.starter, cache);
  let starterExcluded = 0;
  const prepared = input.submissions.map((submission) => {
    const { prepared: p, excluded } = prepare(submission.id, submission.files, starter, cache);
    starterExcluded += excluded;
    return p;
  });
  const solution = input.solution ? prepare("(published solution)", input.solution, starter, cache).prepared : null;

  // The inverted index: fingerprint → the submissions that have it (each once, in index order).
  const index = new Map<number, number[]>();
  prepared.forEach((p, i) => {
    for (const hash of p.prints.keys()) {
      const list = index.get(hash);
      if (list) list.push(i);
      else index.set(hash, [i]);
    }
  });
  const n = prepared.length;
  const commonLimit = Math.max(options.commonFloor, Math.floor(options.commonFraction * n));
  const common = new Set<number>();
  for (const [hash, list] of index) if (list.length > commonLimit) common.add(hash);
  // A submission's size counts its common fingerprints: sharing them is no evidence, but they are
  // still part of what the candidate handed in. Without them, a submission that is mostly
  // boilerplate would be scored on the handful of fingerprints left, and noise would flag it.
  const sizes = prepared.map((p) => p.prints.size);

  // Shared-fingerprint counts for every pair that shares one; each fingerprint costs at most
  // commonLimit² / 2 increments, whatever n is.
  const shared = new Map<number, number>();
  for (const [hash, list] of index) {
    if (common.has(hash) || list.length < 2) continue;
    for (let x = 0; x < list.length; x++) {
      const base = list[x]! * n;
      for (let y = x + 1; y < list.length; y++) {
        const key = base + list[y]!;
        shared.set(key, (shared.get(key) ?? 0) + 1);
      }
    }
  }

  const pairs: SimilarPair[] = [];
  for (const [key, count] of shared) {
    const i = Math.floor(key / n);
    const j = key % n;
    const smaller = Math.min(sizes[i]!, sizes[j]!);
    const score = smaller === 0 ? 0 : count / smaller;
    if (count === 0 || count < options.minSharedFingerprints || score < options.threshold) continue;
    const a = prepared[i]!;
    const b = prepared[j]!;
    const hashes = [...a.prints.keys()].filter((h) => !common.has(h) && b.prints.has(h));
    pairs.push({
      a: a.id,
      b: b.id,
      score: round(score),
      jaccard: round(count / (sizes[i]! + sizes[j]! - count)),
      sharedFingerprints: count,
      alsoInSolution: solution ? hashes.filter((h) => solution.prints.has(h)).length : 0,
      passages: passages(a, b, hashes),
    });
  }
  pairs.sort((x, y) => y.score - x.score || y.sharedFingerprints - x.sharedFingerprints || x.a.localeCompare(y.a) || x.b.localeCompare(y.b));

  // Against the published solution, common fingerprints count: if half the candidates pasted the
  // solution, its fingerprints are common, and they must still be flagged.
  const solutionMatches: SolutionMatch[] = [];
  if (solution && solution.prints.size > 0) {
    for (const p of prepared) {
      const hashes = [...p.prints.keys()].filter((h) => solution.prints.has(h));
      const smaller = Math.min(p.prints.size, solution.prints.size);
      const score = smaller === 0 ? 0 : hashes.length / smaller;
      if (hashes.length === 0 || hashes.length < options.minSharedFingerprints || score < options.threshold) continue;
      solutionMatches.push({
        id: p.id,
        score: round(score),
        jaccard: round(hashes.length / (p.prints.size + solution.prints.size - hashes.length)),
        sharedFingerprints: hashes.length,
        passages: passages(p, solution, hashes),
      });
    }
    solutionMatches.sort((x, y) => y.score - x.score || x.id.localeCompare(y.id));
  }

  return {
    pairs,
    solutionMatches,
    stats: { submissions: n, fingerprints: index.size, starterExcluded, commonExcluded: common.size, commonLimit, candidatePairs: shared.size },
  };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** At most this many occurrences of one fingerprint per side go into passages (a line repeated 50 times is one match). */
const OCCURRENCES_PER_SIDE = 4;

type Match = { aFile: number; aStart: number; aEnd: number; bFile: number; bStart: number; bEnd: number };

/**
 * Shared fingerprints → passages: matches of the same pair of files are merged while they follow
 * each other on both sides, in the same direction, within a window's length (the most winnowing
 * leaves between two picks).
 */
function passages(a: Prepared, b: Prepared, hashes: readonly number[]): Passage[] {
  const byFiles = new Map<string, Match[]>();
  for (const hash of hashes) {
    for (const x of a.prints.get(hash)!.slice(0, OCCURRENCES_PER_SIDE)) {
      for (const y of b.prints.get(hash)!.slice(0, OCCURRENCES_PER_SIDE)) {
        const key = `${x.file}:${y.file}`;
        const match = { aFile: x.file, aStart: x.start, aEnd: x.end, bFile: y.file, bStart: y.start, bEnd: y.end };
        const list = byFiles.get(key);
        if (list) list.push(match);
        else byFiles.set(key, [match]);
      }
    }
  }
  const out: Passage[] = [];
  for (const matches of byFiles.values()) {
    matches.sort((x, y) => x.aStart - y.aStart || x.bStart - y.bStart);
    const gap = WINNOWING[a.files[matches[0]!.aFile]!.language].w;
    let current: (Match & { count: number; lastBStart: number }) | null = null;
    const emit = (m: Match & { count: number; lastBStart: number }) => {
      out.push({
        aPath: a.files[m.aFile]!.path,
        aLines: lineRange(a.flat[m.aFile]!, m.aStart, m.aEnd),
        bPath: b.files[m.bFile]!.path,
        bLines: lineRange(b.flat[m.bFile]!, m.bStart, m.bEnd),
        fingerprints: m.count,
      });
    };
    for (const m of matches) {
      // Both sides move forward together: a block moved elsewhere in b is a passage of its own.
      if (current && m.aStart <= current.aEnd + gap && m.bStart >= current.lastBStart && m.bStart <= current.bEnd + gap) {
        current.aEnd = Math.max(current.aEnd, m.aEnd);
        current.bEnd = Math.max(current.bEnd, m.bEnd);
        current.lastBStart = m.bStart;
        current.count++;
        continue;
      }
      if (current) emit(current);
      current = { ...m, count: 1, lastBStart: m.bStart };
    }
    if (current) emit(current);
  }
  return out.sort((x, y) => x.aPath.localeCompare(y.aPath) || x.aLines[0] - y.aLines[0] || x.bPath.localeCompare(y.bPath) || x.bLines[0] - y.bLines[0]);
}

function lineRange(tokens: readonly Token[], start: number, end: number): LineRange {
  let from = Infinity;
  let to = -Infinity;
  for (let i = start; i < end; i++) {
    const line = tokens[i]!.line;
    if (line < from) from = line;
    if (line > to) to = line;
  }
  return [from, to];
}
