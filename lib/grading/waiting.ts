// Checks that wait (`waitFor` on a check definition, docs/lab-format.md "Checks that wait"): while
// the check fails, it is run again on fresh reads of the sandbox until it passes or its bound has
// passed, and each failed run is reported as progress ("Waiting for the rollout of model-server,
// 12 s of 60 s") for the page, instead of a failure the learner answers by pressing Check again.
import { waitFor } from "@/lib/checks/objects";
import type { CheckContext, CheckOutcome, ReadOnlyCluster } from "@/lib/checks/types";
import type { CheckWait } from "@/lib/labs/define";

/** How often a waiting check is run again. */
export const WAIT_INTERVAL_MS = 2_000;

/** Progress of a waiting check, streamed to the page after each run that did not pass. */
export type CheckWaiting = {
  /** "the rollout of model-server": the definition's words. */
  what: string;
  /** Whole seconds since the check started. */
  elapsedSeconds: number;
  /** The bound. */
  seconds: number;
  /** What the last run found (its fail message). */
  message: string;
};

/** The same view of the namespace, every read asking the API server again (no attempt snapshot). */
export function freshReads(cluster: ReadOnlyCluster): ReadOnlyCluster {
  return {
    namespace: cluster.namespace,
    get: (ref, options) => cluster.get(ref, { ...options, fresh: true }),
    list: (apiVersion, kind, options) => cluster.list(apiVersion, kind, { ...options, fresh: true }),
  };
}

export type WaitOptions = {
  onWaiting?: (waiting: CheckWaiting) => void;
  intervalMs?: number;
};

/**
 * Runs `run` with `ctx`, then again with fresh reads while it fails, until it passes (or errors),
 * `wait.seconds` have passed or the check's signal is aborted (its time limit). A check that still
 * fails says, first in its details, how long it was waited for.
 */
export async function runWaiting(
  run: (ctx: CheckContext) => Promise<CheckOutcome>,
  ctx: CheckContext,
  wait: CheckWait,
  options: WaitOptions = {},
): Promise<CheckOutcome> {
  const started = performance.now();
  const boundMs = wait.seconds * 1000;
  const fresh: CheckContext = ctx.cluster ? { ...ctx, cluster: freshReads(ctx.cluster) } : ctx;
  let runs = 0;
  let last: CheckOutcome | null = null;
  const settled = await waitFor(
    ctx,
    async () => {
      const outcome = await run(runs++ === 0 ? ctx : fresh);
      last = outcome;
      if (outcome.status !== "fail") return outcome;
      const elapsed = performance.now() - started;
      if (elapsed < boundMs && !ctx.signal.aborted) {
        options.onWaiting?.({ what: wait.what, elapsedSeconds: Math.floor(elapsed / 1000), seconds: wait.seconds, message: outcome.message });
      }
      return null;
    },
    { timeoutMs: boundMs, intervalMs: options.intervalMs ?? WAIT_INTERVAL_MS },
  );
  if (settled) return settled;
  // waitFor ran the probe at least once unless the check was aborted before it started.
  const failed: CheckOutcome = last ?? { status: "fail", message: `The check's time ran out before it could look at ${wait.what}.` };
  if (runs <= 1) return failed;
  const waited = Math.round((performance.now() - started) / 1000);
  return { ...failed, details: [`Waited ${waited} s for ${wait.what}; it had not happened yet.`, ...(failed.details ?? [])] };
}
