// lib/labs owns the lab format: definitions in labs/<id>/, their validation (content:check),
// loading (getLab/listLabs) and the learner's stored files. This file is what a lab's
// checks.ts imports: `defineChecks([...])`, typed per kind so params are checked by tsc too.
import type { z } from "zod";
import { withKit } from "@/lib/checks/failure";
import type { CHECK_KINDS, BuiltinKindName } from "@/lib/checks/kinds";
import type { CheckFunction } from "@/lib/checks/types";

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
