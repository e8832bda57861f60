import { parseStructured } from "@/lib/checks/kinds/structured";
import { fail, pass, type CheckContext, type CheckOutcome } from "@/lib/checks/types";
import { defineChecks } from "@/lib/labs/define";

const file = ".github/workflows/ci.yml";

type Step = { name?: string; uses?: unknown; run?: unknown; with?: Record<string, unknown>; "continue-on-error"?: unknown };
type Job = {
  needs?: unknown;
  if?: unknown;
  uses?: unknown;
  permissions?: unknown;
  strategy?: { matrix?: Record<string, unknown> };
  "timeout-minutes"?: unknown;
  "continue-on-error"?: unknown;
  steps?: Step[];
};
type Workflow = { on?: unknown; permissions?: unknown; jobs?: Record<string, Job> };

/** The workflow as a plain object, or the outcome to report when it cannot be read. */
function readWorkflow(ctx: CheckContext): Workflow | CheckOutcome {
  const text = ctx.files[file];
  if (!text || text.trim() === "") return fail(`\`${file}\` is empty. Write the workflow, save, and check again.`);
  const parsed = parseStructured(text, "yaml");
  if (!parsed.ok) return fail(`\`${file}\`${parsed.line ? ` line ${parsed.line}` : ""}: ${parsed.message.replace(/[:.]+$/, "")}. Fix the "valid YAML" check first.`);
  const value = parsed.value;
  if (!value || typeof value !== "object" || Array.isArray(value)) return fail(`\`${file}\` is not a mapping with \`on:\` and \`jobs:\`.`);
  const workflow = value as Workflow;
  if (!workflow.jobs || typeof workflow.jobs !== "object" || Object.keys(workflow.jobs).length === 0) return fail(`\`${file}\` has no \`jobs:\`.`);
  return workflow;
}

function isOutcome(value: unknown): value is CheckOutcome {
  return !!value && typeof value === "object" && "status" in value && "message" in value && !("jobs" in value);
}

function jobsOf(workflow: Workflow): Array<[string, Job]> {
  return Object.entries(workflow.jobs ?? {}).map(([id, job]) => [id, job && typeof job === "object" ? job : {}]);
}

function stepsOf(job: Job): Step[] {
  return Array.isArray(job.steps) ? job.steps.filter((s): s is Step => !!s && typeof s === "object") : [];
}

function runText(step: Step): string {
  return typeof step.run === "string" ? step.run : "";
}

/** Shell lines of a run step, with backslash continuations joined and comments dropped. */
function commandLines(step: Step): string[] {
  return runText(step)
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.replace(/(^|\s)#.*$/, "").trim())
    .filter(Boolean);
}

/** Why a failure of this command would not fail the step, or null. */
function softened(step: Step, job: Job, line: string): string | null {
  if (/\|\|\s*(true|:|exit\s+0|echo\b)/.test(line)) return `\`${line}\` ends in \`||\`, which turns its failure into success`;
  if (/;\s*(true|exit\s+0)\s*$/.test(line)) return `\`${line}\` ends with a command that always succeeds`;
  if (/^\s*set\s+\+e\b/m.test(runText(step))) return "the step runs `set +e`, so a failing command does not stop it";
  if (step["continue-on-error"] === true || job["continue-on-error"] === true) return "`continue-on-error: true` lets the workflow pass when it fails";
  return null;
}

/** Jobs with at least one run line matching the pattern. */
function jobsRunning(workflow: Workflow, pattern: { test(line: string): boolean }): string[] {
  return jobsOf(workflow)
    .filter(([, job]) => stepsOf(job).some((s) => commandLines(s).some((l) => pattern.test(l))))
    .map(([id]) => id);
}

function needsOf(job: Job): string[] {
  if (typeof job.needs === "string") return [job.needs];
  return Array.isArray(job.needs) ? job.needs.filter((n): n is string => typeof n === "string") : [];
}

const SHA_PIN = /^[^@\s]+@[0-9a-f]{40}$/;
const INSTALL = /\bpip3?\s+install\b/;
const PYTEST_RUN = /(^|[\s;&|(])(python3?\s+-m\s+)?pytest(\s|$)/;
const LINT_RUN = /(^|[\s;&|(])(python3?\s+-m\s+)?(ruff\s+check|flake8)(\s|$)/;
/** Command lines that run pytest / the linter (an install line naming them does not count). */
const PYTEST = { test: (line: string) => PYTEST_RUN.test(line) && !INSTALL.test(line) };
const LINT = { test: (line: string) => LINT_RUN.test(line) && !INSTALL.test(line) };
const PYTHON_VERSION = /^3\.\d{1,2}(\.\d{1,2})?$/;

export const checks = defineChecks([
  {
    id: "valid-yaml",
    title: "The workflow is valid YAML",
    points: 5,
    hints: [
      "The message gives the line of the first YAML error; indentation under `steps:` is the usual suspect.",
      "Quote values that contain `: ` or start with `{` or `*`.",
    ],
    kind: "structured.parses",
    params: { file },
  },
  {
    id: "triggers",
    title: "Runs on every push and pull request",
    points: 5,
    hints: [
      "List both events: `on: {push: {branches: [main]}, pull_request: {}}`, or simply `on: [push, pull_request]`.",
      "Without `pull_request`, a change is only tested after it is merged: the review never sees a red build.",
    ],
    kind: "custom",
    needsCluster: false,
    async run(ctx) {
      const workflow = readWorkflow(ctx);
      if (isOutcome(workflow)) return workflow;
      const on = workflow.on;
      const events =
        typeof on === "string" ? [on] : Array.isArray(on) ? on.map(String) : on && typeof on === "object" ? Object.keys(on) : [];
      const missing = ["push", "pull_request"].filter((e) => !events.includes(e));
      if (missing.length) {
        return fail(`The workflow runs on ${events.length ? events.map((e) => `\`${e}\``).join(", ") : "no event"}, not on ${missing.map((e) => `\`${e}\``).join(" or ")}.`);
      }
      return pass("The workflow runs on push and on pull requests.");
    },
  },
  {
    id: "read-only-token",
    title: "The workflow's token can only read the repository",
    points: 10,
    hints: [
      "Add a top-level `permissions: {contents: read}`: every job's `GITHUB_TOKEN` then starts with read access only.",
      "A job that needs more asks for it in its own `permissions` block (the deploy job: `packages: write`); never `write-all`.",
    ],
    kind: "custom",
    needsCluster: false,
    async run(ctx) {
      const workflow = readWorkflow(ctx);
      if (isOutcome(workflow)) return workflow;
      const top = workflow.permissions;
      if (top === undefined) return fail("There is no top-level `permissions`, so every job gets the repository's default token, often with write access to code, issues and packages.");
      if (!top || typeof top !== "object" || Array.isArray(top)) return fail(`The top-level \`permissions\` is ${JSON.stringify(top)}; write it as a mapping: \`permissions: {contents: read}\`.`);
      const entries = Object.entries(top as Record<string, unknown>);
      if ((top as Record<string, unknown>).contents !== "read") return fail("The top-level `permissions` must give `contents: read`.");
      const writes = entries.filter(([, v]) => v === "write").map(([k]) => k);
      if (writes.length) return fail(`The top-level \`permissions\` grants write access (${writes.join(", ")}) to every job; move it to the one job that needs it.`);
      const broad = jobsOf(workflow).filter(([, job]) => job.permissions === "write-all").map(([id]) => id);
      if (broad.length) return fail(`Job ${broad.map((id) => `\`${id}\``).join(", ")} asks for \`write-all\`; list only the scopes it needs (for pushing an image: \`packages: write\`).`);
      return pass("The token is read-only by default; jobs ask for more only where needed.");
    },
  },
  {
    id: "actions-pinned",
    title: "Every action is pinned to a full commit SHA",
    points: 15,
    hints: [
      "Replace each tag with the commit it points to and keep the tag as a comment: `uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2`.",
      "Find the SHA on the action's release page, or with `git ls-remote https://github.com/actions/setup-python v5.3.0`.",
      "Often a `run:` step is simpler than another action: `docker login --password-stdin` needs no login action.",
    ],
    kind: "custom",
    needsCluster: false,
    async run(ctx) {
      const workflow = readWorkflow(ctx);
      if (isOutcome(workflow)) return workflow;
      const problems: string[] = [];
      let count = 0;
      for (const [id, job] of jobsOf(workflow)) {
        const uses = [...(typeof job.uses === "string" ? [job.uses] : []), ...stepsOf(job).flatMap((s) => (typeof s.uses === "string" ? [s.uses] : []))];
        for (const ref of uses) {
          count++;
          if (ref.startsWith("./")) continue; // an action in this repository, versioned with it
          if (ref.startsWith("docker://")) {
            if (!/@sha256:[0-9a-f]{64}$/.test(ref)) problems.push(`job \`${id}\`: \`${ref}\` is not pinned by digest`);
            continue;
          }
          if (!SHA_PIN.test(ref)) problems.push(`job \`${id}\`: \`${ref}\` is pinned to ${ref.includes("@") ? "a tag or branch, which can be moved" : "nothing"}`);
        }
      }
      if (count === 0) return fail("The workflow uses no actions at all; check out the code with `actions/checkout` and set up Python with `actions/setup-python`.");
      return problems.length
        ? fail(`${problems.length} action reference(s) can change under you: ${problems[0]}.`, problems)
        : pass(`All ${count} action references are pinned to a commit SHA.`);
    },
  },
  {
    id: "python-pinned",
    title: "Python is set up at a pinned version",
    points: 10,
    hints: [
      "Give `actions/setup-python` a quoted version: `with: {python-version: \"3.12\"}`. Unquoted, YAML reads `3.10` as the number 3.1.",
      "To test several versions, use `strategy.matrix.python-version: [\"3.11\", \"3.12\"]` and `python-version: ${{ matrix.python-version }}`.",
      "The project supports Python 3.11 and newer (`requires-python` in `pyproject.toml`).",
    ],
    kind: "custom",
    needsCluster: false,
    async run(ctx) {
      const workflow = readWorkflow(ctx);
      if (isOutcome(workflow)) return workflow;
      const problems: string[] = [];
      const versions: string[] = [];
      for (const [id, job] of jobsOf(workflow)) {
        for (const step of stepsOf(job).filter((s) => typeof s.uses === "string" && s.uses.startsWith("actions/setup-python@"))) {
          const given = step.with?.["python-version"];
          const matrixKey = typeof given === "string" ? /^\$\{\{\s*matrix\.([\w-]+)\s*\}\}$/.exec(given.trim())?.[1] : undefined;
          const candidates: unknown[] = matrixKey
            ? Array.isArray(job.strategy?.matrix?.[matrixKey]) ? (job.strategy!.matrix![matrixKey] as unknown[]) : [undefined]
            : [given];
          for (const v of candidates) {
            if (v === undefined) problems.push(`job \`${id}\`: ${matrixKey ? `\`matrix.${matrixKey}\` is not a list of versions` : "`setup-python` has no `python-version`, so it uses whatever the runner image has"}`);
            else if (typeof v === "number") problems.push(`job \`${id}\`: \`python-version\` is the number ${v}; YAML reads unquoted versions as numbers (\`3.10\` becomes 3.1), so quote it: \`"3.12"\``);
            else if (typeof v !== "string" || !PYTHON_VERSION.test(v.trim())) problems.push(`job \`${id}\`: \`${String(v)}\` is not a specific Python version such as "3.12"`);
            else if (Number(v.split(".")[1]) < 11) problems.push(`job \`${id}\`: Python ${v} is older than the project supports (3.11)`);
            else versions.push(v.trim());
          }
        }
      }
      if (problems.length) return fail(`Python is not pinned: ${problems[0]}.`, problems);
      if (versions.length === 0) return fail("No job sets up Python with `actions/setup-python`; the runner's own Python changes with the runner image.");
      return pass(`Python is pinned (${[...new Set(versions)].join(", ")}).`);
    },
  },
  {
    id: "pip-cache",
    title: "pip's downloads are cached between runs",
    points: 5,
    hints: [
      "Add `cache: pip` under `with:` of `actions/setup-python`; with several requirements files, add `cache-dependency-path: requirements*.txt` so the cache key changes when any of them does.",
    ],
    kind: "custom",
    needsCluster: false,
    async run(ctx) {
      const workflow = readWorkflow(ctx);
      if (isOutcome(workflow)) return workflow;
      const installing = jobsRunning(workflow, INSTALL);
      if (installing.length === 0) return fail("No job installs anything with pip yet.");
      const uncached = installing.filter((id) => {
        const steps = stepsOf(workflow.jobs![id]!);
        return !steps.some(
          (s) =>
            typeof s.uses === "string" &&
            ((s.uses.startsWith("actions/setup-python@") && s.with?.cache === "pip") ||
              (s.uses.startsWith("actions/cache@") && /pip/.test(String(s.with?.path ?? "")))),
        );
      });
      return uncached.length
        ? fail(`Job ${uncached.map((id) => `\`${id}\``).join(", ")} installs with pip without a cache, so every run downloads every package again.`)
        : pass("pip's download cache is restored in every job that installs packages.");
    },
  },
  {
    id: "locked-install",
    title: "Dependencies come from the pinned requirements files",
    points: 10,
    hints: [
      "Install with `pip install -r requirements-dev.txt` (it includes `requirements.txt`): the same versions on every run and on every laptop.",
      "Drop `pip install <name>` lines without `==version`, including `pip install --upgrade pip`: they install whatever is newest today.",
    ],
    kind: "custom",
    needsCluster: false,
    async run(ctx) {
      const workflow = readWorkflow(ctx);
      if (isOutcome(workflow)) return workflow;
      const problems: string[] = [];
      const testJobs = jobsRunning(workflow, PYTEST);
      for (const [id, job] of jobsOf(workflow)) {
        let fromFile = false;
        for (const line of stepsOf(job).flatMap(commandLines)) {
          const m = /\bpip3?\s+install\b(.*)$/.exec(line);
          if (!m) continue;
          const tokens = m[1]!.split(/\s+/).filter(Boolean);
          for (let i = 0; i < tokens.length; i++) {
            const t = tokens[i]!;
            if (t === "-r" || t === "--requirement" || t === "-c" || t === "--constraint") {
              if (t === "-r" || t === "--requirement") fromFile = true;
              i++;
              continue;
            }
            if (/^--(requirement|constraint)=/.test(t)) {
              if (t.startsWith("--requirement=")) fromFile = true;
              continue;
            }
            if (t.startsWith("-") || /^[&|;]/.test(t)) continue;
            if (t === "." || t === "-e" || /^\.\[[\w,-]+\]$/.test(t)) continue;
            if (!/==/.test(t)) problems.push(`job \`${id}\`: \`${t}\` is installed unpinned (\`${line}\`)`);
          }
        }
        if (testJobs.includes(id) && !fromFile) problems.push(`job \`${id}\` runs pytest but never installs from a requirements file (\`pip install -r …\`)`);
      }
      if (testJobs.length === 0) return fail("No job runs pytest yet, so nothing needs the test dependencies; see the check on tests.");
      return problems.length ? fail(`${problems[0]}.`, problems) : pass("Every install comes from the pinned requirements files.");
    },
  },
  {
    id: "lint",
    title: "The linter runs and its findings fail the build",
    points: 10,
    hints: [
      "Add a step `run: ruff check .` (ruff is pinned in `requirements-dev.txt`; its rules are in `pyproject.toml`).",
      "Remove `|| true` and `continue-on-error`: a linter whose findings never fail the build is soon ignored.",
    ],
    kind: "custom",
    needsCluster: false,
    async run(ctx) {
      const workflow = readWorkflow(ctx);
      if (isOutcome(workflow)) return workflow;
      let found = false;
      for (const [id, job] of jobsOf(workflow)) {
        for (const step of stepsOf(job)) {
          for (const line of commandLines(step).filter((l) => LINT.test(l))) {
            found = true;
            const why = softened(step, job, line);
            if (why) return fail(`The linter's findings never fail the build: in job \`${id}\`, ${why}.`);
          }
        }
      }
      return found ? pass("The linter runs and its findings fail the build.") : fail("No step runs the linter (`ruff check`).");
    },
  },
  {
    id: "tests-gate",
    title: "pytest runs with a coverage threshold, and failures fail the build",
    points: 15,
    hints: [
      "Run `pytest --cov=app --cov-fail-under=85`: pytest-cov then fails the run when coverage drops below 85 %.",
      "Remove `|| true`, `set +e` and `continue-on-error`: the exit code of pytest is the test result.",
    ],
    kind: "custom",
    needsCluster: false,
    async run(ctx) {
      const workflow = readWorkflow(ctx);
      if (isOutcome(workflow)) return workflow;
      const runs: Array<{ id: string; line: string; step: Step; job: Job }> = [];
      for (const [id, job] of jobsOf(workflow)) {
        for (const step of stepsOf(job)) for (const line of commandLines(step).filter((l) => PYTEST.test(l))) runs.push({ id, line, step, job });
      }
      if (runs.length === 0) return fail("No step runs `pytest`.");
      for (const { id, line, step, job } of runs) {
        const why = softened(step, job, line);
        if (why) return fail(`Test failures never fail the build: in job \`${id}\`, ${why}.`);
      }
      const thresholds = runs.flatMap(({ line }) => {
        const m = /--cov-fail-under[=\s]+(\d+(?:\.\d+)?)/.exec(line);
        return m && /--cov\b/.test(line) ? [Number(m[1])] : [];
      });
      if (thresholds.length === 0) return fail("pytest runs without a coverage threshold: add `--cov=app --cov-fail-under=85`.");
      const best = Math.max(...thresholds);
      if (best < 80) return fail(`The coverage threshold is ${best} %; the lab asks for at least 80 %.`);
      return pass(`pytest runs with coverage and fails below ${best} %.`);
    },
  },
  {
    id: "timeouts",
    title: "Every job has a timeout",
    points: 5,
    hints: [
      "Add `timeout-minutes: 15` to each job (at the level of `runs-on`); the default is 360 minutes.",
    ],
    kind: "custom",
    needsCluster: false,
    async run(ctx) {
      const workflow = readWorkflow(ctx);
      if (isOutcome(workflow)) return workflow;
      const problems = jobsOf(workflow).flatMap(([id, job]) => {
        if (typeof job.uses === "string") return []; // a reusable workflow sets its own
        const t = job["timeout-minutes"];
        if (t === undefined) return [`job \`${id}\` has no \`timeout-minutes\` (the default is 6 hours)`];
        if (typeof t !== "number" || t < 1 || t > 30) return [`job \`${id}\` has \`timeout-minutes: ${JSON.stringify(t)}\`; use a number from 1 to 30`];
        return [];
      });
      return problems.length ? fail(`${problems[0]}.`, problems) : pass("Every job stops after at most 30 minutes.");
    },
  },
  {
    id: "deploy-gated",
    title: "The deploy job waits for lint and tests, and only runs for main",
    points: 10,
    hints: [
      "On the `deploy` job, set `needs: [lint, test]` (the ids of your lint and test jobs): it then starts only when they all succeeded, every matrix leg included.",
      "Add `if: github.event_name == 'push' && github.ref == 'refs/heads/main'` so pull requests never deploy.",
      "Leave `always()` and `!cancelled()` out of the condition: with them the job runs even when a job it needs failed.",
    ],
    kind: "custom",
    needsCluster: false,
    async run(ctx) {
      const workflow = readWorkflow(ctx);
      if (isOutcome(workflow)) return workflow;
      const jobs = workflow.jobs!;
      const deploy = jobs.deploy;
      if (!deploy || typeof deploy !== "object") return fail("There is no job with the id `deploy`.");
      const gates = [...new Set([...jobsRunning(workflow, PYTEST), ...jobsRunning(workflow, LINT)])].filter((id) => id !== "deploy");
      if (gates.length === 0) return fail("No job runs the linter or pytest, so there is nothing for `deploy` to wait for.");
      // Everything deploy waits for, directly or through other jobs.
      const waitsFor = new Set<string>();
      const queue = needsOf(deploy);
      while (queue.length) {
        const id = queue.pop()!;
        if (waitsFor.has(id)) continue;
        waitsFor.add(id);
        const job = jobs[id];
        if (job && typeof job === "object") queue.push(...needsOf(job));
      }
      const unknown = needsOf(deploy).filter((id) => !jobs[id]);
      if (unknown.length) return fail(`\`deploy\` needs ${unknown.map((id) => `\`${id}\``).join(", ")}, which is not a job in this workflow.`);
      const missing = gates.filter((id) => !waitsFor.has(id));
      if (missing.length) return fail(`\`deploy\` does not wait for ${missing.map((id) => `\`${id}\``).join(", ")}: it can push an image whose ${missing.length > 1 ? "checks" : "check"} failed. Add ${missing.length > 1 ? "them" : "it"} to \`needs\`.`);
      const condition = typeof deploy.if === "string" ? deploy.if : "";
      if (/\b(always|failure|cancelled)\s*\(\s*\)/.test(condition)) {
        return fail(`\`deploy\`'s condition \`${condition}\` uses a status function, so it runs even when a job it needs failed.`);
      }
      if (!/refs\/heads\/main\b|github\.ref_name\s*==\s*['"]main['"]/.test(condition)) {
        return fail("`deploy` has no `if:` that limits it to the main branch, so every pull request would build and push an image.");
      }
      return pass(`\`deploy\` runs only for main, after ${gates.map((id) => `\`${id}\``).join(" and ")} succeeded.`);
    },
  },
]);
