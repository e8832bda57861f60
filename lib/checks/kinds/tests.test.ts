import { expect, test } from "vitest";
import type { AnyObject, ExecResult } from "../types";
import { parseRun, shortMessage, testKinds } from "./tests";
import { fakeLive, liveContextWith } from "./test-helpers";

const FILES = {
  "tests/test_features.py": "def test_a():\n    assert True\n",
  "churn/features.py": "LIMIT = 6\n",
};

const mutants = [
  { name: "limit-seven", description: "The limit is 7", files: { "churn/features.py": "LIMIT = 7\n" } },
  { name: "limit-five", description: "The limit is 5", files: { "churn/features.py": "LIMIT = 5\n" } },
  { name: "limit-zero", description: "The limit is 0", files: { "churn/features.py": "LIMIT = 0\n" } },
];

const params = { files: ["tests/test_features.py"], mutants, required: 2 };

type Event = Record<string, unknown>;
/** What one pytest run reports: its exit code (null: killed) and the plugin's events. */
type Run = { exit: number | null; events: Event[]; output?: string };
type Behaviour = (run: { name: string; overlay: string; seed: string; stop: string }) => Run;

const passed = (test: string): Event[] => [{ event: "start", test }, { event: "result", test, when: "call", outcome: "passed", message: "" }];
const failed = (test: string, message: string): Event[] => [{ event: "start", test }, { event: "result", test, when: "call", outcome: "failed", message }];
const end = (exit: number, collected: number): Event => ({ event: "end", exit, collected });

/** The pod's clock when a run ends (the shell prints it); start events give their own time. */
const CLOCK = 1_700_000_100;

function printed(run: Run): string {
  return `@@exit ${run.exit ?? 137}\n@@clock ${CLOCK}.25\n${run.events.map((e) => JSON.stringify(e)).join("\n")}\n@@output\n${run.output ?? ""}`;
}

/** A live sandbox whose grader pod "runs pytest" as `behaviour` says; it records each run. */
function sandbox(behaviour: Behaviour, files: Record<string, string> = FILES) {
  const objects: AnyObject[] = [];
  const runs: Array<{ name: string; overlay: string; seed: string; stop: string; files: string[] }> = [];
  const live = fakeLive({
    async createPod(pod) {
      objects.push({ ...pod, status: { phase: "Running", containerStatuses: [{ name: "run", image: "x", ready: true, restartCount: 0, state: { running: {} } }] } });
      return { ok: true, pod };
    },
    async exec(_pod, _container, command): Promise<ExecResult> {
      if (command[2]?.includes("python3 -m pytest")) {
        const [name = "", overlay = "", seed = "", , , stop = ""] = command.slice(4);
        runs.push({ name, overlay, seed, stop, files: command.slice(10) });
        return { ok: true, exitCode: 0, stdout: printed(behaviour({ name, overlay, seed, stop })), stderr: "" };
      }
      return { ok: true, exitCode: 0, stdout: "", stderr: "" };
    },
  });
  return { live, runs, ctx: liveContextWith(objects, live, files) };
}

/** The reference passes; a mutant is caught unless its index is in `survivors`. */
function suite(survivors: number[] = []): Behaviour {
  return ({ overlay }) => {
    const mutant = /\/mutants\/(\d+)$/.exec(overlay);
    if (mutant && !survivors.includes(Number(mutant[1]))) return { exit: 1, events: [...failed("tests/test_features.py::test_a", "assert 7 == 6"), end(1, 1)] };
    return { exit: 0, events: [...passed("tests/test_features.py::test_a"), end(0, 1)] };
  };
}

async function run(behaviour: Behaviour, p: unknown = params, files?: Record<string, string>) {
  const s = sandbox(behaviour, files);
  const spec = testKinds["tests.mutationScore"];
  return { outcome: await spec.run(spec.params.parse(p), s.ctx), ...s };
}

test("runs the reference three times with three seeds, then each mutant with -x, all in one pod that is deleted", async () => {
  const { outcome, live, runs } = await run(suite());
  expect(outcome.status).toBe("pass");
  expect(outcome.message).toMatch(/^Your tests caught 3 of 3 mutants \(2 required\)\. 1 test\(s\) pass on the reference implementation in 3 runs, none flaky/);
  expect(live.created).toHaveLength(1);
  expect(live.deleted).toEqual([live.created[0]!.metadata.name]);
  expect(runs.map((r) => [r.name, r.seed, r.stop])).toEqual([
    ["reference-1", "1", "-rN"],
    ["reference-2", "2", "-rN"],
    ["reference-3", "3", "-rN"],
    ["mutant-0", "1", "-x"],
    ["mutant-1", "1", "-x"],
    ["mutant-2", "1", "-x"],
  ]);
  expect(runs[3]!.overlay).toBe("/work/mutants/0");
  expect(runs.every((r) => r.files.join() === "tests/test_features.py")).toBe(true);
  // The lab's files and the reporter plugin go to /work/base and /work/.academy; each mutant's files to its own folder, compiled first.
  const copy = live.commands[0]!.join(" ");
  expect(copy).toContain("/work/base/churn/features.py");
  expect(copy).toContain("/work/.academy/academy_report.py");
  const mutantCopy = live.commands[1]!.join(" ");
  expect(mutantCopy).toContain("/work/mutants/2/churn/features.py");
  expect(mutantCopy).toContain("compile(open(f).read(), f, \"exec\")");
  const pod = live.created[0] as unknown as { spec: { containers: Array<{ image: string; resources: { limits: Record<string, string> }; securityContext: Record<string, unknown> }> } };
  expect(pod.spec.containers[0]!.image).toBe("docker.io/library/python:3.11-slim");
  expect(pod.spec.containers[0]!.resources.limits).toEqual({ cpu: "1", memory: "384Mi" });
  expect(pod.spec.containers[0]!.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
});

test("too few mutants caught fails with the score and each survivor's description, never its code", async () => {
  const { outcome } = await run(suite([0, 2]));
  expect(outcome.status).toBe("fail");
  expect(outcome.message).toBe("Your tests caught 1 of 3 mutants; at least 2 must be caught. Not caught: `limit-seven`, `limit-zero` (each is the reference with one bug; what each gets wrong is below).");
  expect(outcome.details).toEqual(["1 test(s) pass on the reference implementation in 3 runs, none flaky.", "Not caught: The limit is 7 (`limit-seven`).", "Not caught: The limit is 0 (`limit-zero`)."]);
  expect(JSON.stringify(outcome)).not.toContain("LIMIT = 7");
});

test("enough mutants caught passes and still names the survivor", async () => {
  const { outcome } = await run(suite([1]));
  expect(outcome.status).toBe("pass");
  expect(outcome.message).toMatch(/^Your tests caught 2 of 3 mutants \(2 required\)/);
  expect(outcome.details).toEqual(["Not caught: The limit is 5 (`limit-five`)."]);
});

test("a test that fails on the reference fails the check with its name and assertion, before any mutant runs", async () => {
  const { outcome, runs } = await run(() => ({ exit: 1, events: [...passed("t.py::test_ok"), ...failed("t.py::test_wrong", "assert 0 == 1\n +  where 0 = active_days([...])"), end(1, 2)] }));
  expect(outcome.status).toBe("fail");
  expect(outcome.message).toBe("1 of your tests fails against the reference implementation, which is correct: `t.py::test_wrong`: assert 0 == 1. A test must pass on correct code; the docstrings say what the code promises.");
  expect(runs.filter((r) => r.name.startsWith("mutant"))).toEqual([]);
});

test("a test that passes in one run and fails in another of the same code is reported as FLAKY", async () => {
  const { outcome, runs } = await run(({ name, overlay }) =>
    overlay === "" && name === "reference-2"
      ? { exit: 1, events: [...passed("t.py::test_ok"), ...failed("t.py::test_random", "assert 4 == 5"), end(1, 2)] }
      : { exit: 0, events: [...passed("t.py::test_ok"), ...passed("t.py::test_random"), end(0, 2)] },
  );
  expect(outcome.status).toBe("fail");
  expect(outcome.message).toMatch(/^FLAKY: `t\.py::test_random` \(run 1 passed, run 2 failed, run 3 passed\)\. It passes and fails on the same code/);
  expect(runs).toHaveLength(3);
});

test("a file pytest cannot load (wrong import, syntax error) is named with the error, after one run", async () => {
  const { outcome, runs } = await run(() => ({ exit: 2, events: [{ event: "collect", test: "tests/test_features.py", outcome: "failed", message: "ModuleNotFoundError: No module named 'churn.feature'" }, end(2, 0)] }));
  expect(outcome.message).toBe("pytest could not load `tests/test_features.py`: ModuleNotFoundError: No module named 'churn.feature'. Fix it so that `python -m pytest -q` collects your tests.");
  expect(runs).toHaveLength(1);
  const syntax = await run(() => ({ exit: 2, events: [{ event: "collect", test: "tests/test_features.py", outcome: "failed", message: 'File "/work/reference-1/tests/test_features.py", line 44\ndef test_x()\n^\nSyntaxError: expected \':\'' }, end(2, 0)] }));
  expect(syntax.outcome.message).toContain("pytest could not load `tests/test_features.py`: SyntaxError: expected ':' (line 44).");
});

test("a test stopped at the per-test limit is named, and the reference is not run again", async () => {
  const { outcome, runs } = await run(() => ({ exit: 1, events: [...passed("t.py::test_ok"), ...failed("t.py::test_sleeps", "did not finish within 5 s"), end(1, 2)] }));
  expect(outcome.message).toBe("`t.py::test_sleeps` did not finish within 5 s and was stopped: a test must not sleep, wait for the network or loop forever. Unit tests take milliseconds.");
  expect(runs).toHaveLength(1);
});

test("a run killed at the run limit names the test that had been stuck in it past its own limit", async () => {
  const { outcome } = await run(() => ({ exit: null, events: [...passed("t.py::test_ok"), { event: "start", test: "t.py::test_blocks", t: CLOCK - 40 }] }));
  expect(outcome.status).toBe("fail");
  expect(outcome.message).toBe("`t.py::test_blocks` ran for 40 s without finishing, past its 5 s limit, and the run was stopped: a test must not wait for input, the network or a lock, or loop forever.");
});

test("a run killed while no test was stuck (a busy node, slow imports) is a check error, not the learner's failure", async () => {
  const killedEarly = await run(() => ({ exit: null, events: [], output: "Killed" }));
  expect(killedEarly.outcome.status).toBe("error");
  expect(killedEarly.outcome.message).toMatch(/^A pytest run did not finish within 60 s although no test was stuck: the lab cluster is busy/);
  expect(killedEarly.live.deleted).toHaveLength(1);
  const justStarted = await run(() => ({ exit: null, events: [{ event: "start", test: "t.py::test_a", t: CLOCK - 2 }] }));
  expect(justStarted.outcome.status).toBe("error");
  // The same holds for a mutant's run: a slow node neither catches nor spares a mutant.
  const slowMutant = await run(({ overlay }) => (overlay ? { exit: null, events: [] } : { exit: 0, events: [...passed("t.py::test_a"), end(0, 1)] }));
  expect(slowMutant.outcome.status).toBe("error");
});

test("a file without tests says how pytest finds them", async () => {
  const { outcome } = await run(() => ({ exit: 5, events: [end(5, 0)] }));
  expect(outcome.message).toBe("pytest found no tests in `tests/test_features.py`: name test functions `test_…` at the top level of the file.");
});

test("a mutant whose run is killed because it made a test hang counts as caught", async () => {
  const { outcome } = await run(({ overlay }) => (overlay ? { exit: null, events: [{ event: "start", test: "t.py::test_a", t: CLOCK - 30 }] } : { exit: 0, events: [...passed("t.py::test_a"), end(0, 1)] }));
  expect(outcome.status).toBe("pass");
  expect(outcome.message).toMatch(/^Your tests caught 3 of 3 mutants/);
});

test("an empty test file fails before any pod is made", async () => {
  const { outcome, live } = await run(suite(), params, { ...FILES, "tests/test_features.py": "  \n" });
  expect(outcome.status).toBe("fail");
  expect(outcome.message).toContain("`tests/test_features.py` is empty");
  expect(live.created).toEqual([]);
});

test("a mutant of a file the lab does not have is a lab bug (a check error), not the learner's failure", async () => {
  const s = sandbox(suite());
  const spec = testKinds["tests.mutationScore"];
  const p = spec.params.parse({ ...params, mutants: [{ name: "x", description: "x", files: { "churn/other.py": "" } }], required: 1 });
  await expect(spec.run(p, s.ctx)).rejects.toThrow('mutant "x" replaces churn/other.py, which is not a file of the lab');
  expect(s.live.created).toEqual([]);
});

test("params: more required than mutants, duplicate names and multi-line descriptions are refused", () => {
  const schema = testKinds["tests.mutationScore"].params;
  expect(schema.safeParse({ ...params, required: 4 }).success).toBe(false);
  expect(schema.safeParse({ ...params, mutants: [mutants[0], mutants[0]] }).success).toBe(false);
  expect(schema.safeParse({ ...params, mutants: [{ ...mutants[0], description: "a\nb" }] , required: 1 }).success).toBe(false);
  expect(schema.safeParse({ ...params, mutants: [{ ...mutants[0], files: {} }], required: 1 }).success).toBe(false);
  expect(schema.safeParse(params).success).toBe(true);
});

test("parseRun keeps the worst phase, ignores a line cut short and believes only a run that ended", () => {
  const stdout = [
    "@@exit 1",
    JSON.stringify({ event: "start", test: "a" }),
    JSON.stringify({ event: "result", test: "a", when: "call", outcome: "passed", message: "" }),
    JSON.stringify({ event: "result", test: "a", when: "teardown", outcome: "failed", message: "boom" }),
    '{"event": "start", "te',
    JSON.stringify({ event: "end", exit: 1, collected: 1 }),
    "@@output",
    "1 failed",
  ].join("\n");
  const parsed = parseRun(stdout);
  expect(parsed.exit).toBe(1);
  expect(parsed.outcomes.get("a")).toEqual({ outcome: "failed", message: "boom" });
  expect(parsed.output).toBe("1 failed");
  // A learner's test cannot fake a clean end by printing: pytest's own output comes after @@output and is never parsed.
  expect(parseRun(`@@exit 0\n@@output\n${JSON.stringify({ event: "end", exit: 0, collected: 3 })}`).exit).toBeNull();
});

test("shortMessage keeps the assertion line and drops the pod's paths", () => {
  expect(shortMessage("assert 3 == 2\n +  where 3 = f()")).toBe("assert 3 == 2");
  expect(shortMessage("Traceback:\n/work/mutant-1/churn/features.py:30: in f\nAttributeError: 'NoneType' object has no attribute 'tzinfo'")).toBe("AttributeError: 'NoneType' object has no attribute 'tzinfo'");
  expect(shortMessage("x".repeat(400))).toHaveLength(160);
});
