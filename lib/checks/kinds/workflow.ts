// GitHub Actions workflows (`.github/workflows/*.yml`), read statically: the YAML is parsed with the
// grader's limits, nothing runs. The kinds cover what every workflow should do (triggers, a
// read-only token, pinned actions and tool versions, timeouts); the helpers below let a lab's
// custom checks walk jobs, steps and shell lines the same way.
import { z } from "zod";
import { failWith } from "../failure";
import { isMapping, requireStructured } from "../files";
import { fail, pass, type CheckContext } from "../types";
import { FileParam, defineKind } from "./kind";
import { learnerPattern } from "../pattern";

export type WorkflowStep = { name?: string; uses?: unknown; run?: unknown; with?: Record<string, unknown>; "continue-on-error"?: unknown };
export type WorkflowJob = {
  needs?: unknown;
  if?: unknown;
  uses?: unknown;
  permissions?: unknown;
  strategy?: { matrix?: Record<string, unknown> };
  "timeout-minutes"?: unknown;
  "continue-on-error"?: unknown;
  steps?: WorkflowStep[];
};
export type Workflow = { on?: unknown; permissions?: unknown; jobs: Record<string, WorkflowJob> };

/** The workflow; fails the check when the file is empty, not YAML, or has no jobs. */
export function requireWorkflow(ctx: CheckContext, file: string): Workflow {
  const value = requireStructured(ctx, file, { fix: "Fix the YAML first: every other check reads the workflow." });
  if (!isMapping(value)) return failWith(`\`${file}\` is not a mapping with \`on:\` and \`jobs:\`.`);
  if (!isMapping(value.jobs) || Object.keys(value.jobs).length === 0) return failWith(`\`${file}\` has no \`jobs:\`.`);
  return value as Workflow;
}

export function jobsOf(workflow: Workflow): Array<[string, WorkflowJob]> {
  return Object.entries(workflow.jobs).map(([id, job]) => [id, isMapping(job) ? job : {}]);
}

export function stepsOf(job: WorkflowJob): WorkflowStep[] {
  return Array.isArray(job.steps) ? job.steps.filter((s): s is WorkflowStep => isMapping(s)) : [];
}

/** Whether the step uses the action (any version): `usesAction(step, "actions/setup-python")`. */
export function usesAction(step: WorkflowStep, action: string): boolean {
  return typeof step.uses === "string" && step.uses.startsWith(`${action}@`);
}

/** Shell lines of a run step, with backslash continuations joined and comments dropped. */
export function commandLines(step: WorkflowStep): string[] {
  return CONTINUATION.replaceAll(typeof step.run === "string" ? step.run : "", " ")
    .split("\n")
    .map((l) => COMMENT.replaceFirst(l, "").trim())
    .filter(Boolean);
}

const CONTINUATION = learnerPattern(String.raw`\\\n`);
const COMMENT = learnerPattern(String.raw`(^|\s)#.*$`);
const OR_SUCCEEDS = learnerPattern(String.raw`\|\|\s*(true|:|exit\s+0|echo\b)`);
const THEN_SUCCEEDS = learnerPattern(String.raw`;\s*(true|exit\s+0)\s*$`);
const SET_PLUS_E = learnerPattern(String.raw`^\s*set\s+\+e\b`, "m");

export type CommandRun = { jobId: string; job: WorkflowJob; step: WorkflowStep; line: string };

/** Every shell line of the workflow that matches, with where it runs. */
export function commandRuns(workflow: Workflow, pattern: { test(line: string): boolean }): CommandRun[] {
  return jobsOf(workflow).flatMap(([jobId, job]) =>
    stepsOf(job).flatMap((step) => commandLines(step).filter((line) => pattern.test(line)).map((line) => ({ jobId, job, step, line }))),
  );
}

/** Ids of the jobs with at least one shell line that matches. */
export function jobsRunning(workflow: Workflow, pattern: { test(line: string): boolean }): string[] {
  return [...new Set(commandRuns(workflow, pattern).map((r) => r.jobId))];
}

/** Why a failure of this command would not fail the build, or null. */
export function softened({ step, job, line }: CommandRun): string | null {
  if (OR_SUCCEEDS.test(line)) return `\`${line}\` ends in \`||\`, which turns its failure into success`;
  if (THEN_SUCCEEDS.test(line)) return `\`${line}\` ends with a command that always succeeds`;
  if (SET_PLUS_E.test(typeof step.run === "string" ? step.run : "")) return "the step runs `set +e`, so a failing command does not stop it";
  if (step["continue-on-error"] === true || job["continue-on-error"] === true) return "`continue-on-error: true` lets the workflow pass when it fails";
  return null;
}

export function needsOf(job: WorkflowJob): string[] {
  if (typeof job.needs === "string") return [job.needs];
  return Array.isArray(job.needs) ? job.needs.filter((n): n is string => typeof n === "string") : [];
}

/** Every job `id` waits for, directly or through the jobs it needs. */
export function waitsFor(workflow: Workflow, id: string): Set<string> {
  const seen = new Set<string>();
  const queue = needsOf(workflow.jobs[id] ?? {});
  while (queue.length) {
    const next = queue.pop()!;
    if (seen.has(next)) continue;
    seen.add(next);
    const job = workflow.jobs[next];
    if (isMapping(job)) queue.push(...needsOf(job));
  }
  return seen;
}

const SHA_PIN = learnerPattern(String.raw`^[^@\s]+@[0-9a-f]{40}$`);
const DIGEST_PIN = learnerPattern("@sha256:[0-9a-f]{64}$");
const MATRIX_REF = learnerPattern(String.raw`^\$\{\{\s*matrix\.([\w-]+)\s*\}\}$`);
const VERSION = learnerPattern(String.raw`^\d+\.\d{1,2}(\.\d{1,2})?$`);
const jobList = (ids: string[]) => ids.map((id) => `\`${id}\``).join(", ");

/** -1, 0, 1 comparing dotted versions ("3.9" < "3.11"). */
function compareVersions(a: string, b: string): number {
  const [x, y] = [a.split(".").map(Number), b.split(".").map(Number)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) < (y[i] ?? 0) ? -1 : 1;
  return 0;
}

export const workflowKinds = {
  "workflow.triggers": defineKind({
    params: z.object({ file: FileParam, events: z.array(z.string().min(1)).min(1) }),
    needsCluster: false,
    async run(p, ctx) {
      const { on } = requireWorkflow(ctx, p.file);
      const events = typeof on === "string" ? [on] : Array.isArray(on) ? on.map(String) : isMapping(on) ? Object.keys(on) : [];
      const missing = p.events.filter((e) => !events.includes(e));
      if (missing.length) {
        return fail(`The workflow runs on ${events.length ? events.map((e) => `\`${e}\``).join(", ") : "no event"}, not on ${missing.map((e) => `\`${e}\``).join(" or ")}.`);
      }
      return pass(`The workflow runs on ${p.events.map((e) => `\`${e}\``).join(" and ")}.`);
    },
  }),

  "workflow.readOnlyToken": defineKind({
    params: z.object({ file: FileParam }),
    needsCluster: false,
    async run(p, ctx) {
      const workflow = requireWorkflow(ctx, p.file);
      const top = workflow.permissions;
      if (top === undefined) return fail("There is no top-level `permissions`, so every job gets the repository's default token, often with write access to code, issues and packages.");
      if (!isMapping(top)) return fail(`The top-level \`permissions\` is ${JSON.stringify(top)}; write it as a mapping: \`permissions: {contents: read}\`.`);
      if (top.contents !== "read") return fail("The top-level `permissions` must give `contents: read`.");
      const writes = Object.entries(top).filter(([, v]) => v === "write").map(([k]) => k);
      if (writes.length) return fail(`The top-level \`permissions\` grants write access (${writes.join(", ")}) to every job; move it to the one job that needs it.`);
      const broad = jobsOf(workflow).filter(([, job]) => job.permissions === "write-all").map(([id]) => id);
      if (broad.length) return fail(`Job ${jobList(broad)} asks for \`write-all\`; list only the scopes it needs (for pushing an image: \`packages: write\`).`);
      return pass("The token is read-only by default; jobs ask for more only where needed.");
    },
  }),

  "workflow.actionsPinned": defineKind({
    params: z.object({ file: FileParam }),
    needsCluster: false,
    async run(p, ctx) {
      const problems: string[] = [];
      let count = 0;
      for (const [id, job] of jobsOf(requireWorkflow(ctx, p.file))) {
        for (const ref of [job.uses, ...stepsOf(job).map((s) => s.uses)].filter((u): u is string => typeof u === "string")) {
          count++;
          if (ref.startsWith("./")) continue; // an action in this repository, versioned with it
          if (ref.startsWith("docker://")) {
            if (!DIGEST_PIN.test(ref)) problems.push(`job \`${id}\`: \`${ref}\` is not pinned by digest`);
          } else if (!SHA_PIN.test(ref)) problems.push(`job \`${id}\`: \`${ref}\` is pinned to ${ref.includes("@") ? "a tag or branch, which can be moved" : "nothing"}`);
        }
      }
      if (count === 0) return fail("The workflow uses no actions at all; check out the code with `actions/checkout` and set up your tools with their setup action.");
      return problems.length
        ? fail(`${problems.length} action reference(s) can change under you: ${problems[0]}.`, problems)
        : pass(`All ${count} action references are pinned to a commit SHA.`);
    },
  }),

  "workflow.setupPinned": defineKind({
    params: z.object({
      file: FileParam,
      /** The setup action, e.g. `actions/setup-python`. */
      action: z.string().min(1),
      /** Its version input, e.g. `python-version`. */
      input: z.string().min(1),
      /** The oldest version the project supports, e.g. "3.11". */
      min: z.string().refine((v) => VERSION.test(v), "is not a version such as \"3.11\"").optional(),
      /** What the learner calls the tool, e.g. "Python". */
      tool: z.string().min(1).default("The tool"),
    }),
    needsCluster: false,
    async run(p, ctx) {
      const problems: string[] = [];
      const versions: string[] = [];
      const short = p.action.split("/").at(-1);
      for (const [id, job] of jobsOf(requireWorkflow(ctx, p.file))) {
        for (const step of stepsOf(job).filter((s) => usesAction(s, p.action))) {
          const given = step.with?.[p.input];
          const matrixKey = typeof given === "string" ? MATRIX_REF.exec(given.trim())?.[1] : undefined;
          const listed = matrixKey ? job.strategy?.matrix?.[matrixKey] : undefined;
          for (const v of matrixKey ? (Array.isArray(listed) ? (listed as unknown[]) : [undefined]) : [given]) {
            if (v === undefined) problems.push(`job \`${id}\`: ${matrixKey ? `\`matrix.${matrixKey}\` is not a list of versions` : `\`${short}\` has no \`${p.input}\`, so it uses whatever the runner image has`}`);
            else if (typeof v === "number") problems.push(`job \`${id}\`: \`${p.input}\` is the number ${v}; YAML reads unquoted versions as numbers (\`3.10\` becomes 3.1), so quote it: \`"3.12"\``);
            else if (typeof v !== "string" || !VERSION.test(v.trim())) problems.push(`job \`${id}\`: \`${String(v)}\` is not a specific version such as "3.12"`);
            else if (p.min && compareVersions(v.trim(), p.min) < 0) problems.push(`job \`${id}\`: ${p.tool} ${v} is older than the project supports (${p.min})`);
            else versions.push(v.trim());
          }
        }
      }
      if (problems.length) return fail(`${p.tool} is not pinned: ${problems[0]}.`, problems);
      if (versions.length === 0) return fail(`No job sets up ${p.tool} with \`${p.action}\`; the runner's own ${p.tool} changes with the runner image.`);
      return pass(`${p.tool} is pinned (${[...new Set(versions)].join(", ")}).`);
    },
  }),

  "workflow.timeouts": defineKind({
    params: z.object({ file: FileParam, maxMinutes: z.number().int().min(1).max(360) }),
    needsCluster: false,
    async run(p, ctx) {
      const problems = jobsOf(requireWorkflow(ctx, p.file)).flatMap(([id, job]) => {
        if (typeof job.uses === "string") return []; // a reusable workflow sets its own
        const t = job["timeout-minutes"];
        if (t === undefined) return [`job \`${id}\` has no \`timeout-minutes\` (the default is 6 hours)`];
        if (typeof t !== "number" || t < 1 || t > p.maxMinutes) return [`job \`${id}\` has \`timeout-minutes: ${JSON.stringify(t)}\`; use a number from 1 to ${p.maxMinutes}`];
        return [];
      });
      return problems.length ? fail(`${problems[0]}.`, problems) : pass(`Every job stops after at most ${p.maxMinutes} minutes.`);
    },
  }),
};
