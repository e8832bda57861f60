// Shared plumbing for check kinds: the kind shape and small helpers every kind uses.
import { z } from "zod";
import { withKit } from "../failure";
import { LabPathSchema } from "../file-paths";
import type { CheckContext, CheckOutcome } from "../types";
import { learnerPattern, patternProblem } from "../pattern";

export type KindSpec<S extends z.ZodType = z.ZodType> = {
  /** Parameters, validated by content:check and again before each run. */
  params: S;
  /** Whether the kind reads the learner's namespace (the lab must have a sandbox). */
  needsCluster: boolean;
  /** Whether it observes pods that really run (the lab must say `workloads: real`). */
  needsRealWorkloads?: boolean;
  /**
   * Runs in the grading process instead of the static-check worker, though it needs no sandbox:
   * it uses a platform capability of the context (an image build).
   */
  inProcess?: boolean;
  /** The kind's own time limit, when its work takes longer than a check's usual 60 s at most. */
  timeoutMs?: number;
  run(params: z.output<S>, ctx: CheckContext): Promise<CheckOutcome>;
};

/** A built-in kind; kit helpers may end its run with CheckFailed (see failure.ts). */
export function defineKind<S extends z.ZodType>(spec: KindSpec<S>): KindSpec<S> {
  return { ...spec, run: withKit(spec.run) };
}

/** A lab file path as written in params (the same rule as lab.mdx `files`). */
export const FileParam = LabPathSchema;

export function fileText(ctx: CheckContext, file: string): string | null {
  const text = ctx.files[file];
  return text === undefined || text.trim() === "" ? null : text;
}

export function missingFile(file: string): CheckOutcome {
  return { status: "fail", message: `\`${file}\` is empty. Write it in the editor, save, and check again.` };
}

/** Reads `a.b[0].c` (also `a["x.y"]`) from a value; undefined when any step is missing. */
export function getPath(value: unknown, path: string): unknown {
  const steps: Array<string | number> = [];
  const re = /([^.[\]]+)|\[(\d+)\]|\["([^"]+)"\]/g;
  for (const m of path.matchAll(re)) steps.push(m[2] !== undefined ? Number(m[2]) : (m[3] ?? m[1]!));
  let current: unknown = value;
  for (const step of steps) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string | number, unknown>)[step];
  }
  return current;
}

export const ValueRule = z
  .object({
    path: z.string().min(1),
    equals: z.union([z.string(), z.number(), z.boolean()]).optional(),
    matches: z.string().optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    present: z.boolean().optional(),
  })
  .refine(
    (r) => r.equals !== undefined || r.matches !== undefined || r.min !== undefined || r.max !== undefined || r.present !== undefined,
    "needs one of equals, matches, min, max or present",
  )
  .superRefine((r, issue) => {
    const problem = r.matches === undefined ? null : patternProblem(r.matches);
    if (problem) issue.addIssue({ code: "custom", path: ["matches"], message: `\`matches\` ${problem}` });
  });

export type ValueRuleT = z.output<typeof ValueRule>;

/** Judges one value against equals / matches / range / present; returns a reason when it does not hold. */
export function judgeValue(value: unknown, rule: ValueRuleT): string | null {
  const shown = value === undefined ? "not set" : JSON.stringify(value);
  if (rule.present === true && value === undefined) return `\`${rule.path}\` is not set`;
  if (rule.present === false && value !== undefined) return `\`${rule.path}\` should not be set (it is ${shown})`;
  if (rule.equals !== undefined && value !== rule.equals) {
    return `\`${rule.path}\` is ${shown}; expected ${JSON.stringify(rule.equals)}`;
  }
  if (rule.matches !== undefined && (typeof value !== "string" || !learnerPattern(rule.matches).test(value))) {
    return `\`${rule.path}\` is ${shown}; expected text matching /${rule.matches}/`;
  }
  if (rule.min !== undefined || rule.max !== undefined) {
    const n = typeof value === "number" ? value : typeof value === "string" && value.trim() !== "" ? Number(value) : NaN;
    if (Number.isNaN(n)) return `\`${rule.path}\` is ${shown}; expected a number`;
    if (rule.min !== undefined && n < rule.min) return `\`${rule.path}\` is ${n}; expected at least ${rule.min}`;
    if (rule.max !== undefined && n > rule.max) return `\`${rule.path}\` is ${n}; expected at most ${rule.max}`;
  }
  return null;
}

/** Line (1-based) of a character offset. */
export function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}
