// Helpers for behaviour checks: the live sandbox (HTTP, logs, exec, grader pods; types.ts), the
// pods a workload or Service selects, and a pod's problems explained from its own state and its
// last log lines (pod-problems.ts).
import type { V1LabelSelector, V1Pod } from "@kubernetes/client-node";
import { clusterOf } from "./objects";
import { type ContainerLogLines, type EventLike, explainPodProblems, lastLines } from "./pod-problems";
import type { AnyObject, CheckContext, LiveSandbox } from "./types";

export type Pod = V1Pod & AnyObject;

/** The live sandbox; a behaviour check without one is a lab bug (the lab has no sandbox), not the learner's. */
export function liveOf(ctx: CheckContext): LiveSandbox {
  if (!ctx.live) throw new Error("This check runs things in the lab's sandbox, but the grader was given no live sandbox.");
  return ctx.live;
}

/** `a=b,c=d` for a label selector's matchLabels; null when it has only expressions (or nothing). */
export function selectorText(selector: V1LabelSelector | Record<string, string> | undefined): string | null {
  const labels = selector && "matchLabels" in selector ? selector.matchLabels : selector && !("matchExpressions" in selector) ? (selector as Record<string, string>) : undefined;
  const pairs = Object.entries(labels ?? {}).map(([k, v]) => `${k}=${v}`);
  return pairs.length ? pairs.join(",") : null;
}

/** The pods of a Deployment/StatefulSet (its selector), a Job (its job-name label) or a Service (its selector), read fresh. */
export async function podsOf(ctx: CheckContext, owner: AnyObject): Promise<Pod[]> {
  const spec = owner.spec as { selector?: V1LabelSelector | Record<string, string> } | undefined;
  const selector = owner.kind === "Job" ? `batch.kubernetes.io/job-name=${owner.metadata.name}` : selectorText(spec?.selector);
  if (!selector) return [];
  const pods = (await clusterOf(ctx).list("v1", "Pod", { labelSelector: selector, fresh: true })) as Pod[];
  // Grader pods made by behaviour checks carry the workload's labels at most by accident; never judge them.
  return pods.filter((p) => !p.metadata.labels?.[GRADER_POD_LABEL] && !isWorkspacePod(p));
}

/** The label every grader pod carries (set by the live sandbox), so checks and the pods panel can tell them apart. */
export const GRADER_POD_LABEL = "academy.dev/grader-pod";

/** The sandbox's workspace pod (the learner's terminal; lib/sandbox/workspace-manifest.ts builds it). */
export const WORKSPACE_POD = "workspace";
/** Its one container, where the learner's shell (and script.inWorkspace) runs. */
export const WORKSPACE_CONTAINER = "shell";
export const WORKSPACE_COMPONENT_LABEL = "academy.dev/component";
export const WORKSPACE_COMPONENT = "workspace";

/**
 * The platform's workspace pod, by name and label together: a learner's Deployment may copy the
 * label but its pods never have that exact name, so no learner pod is hidden from the checks.
 */
export function isWorkspacePod(pod: { metadata?: { name?: string; labels?: Record<string, string> } }): boolean {
  return pod.metadata?.name === WORKSPACE_POD && pod.metadata.labels?.[WORKSPACE_COMPONENT_LABEL] === WORKSPACE_COMPONENT;
}

export function isReady(pod: Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
}

/** The namespace's events about pods, read fresh. */
export async function podEvents(ctx: CheckContext): Promise<EventLike[]> {
  const events = (await clusterOf(ctx).list("v1", "Event", { fresh: true })) as unknown as EventLike[];
  return events.filter((e) => e.involvedObject?.kind === "Pod");
}

/**
 * One line per problem of each pod (at most `max`), with the last log lines of a crashing
 * container; empty when every pod is running and Ready.
 */
export async function explainPods(ctx: CheckContext, pods: Pod[], max = 4): Promise<string[]> {
  if (pods.length === 0) return [];
  const events = await podEvents(ctx);
  const explained = await Promise.all(
    pods.map(async (pod) => {
      const logs: Record<string, string[]> = {};
      if (ctx.live) {
        // The crashed run's log when a container restarted or is waiting to restart, else its own.
        for (const status of pod.status?.containerStatuses ?? []) {
          const ranBefore = (status.restartCount ?? 0) > 0 || Boolean(status.lastState?.terminated);
          if (!ranBefore && !status.state?.terminated) continue;
          const previous = ranBefore && !status.state?.terminated;
          const log = await ctx.live.logs(pod.metadata.name, { container: status.name, previous, tailLines: 20 }).catch(() => "");
          if (log) logs[status.name] = lastLines(log, 3);
        }
      }
      return explainPodProblems(pod, events, logs as ContainerLogLines).map((text) => `Pod ${pod.metadata.name}: ${text}`);
    }),
  );
  return explained.flat().slice(0, max);
}
