// Pod-template owners (Deployment, StatefulSet, Job, CronJob): where each keeps the pods it makes,
// so the k8s check kinds and custom checks judge containers the same way whatever the workload.
import type { V1Container, V1PodSpec, V1PodTemplateSpec } from "@kubernetes/client-node";
import { z } from "zod";
import type { AnyObject, KubeRef } from "./types";

export const WORKLOAD_API_VERSIONS = {
  Deployment: "apps/v1",
  StatefulSet: "apps/v1",
  Job: "batch/v1",
  CronJob: "batch/v1",
} as const;

export type WorkloadKind = keyof typeof WORKLOAD_API_VERSIONS;
export const WORKLOAD_KINDS = Object.keys(WORKLOAD_API_VERSIONS) as WorkloadKind[];

export const WorkloadRefSchema = z.object({
  kind: z.enum(WORKLOAD_KINDS as [WorkloadKind, ...WorkloadKind[]]),
  name: z.string().min(1).max(253),
});
export type WorkloadRef = z.output<typeof WorkloadRefSchema>;

export function workloadRef(workload: WorkloadRef): KubeRef & { kind: WorkloadKind } {
  return { apiVersion: WORKLOAD_API_VERSIONS[workload.kind], kind: workload.kind, name: workload.name };
}

/** `Job "churn-scoring"`: how messages name a workload. */
export function describeWorkload(workload: { kind: string; name: string }): string {
  return `${workload.kind} "${workload.name}"`;
}

/** The pod template of any pod-template owner; a CronJob's is `spec.jobTemplate.spec.template`. */
export function podTemplateOf(object: AnyObject): V1PodTemplateSpec | undefined {
  const spec = object.spec as { template?: V1PodTemplateSpec; jobTemplate?: { spec?: { template?: V1PodTemplateSpec } } } | undefined;
  return object.kind === "CronJob" ? spec?.jobTemplate?.spec?.template : spec?.template;
}

/** The pod spec of the template; empty when the object has none. */
export function podSpecOf(object: AnyObject): Partial<V1PodSpec> {
  return podTemplateOf(object)?.spec ?? {};
}

/** The template's containers (only the one named `only`, when given); init containers with `init`. */
export function containersOf(object: AnyObject, options: { only?: string; init?: boolean } = {}): V1Container[] {
  const spec = podSpecOf(object);
  const all = [...(options.init ? (spec.initContainers ?? []) : []), ...(spec.containers ?? [])];
  return options.only ? all.filter((c) => c.name === options.only) : all;
}

/** How many pods the workload runs at once: replicas, or a Job's parallelism. */
export function podsAtOnce(object: AnyObject): number {
  const spec = object.spec as { replicas?: number; parallelism?: number; jobTemplate?: { spec?: { parallelism?: number } } } | undefined;
  if (object.kind === "Job") return spec?.parallelism ?? 1;
  if (object.kind === "CronJob") return spec?.jobTemplate?.spec?.parallelism ?? 1;
  return spec?.replicas ?? 1;
}

/** Pods that exist now, from the workload's status (cheaper for the API server than listing pods). */
export function podsRunning(object: AnyObject): number {
  const status = object.status as { replicas?: number; active?: number | unknown[] } | undefined;
  if (object.kind === "Job") return typeof status?.active === "number" ? status.active : 0;
  if (object.kind === "CronJob") return Array.isArray(status?.active) ? status.active.length : 0;
  return status?.replicas ?? 0;
}
