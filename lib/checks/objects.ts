// Objects in the learner's namespace for checks: typed by kind, required with a message the
// learner can act on, and waited for without sleeping past the check's deadline.
import type { V1ConfigMap, V1CronJob, V1Deployment, V1Job, V1Pod, V1Secret, V1Service, V1StatefulSet } from "@kubernetes/client-node";
import { failWith } from "./failure";
import type { AnyObject, CheckContext, KubeRef, ReadOnlyCluster } from "./types";

/** The objects checks read most, typed by kind (client-node's models; learners may omit any field). */
export type KnownObjects = {
  ConfigMap: V1ConfigMap;
  CronJob: V1CronJob;
  Deployment: V1Deployment;
  Job: V1Job;
  Pod: V1Pod;
  Secret: V1Secret;
  Service: V1Service;
  StatefulSet: V1StatefulSet;
};

export type ObjectOf<K extends string> = (K extends keyof KnownObjects ? Omit<KnownObjects[K], "metadata"> : unknown) & AnyObject;

/** The sandbox view; a check that needs one but got none is a lab bug (needsCluster), not the learner's. */
export function clusterOf(ctx: CheckContext): ReadOnlyCluster {
  if (!ctx.cluster) throw new Error("This check needs the lab's sandbox, but the grader was given no cluster.");
  return ctx.cluster;
}

/** The object, or null when it does not exist. */
export async function findObject<const R extends KubeRef>(ctx: CheckContext, ref: R, options: { fresh?: boolean } = {}): Promise<ObjectOf<R["kind"]> | null> {
  return (await clusterOf(ctx).get(ref, options)) as ObjectOf<R["kind"]> | null;
}

/** The object; when it does not exist the check fails saying so, and what to do (`hint`, else "apply"). */
export async function requireObject<const R extends KubeRef>(ctx: CheckContext, ref: R, hint?: string): Promise<ObjectOf<R["kind"]>> {
  const found = await findObject(ctx, ref);
  if (found) return found;
  return failWith(`There is no ${ref.kind} "${ref.name}" in your namespace ${clusterOf(ctx).namespace}. ${hint ?? "Apply your manifests, then check again; if the API server refused them, the apply result says why."}`);
}

/**
 * Waits until `probe` returns a value (not null/undefined/false), asking again every `intervalMs`;
 * null when `timeoutMs` passes or the check's time is up (ctx.signal) first. Read with
 * `findObject(ctx, ref, { fresh: true })` in the probe: plain reads are a snapshot per attempt.
 */
export async function waitFor<T>(
  ctx: CheckContext,
  probe: () => Promise<T | null | undefined | false>,
  options: { timeoutMs: number; intervalMs?: number },
): Promise<T | null> {
  const deadline = Date.now() + options.timeoutMs;
  const interval = options.intervalMs ?? 1000;
  for (;;) {
    if (ctx.signal.aborted) return null;
    const value = await probe();
    if (value !== null && value !== undefined && value !== false) return value;
    const left = deadline - Date.now();
    if (left <= 0) return null;
    await pause(Math.min(interval, left), ctx.signal);
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
