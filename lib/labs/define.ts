// lib/labs owns the lab format: definitions in labs/<id>/, their validation (content:check),
// loading (getLab/listLabs) and the learner's stored files. This file is what a lab's
// checks.ts imports: `defineChecks([...])`, typed per kind so params are checked by tsc too.
import type { z } from "zod";
import { withKit } from "@/lib/checks/failure";
import type { CHECK_KINDS, BuiltinKindName } from "@/lib/checks/kinds";
import type { CheckFunction } from "@/lib/checks/types";

/**
 * A check that waits: while it fails, the grader runs it again (every 2 s, reading the sandbox
 * afresh) until it passes or `seconds` have passed, and the page shows "Waiting for <what>
 * (12 s of 60 s)". For conditions that come true on their own a little after Apply: a rollout, a
 * Job finishing. Only for checks that read the sandbox (files do not change while it waits).
 */
export type CheckWait = {
  /** 1 to 55 (MAX_WAIT_SECONDS); the check's time limit must leave 5 s (WAIT_MARGIN_MS) beyond it. */
  seconds: number;
  /** What the learner is told it waits for, after "Waiting for": "the rollout of model-server". */
  what: string;
};

type Common = {
  /** kebab-case, unique in the lab, stable (stored attempts refer to it). */
  id: string;
  title: string;
  /** 1–100. */
  points: number;
  /** Shown to the learner after this check fails. */
  hints: string[];
  /** Default 10 s, at most 60 s. */
  timeoutMs?: number;
  /** Run again while it fails, up to a bound, instead of failing at once (see CheckWait). */
  waitFor?: CheckWait;
};

export type BuiltinCheckDefinition = {
  [K in BuiltinKindName]: Common & { kind: K; params: z.input<(typeof CHECK_KINDS)[K]["params"]> };
}[BuiltinKindName];

export type CustomCheckDefinition = Common & {
  kind: "custom";
  /** Whether the check reads the sandbox (ctx.cluster / ctx.dryRunAsLearner). */
  needsCluster?: boolean;
  run: CheckFunction;
};

export type CheckDefinition = BuiltinCheckDefinition | CustomCheckDefinition;

/**
 * Freezes the list so nothing at run time (least of all a check) can change a definition. A custom
 * check's run goes through the kit (lib/checks/kit.ts): `failWith`, `requireObject` and friends end
 * it with a fail outcome.
 */
export function defineChecks(checks: CheckDefinition[]): readonly CheckDefinition[] {
  return Object.freeze(
    checks.map((check) =>
      Object.freeze({ ...check, hints: Object.freeze([...check.hints]), ...(check.kind === "custom" && typeof check.run === "function" ? { run: withKit(check.run) } : {}) }) as CheckDefinition,
    ),
  );
}
