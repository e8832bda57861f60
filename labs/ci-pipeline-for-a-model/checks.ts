import { fail, learnerPattern, pass } from "@/lib/checks/kit";
import { commandLines, commandRuns, jobsOf, jobsRunning, needsOf, requireWorkflow, softened, stepsOf, usesAction, waitsFor, type WorkflowStep } from "@/lib/checks/kinds/workflow";
import { defineChecks } from "@/lib/labs/define";

const file = ".github/workflows/ci.yml";
const INSTALL = learnerPattern(String.raw`\bpip3?\s+install\b`);
const PYTEST_RUN = learnerPattern(String.raw`(^|[\s;&|(])(python3?\s+-m\s+)?pytest(\s|$)`);
const LINT_RUN = learnerPattern(String.raw`(^|[\s;&|(])(python3?\s+-m\s+)?(ruff\s+check|flake8)(\s|$)`);
const PIP_INSTALL_ARGS = learnerPattern(String.raw`\bpip3?\s+install\b(.*)$`);
const BLANKS = learnerPattern(String.raw`\s+`);
const FROM_FILE = learnerPattern("^(-r|--requirement)$|^--requirement=");
const TAKES_VALUE = learnerPattern("^(-r|--requirement|-c|--constraint)$");
const NOT_A_PACKAGE = learnerPattern(String.raw`^(-|[&|;]|\.$|\.\[[\w,-]+\]$)`);
const COV_FAIL_UNDER = learnerPattern(String.raw`--cov-fail-under[=\s]+(\d+(?:\.\d+)?)`);
const COV = learnerPattern(String.raw`--cov\b`);
/** Each `--cov=<source>` (or `--cov <source>`); a bare `--cov` takes pyproject's source, `app`. */
const COV_SOURCE = learnerPattern(String.raw`--cov(?:=|\s+)([^\s-][^\s]*)`);
const APP_SOURCE = learnerPattern(String.raw`^(\./)?app/?$`);
const STATUS_FUNCTION = learnerPattern(String.raw`\b(always|failure|cancelled)\s*\(\s*\)`);
const MAIN_ONLY = learnerPattern(String.raw`refs/heads/main\b|github\.ref_name\s*==\s*['"]main['"]`);
const PIP = learnerPattern("pip");
/** Command lines that run pytest / the linter (an install line naming them does not count). */
const PYTEST = { test: (line: string) => PYTEST_RUN.test(line) && !INSTALL.test(line) };
const LINT = { test: (line: string) => LINT_RUN.test(line) && !INSTALL.test(line) };

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
    kind: "workflow.triggers",
    params: { file, events: ["push", "pull_request"] },
  },
  {
    id: "read-only-token",
    title: "The workflow's token can only read the repository",
    points: 10,
    hints: [
      "Add a top-level `permissions: {contents: read}`: every job's `GITHUB_TOKEN` then starts with read access only.",
      "A job that needs more asks for it in its own `permissions` block (the deploy job: `packages: write`); never `write-all`.",
    ],
    kind: "workflow.readOnlyToken",
    params: { file },
  },
  {
    id: "actions-pinned",
    title: "Every action is pinned to a full commit SHA",
    points: 15,
    hints: [
      "Replace each tag with the commit it points to and keep the tag as a comment: `uses: actions/checkout@3d3c42e5aac5ba805825da76410c181273ba90b1 # v7.0.1`.",
      "Find the SHA on the action's release page, or with `git ls-remote https://github.com/actions/setup-python v7.0.0`.",
      "Often a `run:` step is simpler than another action: `docker login --password-stdin` needs no login action.",
    ],
    kind: "workflow.actionsPinned",
    params: { file },
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
    kind: "workflow.setupPinned",
    params: { file, tool: "Python", action: "actions/setup-python", input: "python-version", min: "3.11" },
  },
  {
    id: "pip-cache",
    title: "pip's downloads are cached between runs",
    points: 5,
    hints: [
      "Add `cache: pip` under `with:` of `actions/setup-python`; with several requirements files, add `cache-dependency-path: requirements*.txt` so the cache key changes when any of them does.",
    ],
    kind: "custom",
    async run(ctx) {
      const workflow = requireWorkflow(ctx, file);
      const installing = jobsRunning(workflow, INSTALL);
      if (installing.length === 0) return fail("No job installs anything with pip yet.");
      const cached = (s: WorkflowStep) => (usesAction(s, "actions/setup-python") && s.with?.cache === "pip") || (usesAction(s, "actions/cache") && PIP.test(String(s.with?.path ?? "")));
      const uncached = installing.filter((id) => !stepsOf(workflow.jobs[id]!).some(cached));
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
    async run(ctx) {
      const workflow = requireWorkflow(ctx, file);
      const testJobs = jobsRunning(workflow, PYTEST);
      if (testJobs.length === 0) return fail("No job runs pytest yet, so nothing needs the test dependencies; see the check on tests.");
      const problems: string[] = [];
      for (const [id, job] of jobsOf(workflow)) {
        let fromFile = false;
        for (const line of stepsOf(job).flatMap(commandLines)) {
          const rest = PIP_INSTALL_ARGS.exec(line)?.[1];
          const tokens = rest === undefined ? [] : BLANKS.split(rest).filter(Boolean);
          for (let i = 0; i < tokens.length; i++) {
            const t = tokens[i]!;
            if (FROM_FILE.test(t)) fromFile = true;
            if (TAKES_VALUE.test(t)) i++;
            else if (!NOT_A_PACKAGE.test(t) && !t.includes("==")) problems.push(`job \`${id}\`: \`${t}\` is installed unpinned (\`${line}\`)`);
          }
        }
        if (testJobs.includes(id) && !fromFile) problems.push(`job \`${id}\` runs pytest but never installs from a requirements file (\`pip install -r …\`)`);
      }
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
    async run(ctx) {
      const runs = commandRuns(requireWorkflow(ctx, file), LINT);
      if (runs.length === 0) return fail("No step runs the linter (`ruff check`).");
      const soft = runs.find((r) => softened(r));
      return soft
        ? fail(`The linter's findings never fail the build: in job \`${soft.jobId}\`, ${softened(soft)}.`)
        : pass("The linter runs and its findings fail the build.");
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
    async run(ctx) {
      const runs = commandRuns(requireWorkflow(ctx, file), PYTEST);
      if (runs.length === 0) return fail("No step runs `pytest`.");
      const soft = runs.find((r) => softened(r));
      if (soft) return fail(`Test failures never fail the build: in job \`${soft.jobId}\`, ${softened(soft)}.`);
      const thresholds = runs.flatMap(({ line }) => {
        const m = COV_FAIL_UNDER.exec(line);
        return m && COV.test(line) ? [Number(m[1])] : [];
      });
      if (thresholds.length === 0) return fail("pytest runs without a coverage threshold: add `--cov=app --cov-fail-under=85`.");
      const elsewhere = runs.flatMap(({ line }) => COV_SOURCE.matchAll(line).map((g) => g[1]!)).filter((source) => !APP_SOURCE.test(source));
      if (elsewhere.length) {
        return fail(`\`--cov=${elsewhere[0]}\` measures something other than the service's code, which is in \`app/\` (pyproject's \`[tool.coverage.run] source\`): the threshold would then judge the wrong files. Write \`--cov=app\`, or a bare \`--cov\`.`);
      }
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
    kind: "workflow.timeouts",
    params: { file, maxMinutes: 30 },
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
    async run(ctx) {
      const workflow = requireWorkflow(ctx, file);
      const deploy = workflow.jobs.deploy;
      if (!deploy || typeof deploy !== "object") return fail("There is no job with the id `deploy`.");
      const gates = [...new Set([...jobsRunning(workflow, PYTEST), ...jobsRunning(workflow, LINT)])].filter((id) => id !== "deploy");
      if (gates.length === 0) return fail("No job runs the linter or pytest, so there is nothing for `deploy` to wait for.");
      const unknown = needsOf(deploy).filter((id) => !workflow.jobs[id]);
      if (unknown.length) return fail(`\`deploy\` needs ${unknown.map((id) => `\`${id}\``).join(", ")}, which is not a job in this workflow.`);
      const waited = waitsFor(workflow, "deploy");
      const missing = gates.filter((id) => !waited.has(id));
      if (missing.length) {
        const many = missing.length > 1;
        return fail(`\`deploy\` does not wait for ${missing.map((id) => `\`${id}\``).join(", ")}: it can push an image whose ${many ? "checks" : "check"} failed. Add ${many ? "them" : "it"} to \`needs\`.`);
      }
      const condition = typeof deploy.if === "string" ? deploy.if : "";
      if (STATUS_FUNCTION.test(condition)) return fail(`\`deploy\`'s condition \`${condition}\` uses a status function, so it runs even when a job it needs failed.`);
      if (!MAIN_ONLY.test(condition)) {
        return fail("`deploy` has no `if:` that limits it to the main branch, so every pull request would build and push an image.");
      }
      return pass(`\`deploy\` runs only for main, after ${gates.map((id) => `\`${id}\``).join(" and ")} succeeded.`);
    },
  },
]);
