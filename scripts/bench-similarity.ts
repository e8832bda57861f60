// npm run bench:similarity — the similarity engine (lib/assessments/similarity) over synthetic
// candidates of three labs (Dockerfile, Python tests, Kubernetes YAML). Each candidate's files are
// derived from the lab's starter, its published solution or an independently written solution
// (lib/assessments/similarity/fixtures/independent) with realistic random changes: their own edits
// (lines dropped, values changed, lines added), renames, reordered blocks, comments and blank lines.
// A few candidates are planted copies of another candidate or of the published solution, disguised
// the same way, so the run also reports how many of them were found. Only compareSubmissions is
// timed. Last line: one JSON object. Target: under 30 s for 500 candidates.
// Usage: bench-similarity [--candidates 500] [--seed 1]
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { compareSubmissions, type FileTree, type Submission } from "../lib/assessments/similarity";
import { getLab, solutionFiles, starterFiles } from "../lib/labs/registry";

export const BENCH_LABS = ["containerise-the-model", "test-the-churn-features", "deploy-the-model"] as const;
const TARGET_MS = 30_000;

type Random = () => number;

/** mulberry32: small, seeded, good enough to make the same population every run. */
export function seeded(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

function shuffle<T>(random: Random, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

const WORDS = ["model", "score", "item", "value", "result", "data", "entry", "thing", "record", "payload", "state", "output"];
const PYTHON_KEYWORDS = new Set(["False", "None", "True", "and", "as", "assert", "def", "class", "for", "from", "if", "import", "in", "is", "not", "or", "return", "with", "raise", "lambda", "else", "elif", "pass", "while", "try", "except", "yield"]);

/** Consistent renames a copier makes: Python names, YAML resource names, Dockerfile stage/user names, shell variables. */
function rename(random: Random, filePath: string, text: string): string {
  let names: string[] = [];
  if (filePath.endsWith(".py")) {
    names = [...new Set(text.match(/(?<![.\w])[a-z_][a-z0-9_]{2,}\b/g) ?? [])].filter((w) => !PYTHON_KEYWORDS.has(w));
  } else if (filePath.endsWith(".yaml")) {
    names = [...new Set([...text.matchAll(/\bname: ([a-z][\w-]*)/g)].map((m) => m[1]!))];
  } else if (path.basename(filePath) === "Dockerfile") {
    names = [...new Set([...text.matchAll(/\bAS (\w+)|useradd .*?(\w+)$|USER (\w+)/gm)].map((m) => m[1] ?? m[2] ?? m[3]!))];
  }
  let out = text;
  for (const name of names) {
    if (random() < 0.5) continue;
    const replacement = `${pick(random, WORDS)}_${name.slice(0, 3)}${Math.floor(random() * 100)}`;
    out = out.replace(new RegExp(`(?<![\\w-])${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![\\w-])`, "g"), replacement);
  }
  return out;
}

/** Reorders what may be reordered: Python top-level blocks, YAML top-level keys, ignore-file lines. */
function reorder(random: Random, filePath: string, text: string): string {
  if (filePath.endsWith(".py")) {
    const blocks = text.trimEnd().split(/\n\n\n(?=@|def |class )/);
    const head = blocks.shift()!;
    return [head, ...shuffle(random, blocks)].join("\n\n\n") + "\n";
  }
  if (filePath.endsWith(".yaml")) {
    return text
      .split(/^---$/m)
      .map((doc) => {
        const groups: string[] = [];
        for (const line of doc.split("\n")) {
          if (/^\S/.test(line) || groups.length === 0) groups.push(line);
          else groups[groups.length - 1] += `\n${line}`;
        }
        return shuffle(random, groups.filter((g) => g.trim() !== "")).join("\n") + "\n";
      })
      .join("---\n");
  }
  if (path.basename(filePath).startsWith(".") || filePath.endsWith(".txt")) return shuffle(random, text.trimEnd().split("\n")).join("\n") + "\n";
  return text;
}

/** Comments, blank lines and trailing spaces: what a copier adds to look different. */
function cosmetics(random: Random, text: string): string {
  return text
    .split("\n")
    .flatMap((line) => {
      const out = [random() < 0.15 ? `${line}   ` : line];
      const indent = /^\s*/.exec(line)![0];
      if (random() < 0.1 && !line.trimEnd().endsWith("\\")) out.push(`${indent}# ${pick(random, WORDS)} ${pick(random, WORDS)}`);
      if (random() < 0.05) out.push("");
      return out;
    })
    .join("\n");
}

const PYTHON_SNIPPETS = [" or None", "[0]", ".value", " + 1", ", strict=True", "()", " if ok else None", ".copy()"];
/** A statement of the candidate's own: random in shape, not only in names (names normalise away). */
function pythonStatement(random: Random): string {
  const term = (): string => {
    const r = random();
    if (r < 0.3) return pick(random, WORDS);
    if (r < 0.5) return String(Math.floor(random() * 100));
    if (r < 0.7) return `${pick(random, WORDS)}.${pick(random, WORDS)}`;
    const args = Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(random, WORDS));
    return `${pick(random, WORDS)}(${args.join(", ")})`;
  };
  const expression = Array.from({ length: 1 + Math.floor(random() * 4) }, term).join(` ${pick(random, ["+", "-", "*", "or", "and", "=="])} `);
  const r = random();
  if (r < 0.4) return `${pick(random, WORDS)} = ${expression}`;
  if (r < 0.7) return `assert ${expression}`;
  return `${pick(random, WORDS)}.append(${expression})`;
}
const YAML_VALUES = ["3", "15", "250m", "64Mi", "Always", "IfNotPresent", "web", "/live", "true", "false", "\"2\""];
const YAML_KEYS = ["timeoutSeconds", "terminationGracePeriodSeconds", "imagePullPolicy", "successThreshold", "protocol", "revisionHistoryLimit", "priority", "tier"];
const DOCKER_LINES = ["RUN pip install --upgrade pip==%", "ENV APP_ENV=production WORKERS=%", "LABEL org.opencontainers.image.version=%", "ARG BUILD_NUMBER=%", "RUN apt-get update && apt-get install -y --no-install-recommends curl=%", "RUN python -m compileall -q -j % ."];

/**
 * A candidate's own work on top of a base, as changes that survive normalisation (a renamed
 * variable or a changed number in Python changes no token, so those are not "own work"): lines
 * dropped or swapped, expressions changed, statements, keys and instructions of their own added,
 * configuration values of their own.
 */
function ownEdits(random: Random, filePath: string, text: string, rate: number): string {
  const lines = text.split("\n");
  const out: string[] = [];
  const python = filePath.endsWith(".py");
  const yaml = filePath.endsWith(".yaml");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (random() >= rate || line.trim() === "" || line.trimEnd().endsWith("\\")) {
      out.push(line);
      continue;
    }
    const indent = /^\s*/.exec(line)![0];
    const r = random();
    // Candidates' manifests apply (they see the cluster's answer), so YAML edits keep the YAML
    // valid: only leaf keys are dropped or swapped.
    const leafKey = (l: string) => /^\s*[\w.-]+: \S/.test(l);
    const movable = !yaml || leafKey(line);
    if (r < 0.2 && movable) continue;
    if (r < 0.35 && movable && i + 1 < lines.length && /^\s*/.exec(lines[i + 1]!)![0] === indent && (!yaml || leafKey(lines[i + 1]!))) {
      out.push(lines[i + 1]!, line);
      i++;
      continue;
    }
    if (python) {
      if (r < 0.75) {
        const cuts = [...line.matchAll(/[,)\]]/g)].map((m) => m.index);
        const at = cuts.length > 0 ? pick(random, cuts) : line.length;
        out.push(line.slice(0, at) + pick(random, PYTHON_SNIPPETS) + line.slice(at));
      } else out.push(line, `${indent}${pythonStatement(random)}`);
      continue;
    }
    if (yaml) {
      const leaf = /^(\s*(?:- )?)([\w.-]+): (\S.*)$/.exec(line);
      if (!leaf) out.push(line);
      else if (r < 0.7) out.push(`${leaf[1]}${leaf[2]}: ${pick(random, YAML_VALUES)}`);
      else out.push(line, `${" ".repeat(leaf[1]!.length)}${pick(random, YAML_KEYS)}: ${Math.floor(random() * 1000)}`);
      continue;
    }
    if (r < 0.7) out.push(line.replace(/\d+/g, () => String(Math.floor(random() * 500))).replace(/--[a-z-]+/, (flag) => `${flag}-${pick(random, WORDS)}`));
    else out.push(line, pick(random, DOCKER_LINES).replace("%", String(Math.floor(random() * 1000))));
  }
  return out.join("\n");
}

function mapFiles(tree: FileTree, paths: readonly string[], change: (filePath: string, text: string) => string): Record<string, string> {
  const out: Record<string, string> = { ...tree };
  for (const p of paths) if (p in out) out[p] = change(p, out[p]!);
  return out;
}

function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = fs.readFileSync(p, "utf8");
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

/** What a synthetic candidate is: their own work, the starter with a few changes, or a copy. */
export type CandidateKind = "own-work" | "ran-out-of-time" | "copy" | "solution-copy";

export type PopulationLab = {
  labId: string;
  starter: FileTree;
  solution: FileTree;
  submissions: Submission[];
  kinds: Map<string, CandidateKind>;
  /** [source, copy] */
  plantedPairs: [string, string][];
  plantedSolutionCopies: string[];
};

/** The synthetic candidates of one lab. */
export function population(labId: string, candidates: number, random: Random): PopulationLab {
  const lab = getLab(labId);
  if (!lab) throw new Error(`bench-similarity: no lab "${labId}" in labs/index.ts.`);
  const starter = starterFiles(lab);
  const solution = solutionFiles(lab);
  const editable = lab.files.filter((f) => !f.readonly).map((f) => f.path);
  const independent = { ...starter, ...readTree(path.join(process.cwd(), "lib/assessments/similarity/fixtures/independent", labId)) };
  const disguise = (tree: FileTree) => mapFiles(tree, editable, (p, text) => cosmetics(random, reorder(random, p, rename(random, p, ownEdits(random, p, text, 0.03)))));
  const submissions: Submission[] = [];
  const kinds = new Map<string, CandidateKind>();
  const plantedPairs: [string, string][] = [];
  const plantedSolutionCopies: string[] = [];
  for (let i = 0; i < candidates; i++) {
    const id = `candidate-${String(i).padStart(3, "0")}`;
    const r = random();
    if (r < 0.04 && submissions.length > 10) {
      // A copy of someone else's final files, disguised.
      const source = pick(random, submissions.filter((s) => !plantedSolutionCopies.includes(s.id)));
      submissions.push({ id, files: disguise(source.files) });
      kinds.set(id, "copy");
      plantedPairs.push([source.id, id]);
    } else if (r < 0.06) {
      submissions.push({ id, files: disguise(solution) });
      kinds.set(id, "solution-copy");
      plantedSolutionCopies.push(id);
    } else if (r < 0.3) {
      // Ran out of time: the starter with a few changes.
      submissions.push({ id, files: mapFiles(starter, editable, (p, text) => ownEdits(random, p, text, 0.15)) });
      kinds.set(id, "ran-out-of-time");
    } else {
      // Their own work: a correct solution in one of the ways people write it, heavily personalised.
      const base = random() < 0.5 ? solution : independent;
      submissions.push({ id, files: mapFiles(base, editable, (p, text) => cosmetics(random, reorder(random, p, rename(random, p, ownEdits(random, p, text, 0.5))))) });
      kinds.set(id, "own-work");
    }
  }
  return { labId, starter, solution, submissions, kinds, plantedPairs, plantedSolutionCopies };
}

export type SimilarityBenchResult = {
  candidates: number;
  labs: number;
  similarityMs: number;
  flaggedPairs: number;
  solutionMatches: number;
  plantedCopies: number;
  plantedCopiesFound: number;
  /** The planted copies whose source is a candidate's own work (a near-starter source leaves little to find). */
  plantedCopiesOfOwnWork: number;
  plantedCopiesOfOwnWorkFound: number;
  /** Flagged pairs that are neither a planted copy nor two candidates who copied the same source. */
  unplantedFlaggedPairs: number;
  plantedSolutionCopies: number;
  plantedSolutionCopiesFound: number;
  perLab: { labId: string; ms: number; flaggedPairs: number; solutionMatches: number; candidatePairs: number; commonExcluded: number; fingerprints: number }[];
};

/** Builds the population and times compareSubmissions on every lab. For bench:assessments too. */
export function benchSimilarity(options: { candidates?: number; seed?: number } = {}): SimilarityBenchResult {
  const candidates = options.candidates ?? 500;
  const random = seeded(options.seed ?? 1);
  const labs = BENCH_LABS.map((labId) => population(labId, candidates, random));
  const result: SimilarityBenchResult = { candidates, labs: labs.length, similarityMs: 0, flaggedPairs: 0, solutionMatches: 0, plantedCopies: 0, plantedCopiesFound: 0, plantedCopiesOfOwnWork: 0, plantedCopiesOfOwnWorkFound: 0, unplantedFlaggedPairs: 0, plantedSolutionCopies: 0, plantedSolutionCopiesFound: 0, perLab: [] };
  for (const lab of labs) {
    const start = performance.now();
    const report = compareSubmissions({ submissions: lab.submissions, starter: lab.starter, solution: lab.solution });
    const ms = performance.now() - start;
    const flagged = new Set(report.pairs.map((p) => [p.a, p.b].sort().join(" ")));
    const matched = new Set(report.solutionMatches.map((m) => m.id));
    result.similarityMs += ms;
    result.flaggedPairs += report.pairs.length;
    result.solutionMatches += report.solutionMatches.length;
    result.plantedCopies += lab.plantedPairs.length;
    result.plantedCopiesFound += lab.plantedPairs.filter((pair) => flagged.has([...pair].sort().join(" "))).length;
    const ofOwnWork = lab.plantedPairs.filter(([source]) => lab.kinds.get(source) === "own-work");
    result.plantedCopiesOfOwnWork += ofOwnWork.length;
    result.plantedCopiesOfOwnWorkFound += ofOwnWork.filter((pair) => flagged.has([...pair].sort().join(" "))).length;
    // Copies of one source (and copies of the solution) are related to each other too.
    const group = new Map<string, string>();
    const root = (id: string): string => {
      const up = group.get(id) ?? id;
      return up === id ? id : root(up);
    };
    for (const [source, copy] of lab.plantedPairs) group.set(root(copy), root(source));
    for (const id of lab.plantedSolutionCopies) group.set(root(id), root("(published solution)"));
    result.unplantedFlaggedPairs += report.pairs.filter((p) => root(p.a) !== root(p.b)).length;
    result.plantedSolutionCopies += lab.plantedSolutionCopies.length;
    result.plantedSolutionCopiesFound += lab.plantedSolutionCopies.filter((id) => matched.has(id)).length;
    result.perLab.push({ labId: lab.labId, ms: Math.round(ms), flaggedPairs: report.pairs.length, solutionMatches: report.solutionMatches.length, candidatePairs: report.stats.candidatePairs, commonExcluded: report.stats.commonExcluded, fingerprints: report.stats.fingerprints });
  }
  result.similarityMs = Math.round(result.similarityMs);
  return result;
}

function main(): number {
  const { values } = parseArgs({ options: { candidates: { type: "string", default: "500" }, seed: { type: "string", default: "1" } } });
  const candidates = Number(values.candidates);
  const seed = Number(values.seed);
  if (!Number.isInteger(candidates) || candidates < 2) throw new Error(`--candidates must be a whole number of 2 or more, got ${values.candidates}.`);
  const start = performance.now();
  const result = benchSimilarity({ candidates, seed });
  for (const lab of result.perLab) {
    console.log(
      `${lab.labId}: ${candidates} candidates compared in ${lab.ms} ms; ${lab.candidatePairs} pairs shared a fingerprint, ${lab.flaggedPairs} flagged; ` +
        `${lab.solutionMatches} match the published solution; ${lab.fingerprints} distinct fingerprints, ${lab.commonExcluded} common`,
    );
  }
  console.log(
    `planted copies found: ${result.plantedCopiesFound} of ${result.plantedCopies} (copies of a candidate's own work: ${result.plantedCopiesOfOwnWorkFound} of ${result.plantedCopiesOfOwnWork}); ` +
      `planted solution copies found: ${result.plantedSolutionCopiesFound} of ${result.plantedSolutionCopies}; flagged pairs that are not copies: ${result.unplantedFlaggedPairs}`,
  );
  console.log(`similarity: ${result.similarityMs} ms for ${candidates} candidates × ${result.labs} labs (target under ${TARGET_MS} ms); whole run with generation ${Math.round(performance.now() - start)} ms`);
  const { perLab: _perLab, ...summary } = result;
  console.log(JSON.stringify({ ...summary, targetMs: TARGET_MS, ok: result.similarityMs < TARGET_MS }));
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exit(main());
