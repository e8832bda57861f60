import fs from "node:fs";
import path from "node:path";
import { parseAllDocuments, stringify } from "yaml";
import { describe, expect, test } from "vitest";
import { compareSubmissions, SIMILARITY_DEFAULTS, type FileTree, type SimilarPair, type Submission } from "./compare";

const root = process.cwd();
const fixtures = path.join(root, "lib/assessments/similarity/fixtures");

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

/** A lab as the tests use it: its starter, its published solution (over the starter, as solutionFiles does). */
function lab(id: string) {
  const starter = readTree(path.join(root, "labs", id, "starter"));
  const solution = { ...starter, ...readTree(path.join(root, "labs", id, "solution")) };
  /** A candidate's final files: the starter with the files they changed. */
  const over = (folder: string): FileTree => ({ ...starter, ...readTree(path.join(fixtures, folder, id)) });
  return { starter, solution, over };
}

function pairOf(pairs: SimilarPair[], a: string, b: string): SimilarPair | undefined {
  return pairs.find((p) => (p.a === a && p.b === b) || (p.a === b && p.b === a));
}

/** Every pair's score, flagged or not (threshold 0: anything sharing a fingerprint). */
function allScores(submissions: Submission[], starter: FileTree): Map<string, number> {
  const result = compareSubmissions({ submissions, starter, solution: null, threshold: 0, minSharedFingerprints: 0 });
  return new Map(result.pairs.map((p) => [[p.a, p.b].sort().join(" ~ "), p.score]));
}

// The labs with a second, independently written solution (fixtures/independent) and a disguised
// copy of the published one (fixtures/copied: identifiers renamed, functions reordered, comments,
// whitespace and layout changed, exec form ↔ shell form, a few values changed).
const LABS = ["containerise-the-model", "test-the-churn-features", "batch-scoring-script"] as const;

describe.each(LABS)("%s", (labId) => {
  const { starter, solution, over } = lab(labId);
  const submissions: Submission[] = [
    { id: "did-the-solution", files: solution },
    { id: "copied-it", files: over("copied") },
    { id: "independent", files: over("independent") },
    { id: "starter-only-1", files: starter },
    { id: "starter-only-2", files: { ...starter } },
  ];

  test("the disguised copy is flagged, and nothing else is", () => {
    const result = compareSubmissions({ submissions, starter, solution: null });
    expect(result.pairs.map((p) => [p.a, p.b].sort())).toEqual([["copied-it", "did-the-solution"]]);
  });

  test("copies score far above independent work (the threshold sits in a wide gap)", () => {
    const scores = allScores(submissions, starter);
    const copy = scores.get("copied-it ~ did-the-solution") ?? 0;
    const others = [...scores].filter(([key]) => key !== "copied-it ~ did-the-solution").map(([, score]) => score);
    expect(copy).toBeGreaterThanOrEqual(0.9);
    for (const score of others) expect(score).toBeLessThanOrEqual(0.15);
    // The default threshold sits in the middle of the gap, far from both sides.
    expect(copy).toBeGreaterThan(SIMILARITY_DEFAULTS.threshold + 0.3);
    expect(Math.max(0, ...others)).toBeLessThan(SIMILARITY_DEFAULTS.threshold - 0.3);
  });

  test("starter-only submissions share nothing that counts", () => {
    const result = compareSubmissions({ submissions: [submissions[3]!, submissions[4]!], starter, solution, threshold: 0, minSharedFingerprints: 0 });
    expect(result.pairs).toEqual([]);
    expect(result.solutionMatches).toEqual([]);
    expect(result.stats.fingerprints).toBe(0);
  });

  test("the published solution and its disguised copy match the published solution; independent work does not", () => {
    const result = compareSubmissions({ submissions, starter, solution });
    expect(result.solutionMatches.map((m) => m.id).sort()).toEqual(["copied-it", "did-the-solution"]);
    expect(result.solutionMatches.find((m) => m.id === "did-the-solution")!.score).toBe(1);
    // …and the flagged pair says its shared passages are in the published solution too.
    const pair = pairOf(result.pairs, "copied-it", "did-the-solution")!;
    expect(pair.alsoInSolution).toBe(pair.sharedFingerprints);
  });

  test("two independent solutions side by side are not flagged (no help from the common-fingerprint filter)", () => {
    const result = compareSubmissions({ submissions: [submissions[0]!, submissions[2]!], starter, solution: null });
    expect(result.stats.commonExcluded).toBe(0);
    expect(result.pairs).toEqual([]);
  });
});

test("reordering the functions of a Python file changes nothing", () => {
  const { starter, solution } = lab("test-the-churn-features");
  const source = solution["tests/test_features.py"]!;
  // Split at top-level definitions (two blank lines before each, decorators included) and put them in reverse order.
  const blocks = source.trimEnd().split(/\n\n\n(?=@|def |class )/);
  const header = blocks.shift()!;
  const reordered = [header, ...blocks.reverse()].join("\n\n\n") + "\n";
  expect(blocks.length).toBeGreaterThan(10);
  expect(reordered).not.toBe(source);
  const result = compareSubmissions({
    submissions: [
      { id: "a", files: solution },
      { id: "b", files: { ...solution, "tests/test_features.py": reordered } },
    ],
    starter,
    solution: null,
  });
  expect(result.pairs[0]!.score).toBe(1);
  expect(result.pairs[0]!.jaccard).toBe(1);
});

/** Every mapping's keys in reverse order, recursively. */
function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reverseKeys(v)]));
  return value;
}

test("Kubernetes manifests: keys reordered everywhere, names renamed, and the files merged into one multi-document file in another order still match", () => {
  const { starter, solution } = lab("deploy-the-model");
  const documents = ["k8s/service.yaml", "k8s/deployment.yaml", "k8s/configmap.yaml"].map((p) => {
    const [doc] = parseAllDocuments(solution[p]!) as ReturnType<typeof parseAllDocuments> & unknown[];
    return reverseKeys((doc as { toJS(): unknown }).toJS());
  });
  const merged = documents
    .map((d) => stringify(d).replace(/name: tmp/g, "name: scratch"))
    .join("---\n# reshuffled\n");
  const result = compareSubmissions({
    submissions: [
      { id: "original", files: solution },
      { id: "reshuffled", files: { ...starter, "k8s/all.yaml": merged } },
    ],
    starter,
    solution,
  });
  expect(result.pairs).toHaveLength(1);
  expect(result.pairs[0]!.score).toBeGreaterThanOrEqual(0.9);
  expect(result.solutionMatches.map((m) => m.id).sort()).toEqual(["original", "reshuffled"]);
  // The passages point from the three files into the merged one.
  expect(new Set(result.pairs[0]!.passages.map((p) => p.aPath))).toEqual(new Set(["k8s/configmap.yaml", "k8s/deployment.yaml", "k8s/service.yaml"]));
  expect(new Set(result.pairs[0]!.passages.map((p) => p.bPath))).toEqual(new Set(["k8s/all.yaml"]));
});

test("an independently written Kubernetes deployment is not flagged against the published one", () => {
  const { starter, solution, over } = lab("deploy-the-model");
  const result = compareSubmissions({ submissions: [{ id: "published", files: solution }, { id: "independent", files: over("independent") }], starter, solution });
  expect(result.pairs).toEqual([]);
  expect(result.solutionMatches.map((m) => m.id)).toEqual(["published"]);
});

test("passages point at the copied lines in both submissions", () => {
  const { starter, over } = lab("test-the-churn-features");
  const original = over("independent")["tests/test_features.py"]!;
  const lines = original.split("\n");
  // The copied function: test_window_boundaries with its decorator (find its lines in the original).
  const from = lines.findIndex((l) => l.includes("@pytest.mark.parametrize(")) + 1;
  const to = lines.findIndex((l) => l.includes("assert active_days([NOW - offset], NOW) == expected")) + 1;
  expect(from).toBeGreaterThan(0);
  const copied = lines
    .slice(from - 1, to)
    .map((l) => l.replace(/^ {4}/, "").replace(/\bself, /, "").replace(/NOW/g, "REF").replace(/offset/g, "delta"))
    .join("\n");
  // Someone else's file with the function pasted (renamed, dedented out of the class) at line 7.
  const host = [
    "import datetime as dt",
    "import pytest",
    "from churn import features",
    "",
    "timedelta = dt.timedelta",
    'REF = dt.datetime.fromisoformat("2024-06-29T12:00:00")',
    "DAY, WINDOW_DAYS, active_days = timedelta(days=1), features.WINDOW_DAYS, features.active_days",
    copied,
    "",
    "",
    "def test_something_else():",
    "    assert active_days([], REF) == 0",
    "",
  ].join("\n");
  const pastedFrom = host.split("\n").findIndex((l) => l.startsWith("@pytest.mark.parametrize(")) + 1;
  const pastedTo = pastedFrom + (to - from);
  expect(host.split("\n")[pastedTo - 1]).toContain("assert active_days([REF - delta], REF) == expected");
  const result = compareSubmissions({
    submissions: [
      { id: "author", files: { ...starter, "tests/test_features.py": original } },
      { id: "paster", files: { ...starter, "tests/test_features.py": host } },
    ],
    starter,
    solution: null,
    threshold: 0,
    minSharedFingerprints: 1,
  });
  const pair = result.pairs[0]!;
  const [a, b] = pair.a === "author" ? ["a", "b"] : ["b", "a"];
  expect(pair.passages.length).toBeGreaterThan(0);
  for (const passage of pair.passages) {
    const authorLines = a === "a" ? passage.aLines : passage.bLines;
    const pasterLines = b === "b" ? passage.bLines : passage.aLines;
    expect(authorLines[0]).toBeGreaterThanOrEqual(from);
    expect(authorLines[1]).toBeLessThanOrEqual(to);
    expect(pasterLines[0]).toBeGreaterThanOrEqual(pastedFrom);
    expect(pasterLines[1]).toBeLessThanOrEqual(pastedTo);
  }
  // Merged into one passage covering (nearly) the whole function on both sides.
  const biggest = pair.passages.reduce((x, y) => (y.fingerprints > x.fingerprints ? y : x));
  const big = a === "a" ? biggest.aLines : biggest.bLines;
  expect(big[0]).toBe(from);
  expect(big[1]).toBeGreaterThanOrEqual(to - 1);
});

test("fingerprints most submissions share are boilerplate; the starter's never count", () => {
  const { starter, solution, over } = lab("containerise-the-model");
  const independent = over("independent");
  // 30 candidates whose Dockerfile is their own except for one block they all wrote alike.
  const block = "RUN apt-get update && apt-get install --no-install-recommends -y curl ca-certificates && rm -rf /var/lib/apt/lists/*\n";
  const submissions: Submission[] = Array.from({ length: 30 }, (_, i) => ({
    id: `c${i}`,
    files: { ...starter, Dockerfile: `FROM python:3.${i}-slim\n${block}COPY requirements.txt /r${i}.txt\nRUN pip install -r /r${i}.txt --target /deps${"x".repeat(i)}\nENV ONLY_MINE_${i}=${i}\nEXPOSE ${8000 + i}\n` },
  }));
  submissions.push({ id: "independent", files: independent });
  const result = compareSubmissions({ submissions, starter, solution, threshold: 0.3, minSharedFingerprints: 1 });
  expect(result.stats.commonExcluded).toBeGreaterThan(0);
  expect(result.pairs).toEqual([]);
  // Without the filter, the shared block alone would flag them.
  const unfiltered = compareSubmissions({ submissions, starter, solution, threshold: 0.3, minSharedFingerprints: 1, commonFraction: 1, commonFloor: 1000 });
  expect(unfiltered.pairs.length).toBeGreaterThan(100);
});

test("a solution pasted by many candidates is still flagged for each of them", () => {
  const { starter, solution, over } = lab("batch-scoring-script");
  const submissions: Submission[] = Array.from({ length: 25 }, (_, i) => ({ id: `paster-${i}`, files: { ...solution } }));
  submissions.push({ id: "independent", files: over("independent") });
  const result = compareSubmissions({ submissions, starter, solution });
  expect(result.solutionMatches.map((m) => m.id).sort()).toEqual(submissions.slice(0, 25).map((s) => s.id).sort());
  // Pairwise they are all common boilerplate (25 of 26 share it), so the solution flag is what tells.
  expect(result.pairs).toEqual([]);
});

test("a small shared change is not enough to flag, however high its containment", () => {
  const { starter } = lab("deploy-the-model");
  const fix = (file: string) => file.replace("replicas: 1", "replicas: 2").replace("targetPort: 8000", "targetPort: 8080");
  const a = { ...starter, "k8s/deployment.yaml": fix(starter["k8s/deployment.yaml"]!), "k8s/service.yaml": fix(starter["k8s/service.yaml"]!) };
  const result = compareSubmissions({ submissions: [{ id: "a", files: a }, { id: "b", files: { ...a } }], starter, solution: null });
  expect(result.pairs).toEqual([]);
  const permissive = compareSubmissions({ submissions: [{ id: "a", files: a }, { id: "b", files: { ...a } }], starter, solution: null, minSharedFingerprints: 1 });
  expect(permissive.pairs[0]?.score).toBe(1);
});

test("bad options and duplicate candidates are refused with a message that says what to fix", () => {
  const starter = { "a.py": "x = 1\n" };
  const one = { id: "x", files: starter };
  expect(() => compareSubmissions({ submissions: [one, one], starter, solution: null })).toThrow(/candidate id "x" appears twice/);
  expect(() => compareSubmissions({ submissions: [one], starter, solution: null, threshold: 1.5 })).toThrow(/threshold must be a number from 0 to 1, got 1.5/);
  expect(() => compareSubmissions({ submissions: [one], starter, solution: null, minSharedFingerprints: -1 })).toThrow(/minSharedFingerprints/);
});

test("empty, binary-looking and unparseable files do not break a comparison", () => {
  const starter = { "k8s/a.yaml": "a: 1\n" };
  const result = compareSubmissions({
    submissions: [
      { id: "empty", files: {} },
      { id: "empty-files", files: { "k8s/a.yaml": "", "k8s/b.yaml": "---\n# nothing\n---\n", "app.py": "", "Dockerfile": "\n", "data.json": "" } },
      { id: "broken", files: { "k8s/a.yaml": "a: [1, 2\n  b: : :\n", "blob.bin": "\u0000\u0001\u0002" } },
    ],
    starter,
    solution: null,
  });
  expect(result.pairs).toEqual([]);
  expect(result.stats.submissions).toBe(3);
});
