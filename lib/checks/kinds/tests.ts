// The check kind that RUNS a learner's tests: tests.mutationScore copies the lab's files (the
// reference implementation and the learner's test files) into one grader pod (grader-pod.ts), runs
// pytest on the reference several times with a different seed each time, and then once against
// each mutant: a copy of the reference with one deliberate bug (labs/<id>/mutants/). Tests must
// pass on the reference every time (a test that passes and fails on the same code is flaky), and
// catch at least `required` mutants. pytest reports through our own plugin (pytest-reporter.ts):
// one JSON line per test, a per-test time limit and a seeded `random`. The learner sees the score
// and the surviving mutants' descriptions, never their code. Decision record 016.
import { z } from "zod";
import { fail, pass, type CheckOutcome, type LiveSandbox } from "../types";
import { WORK, withGraderPod, writeFiles } from "./grader-pod";
import { FileParam, defineKind, fileText, missingFile } from "./kind";
import { PYTEST_REPORTER, PYTEST_REPORTER_MODULE } from "./pytest-reporter";

export const PYTHON_IMAGE = "docker.io/library/python:3.11-slim";
const BASE = `${WORK}/base`;
const MUTANTS = `${WORK}/mutants`;
const PLUGIN_DIR = `${WORK}/.academy`;
const REPORTS = `${WORK}/.reports`;

const MutantParams = z
  .object({
    /** The folder name under labs/<id>/mutants/ (kebab-case). */
    name: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, "must be kebab-case (the mutant's folder name)"),
    /** One line the learner sees when no test catches it: the behaviour that is untested. */
    description: z.string().trim().min(1, "must say, in one line, what the mutant gets wrong").max(200).refine((d) => !d.includes("\n"), "must be one line"),
    /** Lab path → the mutated text; each replaces the reference file of that path. */
    files: z.record(FileParam, z.string().max(64 * 1024)).refine((f) => Object.keys(f).length > 0, "must replace at least one file of the reference"),
  })
  .strict();

export type Mutant = z.output<typeof MutantParams>;

export const MutationScoreParams = z
  .object({
    /** The learner's test files (lab paths); pytest runs exactly these. */
    files: z.array(FileParam).min(1).max(5),
    mutants: z.array(MutantParams).min(1).max(16),
    /** How many mutants the tests must catch. */
    required: z.number().int().min(1),
    /** Runs of the reference, each with its own seed; a test whose outcome changes is flaky. */
    runs: z.number().int().min(2).max(5).default(3),
    image: z.string().min(1).default(PYTHON_IMAGE),
    /** Per test phase (setup, call, teardown). */
    testTimeoutSeconds: z.number().int().min(1).max(20).default(5),
    /** Per pytest run, the backstop for a test that even SIGALRM cannot stop. */
    runTimeoutSeconds: z.number().int().min(5).max(90).default(60),
  })
  .strict()
  .superRefine((p, issue) => {
    if (p.required > p.mutants.length) issue.addIssue({ code: "custom", path: ["required"], message: `is ${p.required}, but there are only ${p.mutants.length} mutants` });
    const names = p.mutants.map((m) => m.name);
    const twice = names.find((n, i) => names.indexOf(n) !== i);
    if (twice) issue.addIssue({ code: "custom", path: ["mutants"], message: `name the mutant "${twice}" once` });
  });

type Params = z.output<typeof MutationScoreParams>;

/** One line of the reporter plugin's output. */
type ReportEvent =
  | { event: "start"; test: string; t?: number }
  | { event: "result"; test: string; when: string; outcome: "passed" | "failed" | "skipped"; message: string }
  | { event: "collect"; test: string; outcome: "failed"; message: string }
  | { event: "end"; exit: number; collected: number };

export type TestRun = {
  /** pytest's exit code; null when the run was killed at the run limit (or never reported). */
  exit: number | null;
  /** Each test's outcome in this run (a failed setup or teardown fails it). */
  outcomes: Map<string, { outcome: "passed" | "failed" | "skipped"; message: string }>;
  /** Files pytest could not import: path → error. */
  collectErrors: Array<{ file: string; message: string }>;
  /** The test that was running when the run was killed. */
  hung: string | null;
  /** How long (s) that test had been running when the run was killed; null when unknown. */
  hungFor: number | null;
  collected: number | null;
  /** The end of pytest's own output, for messages about runs that ended strangely. */
  output: string;
};

/** Reads what one run printed: `@@exit N`, the plugin's JSON lines, `@@output`, pytest's output tail. */
export function parseRun(stdout: string): TestRun {
  const exitMatch = /^@@exit (\d+)$/m.exec(stdout);
  const code = exitMatch ? Number(exitMatch[1]) : null;
  const [head = "", output = ""] = stdout.split(/^@@output$/m);
  const clock = /^@@clock (\d+(?:\.\d+)?)$/m.exec(stdout);
  const run: TestRun = { exit: null, outcomes: new Map(), collectErrors: [], hung: null, hungFor: null, collected: null, output: output.trim() };
  let running: string | null = null;
  let since: number | null = null;
  let ended = false;
  for (const line of head.split("\n")) {
    if (!line.startsWith("{")) continue;
    let event: ReportEvent;
    try {
      event = JSON.parse(line) as ReportEvent;
    } catch {
      continue; // a line cut short by a kill
    }
    if (event.event === "start") {
      running = event.test;
      since = typeof event.t === "number" ? event.t : null;
    }
    else if (event.event === "result") {
      const before = run.outcomes.get(event.test);
      // The worst phase counts: failed > skipped > passed.
      if (!before || event.outcome === "failed" || (event.outcome === "skipped" && before.outcome === "passed")) {
        run.outcomes.set(event.test, { outcome: event.outcome, message: event.message ?? "" });
      }
      if (event.when === "teardown") running = null;
    } else if (event.event === "collect") run.collectErrors.push({ file: event.test, message: event.message ?? "" });
    else if (event.event === "end") {
      ended = true;
      run.collected = event.collected;
      running = null;
    }
  }
  // Only a run that reached its end is believed; 137 is `timeout -s KILL`, anything else without an end crashed.
  run.exit = ended && code !== null && code !== 137 ? code : null;
  if (!ended && running) {
    run.hung = running;
    run.hungFor = since !== null && clock ? Math.max(0, Number(clock[1]) - since) : null;
  }
  return run;
}

/** A test's failure in one line: the assertion, without pytest's "where" lines or the pod's paths. */
export function shortMessage(message: string, max = 160): string {
  const lines = message.split("\n").map((l) => l.replace(/\/work\/[\w.-]+\//g, "").trim()).filter(Boolean);
  const syntax = lines.findIndex((l) => /^\w*Error:/.test(l) && /SyntaxError|IndentationError/.test(l));
  const where = /line (\d+)/.exec(message);
  let text = syntax >= 0 ? `${lines[syntax]}${where ? ` (line ${where[1]})` : ""}` : (lines[0] ?? "failed");
  if (syntax < 0 && lines[0] && !lines[0].startsWith("assert") && lines.length > 1 && /^\w+(Error|Exception)\b/.test(lines.at(-1)!)) text = lines.at(-1)!;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function quoted(test: string): string {
  return `\`${test}\``;
}

/** The command that copies the code into a fresh folder, runs pytest once and prints what happened. */
const RUN_PYTEST = [
  'run="$1"; overlay="$2"; seed="$3"; per_test="$4"; limit="$5"; stop="$6"; shift 6',
  `rm -rf "${WORK}/$run" "/tmp/$run"; mkdir -p "/tmp/$run" "${REPORTS}"`,
  `cp -R "${BASE}" "${WORK}/$run" || exit 97`,
  'if [ -n "$overlay" ]; then cp -R "$overlay"/. "' + WORK + '/$run"/ || exit 97; fi',
  `cd "${WORK}/$run" || exit 97`,
  `report="${REPORTS}/$run.jsonl"; : > "$report"`,
  `TMPDIR="/tmp/$run" PYTHONHASHSEED="$seed" PYTHONDONTWRITEBYTECODE=1 PYTHONPATH="${PLUGIN_DIR}" ACADEMY_SEED="$seed" ACADEMY_REPORT="$report" ACADEMY_TEST_TIMEOUT="$per_test" timeout -s KILL "$limit" python3 -m pytest -p ${PYTEST_REPORTER_MODULE} -p no:cacheprovider -q $stop "$@" > "${REPORTS}/$run.out" 2>&1`,
  'code=$?',
  'echo "@@exit $code"; echo "@@clock $(date +%s.%N)"; cat "$report"; echo "@@output"; tail -c 2000 "' + REPORTS + '/$run.out"; true',
].join("\n");

type RunSpec = { name: string; overlay: string; seed: number; stopAtFirst: boolean };

async function runPytest(live: LiveSandbox, pod: string, p: Params, spec: RunSpec): Promise<TestRun> {
  const result = await live.exec(
    pod,
    "run",
    ["sh", "-c", RUN_PYTEST, "_", spec.name, spec.overlay, String(spec.seed), String(p.testTimeoutSeconds), String(p.runTimeoutSeconds), spec.stopAtFirst ? "-x" : "-rN", ...p.files],
    { timeoutMs: (p.runTimeoutSeconds + 15) * 1000 },
  );
  if (!result.ok) throw new Error(`running pytest (${spec.name}) in the grader pod failed: ${result.error}`);
  if (/^@@exit 97$/m.test(result.stdout)) throw new Error(`preparing the folder of ${spec.name} in the grader pod failed`);
  return parseRun(result.stdout);
}

/**
 * Whether a run stopped at the run limit was stopped because of a test: one that had been running
 * well past its own limit, which the alarm could not end (it blocks signals, or waits in C code).
 * Otherwise the run was slow (a busy node), which is nobody's test's fault.
 */
function stuckTest(run: TestRun, p: Params): boolean {
  return run.hung !== null && run.hungFor !== null && run.hungFor >= p.testTimeoutSeconds + 5;
}

/** A run the node was too busy to finish: a check error, never the learner's failure. */
class SlowRun extends Error {
  override name = "SlowRun";
}

/** What went wrong with a reference run that did not even run the tests; null when it ran them. */
function brokenRun(run: TestRun, p: Params): string | null {
  if (run.exit === null && !stuckTest(run, p)) throw new SlowRun(run.output);
  if (run.collectErrors.length) {
    const first = run.collectErrors[0]!;
    return `pytest could not load ${quoted(first.file)}: ${shortMessage(first.message)}. Fix it so that \`python -m pytest -q\` collects your tests`;
  }
  if (run.hung) return `${quoted(run.hung)} ran for ${Math.round(run.hungFor ?? 0)} s without finishing, past its ${p.testTimeoutSeconds} s limit, and the run was stopped: a test must not wait for input, the network or a lock, or loop forever`;
  if (run.exit === 5 || run.collected === 0) return `pytest found no tests in ${p.files.map(quoted).join(", ")}: name test functions \`test_…\` at the top level of the file`;
  if (run.exit !== null && run.exit >= 2 && run.outcomes.size === 0) return `pytest could not run your tests (exit ${run.exit}): ${shortMessage(run.output || "no output")}`;
  return null;
}

/** Splits mutants into batches whose files stay well below what one exec's arguments may carry. */
function batches<T>(items: T[], size: (item: T) => number, limit = 256 * 1024): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let used = 0;
  for (const item of items) {
    if (current.length && used + size(item) > limit) {
      out.push(current);
      current = [];
      used = 0;
    }
    current.push(item);
    used += size(item);
  }
  if (current.length) out.push(current);
  return out;
}

/** Every mutated Python file compiles, so a mutant is caught for its behaviour, never for a typo in the lab. */
const COMPILE_ALL = "python3 -c 'import sys\nfor f in sys.argv[1:]:\n    compile(open(f).read(), f, \"exec\")' ";

async function gradeInPod(live: LiveSandbox, pod: string, p: Params, files: Record<string, string>): Promise<CheckOutcome> {
  const started = Date.now();
  await writeFiles(live, pod, { ...Object.fromEntries(Object.entries(files).map(([k, v]) => [`${BASE}/${k}`, v])), [`${PLUGIN_DIR}/${PYTEST_REPORTER_MODULE}.py`]: PYTEST_REPORTER }, "true", "copying the lab's files into the pod");
  const indexed = p.mutants.map((m, i) => ({ m, i }));
  for (const batch of batches(indexed, ({ m }) => Object.values(m.files).reduce((n, t) => n + t.length * 1.4, 0))) {
    const mutantFiles = Object.fromEntries(batch.flatMap(({ m, i }) => Object.entries(m.files).map(([k, v]) => [`${MUTANTS}/${i}/${k}`, v])));
    const python = Object.keys(mutantFiles).filter((f) => f.endsWith(".py"));
    await writeFiles(live, pod, mutantFiles, python.length ? `${COMPILE_ALL}${python.map((f) => `'${f}'`).join(" ")}` : "true", `the lab's mutants ${batch.map(({ m }) => m.name).join(", ")} (each must be valid Python)`);
  }

  // The reference, several times: every test must pass every time.
  const runs: TestRun[] = [];
  for (let r = 1; r <= p.runs; r++) {
    const run = await runPytest(live, pod, p, { name: `reference-${r}`, overlay: "", seed: r, stopAtFirst: false });
    const broken = brokenRun(run, p);
    if (broken) return fail(`${broken}.`);
    runs.push(run);
    // A test that used up its time limit fails the same way every run: no need to wait for it again.
    const stuck = [...run.outcomes].filter(([, o]) => o.message === `did not finish within ${p.testTimeoutSeconds} s`).map(([t]) => t);
    if (stuck.length) {
      return fail(
        `${stuck.map(quoted).join(", ")} did not finish within ${p.testTimeoutSeconds} s and ${stuck.length > 1 ? "were" : "was"} stopped: a test must not sleep, wait for the network or loop forever. Unit tests take milliseconds.`,
      );
    }
  }
  const tests = [...new Set(runs.flatMap((run) => [...run.outcomes.keys()]))];
  const failing: string[] = [];
  const flaky: string[] = [];
  for (const test of tests) {
    const seen = runs.map((run) => run.outcomes.get(test)?.outcome ?? "missing");
    const failed = seen.filter((s) => s === "failed").length;
    if (failed === 0) continue;
    if (seen.includes("passed")) flaky.push(`${quoted(test)} (${seen.map((s, i) => `run ${i + 1} ${s === "passed" ? "passed" : "failed"}`).join(", ")})`);
    else failing.push(`${quoted(test)}: ${shortMessage(runs.map((run) => run.outcomes.get(test)?.message).find(Boolean) ?? "failed")}`);
  }
  if (failing.length) {
    return fail(
      `${failing.length} of your tests fail${failing.length === 1 ? "s" : ""} against the reference implementation, which is correct: ${failing[0]}${failing.length > 1 ? " (and more below)" : ""}. A test must pass on correct code; the docstrings say what the code promises.`,
      failing.length > 1 ? failing : undefined,
    );
  }
  if (flaky.length) {
    return fail(
      `FLAKY: ${flaky[0]}. It passes and fails on the same code, run after run. Each run seeds \`random\` differently: give your test data fixed values (or seed a generator in the test) and do not depend on the clock or on other tests.`,
      flaky.length > 1 ? flaky : undefined,
    );
  }
  const passed = tests.filter((t) => runs[0]!.outcomes.get(t)?.outcome === "passed").length;

  // Each mutant once, stopping at the first failing test: one failure is enough to catch it.
  const survived: Mutant[] = [];
  for (const { m, i } of indexed) {
    const run = await runPytest(live, pod, p, { name: `mutant-${i}`, overlay: `${MUTANTS}/${i}`, seed: 1, stopAtFirst: true });
    // A killed run catches the mutant only when a test really hung on it; a slow node decides nothing.
    if (run.exit === null && !stuckTest(run, p)) throw new SlowRun(run.output);
    if (run.exit === 0) survived.push(m);
  }
  const killed = p.mutants.length - survived.length;
  const seconds = Math.round((Date.now() - started) / 1000);
  const score = `Your tests caught ${killed} of ${p.mutants.length} mutants`;
  const untested = survived.map((m) => `Not caught: ${m.description} (\`${m.name}\`).`);
  const reference = `${passed} test(s) pass on the reference implementation in ${p.runs} runs, none flaky`;
  if (killed < p.required) {
    return fail(`${score}; at least ${p.required} must be caught. Not caught: ${survived.map((m) => `\`${m.name}\``).join(", ")} (each is the reference with one bug; what each gets wrong is below).`, [`${reference}.`, ...untested]);
  }
  return pass(`${score} (${p.required} required). ${reference} (graded in ${seconds} s).`, untested);
}

export const testKinds = {
  "tests.mutationScore": defineKind({
    params: MutationScoreParams,
    needsCluster: true,
    needsRealWorkloads: true,
    // Several pytest runs in one pod: more than a check's usual minute, within the pod's deadline (150 s).
    timeoutMs: 140_000,
    async run(p, ctx) {
      for (const file of p.files) if (fileText(ctx, file) === null) return missingFile(file);
      for (const m of p.mutants) {
        const unknown = Object.keys(m.files).find((f) => !(f in ctx.files));
        // A lab bug, not the learner's: the grader reports it as a check error.
        if (unknown) throw new Error(`mutant "${m.name}" replaces ${unknown}, which is not a file of the lab`);
      }
      return withGraderPod(ctx, { check: "tests", image: p.image, limits: { cpu: "1", memory: "384Mi" }, what: "your tests", startSeconds: 60 }, async (live, pod) => {
        try {
          return await gradeInPod(live, pod, p, { ...ctx.files });
        } catch (error) {
          if (!(error instanceof SlowRun)) throw error;
          return {
            status: "error",
            message: `A pytest run did not finish within ${p.runTimeoutSeconds} s although no test was stuck: the lab cluster is busy, or a test used up the pod's memory. Check again in a minute; if it keeps happening, tell your instructor.`,
            ...(error.message ? { details: [shortMessage(error.message)] } : {}),
          };
        }
      });
    },
  }),
};
