// What is wrong with a pod, in words a learner can act on, read from the pod's own state: its
// container statuses (CrashLoopBackOff, OOMKilled, ImagePullBackOff, a config error such as an
// unknown user), its conditions (unschedulable) and its events (failing probes). Behaviour checks
// put these lines in their explanation. Narrow on purpose: the pods panel (wt-podspanel) is
// writing the platform's full version; the lead unifies the two at merge.
import type { V1ContainerStatus, V1Pod } from "@kubernetes/client-node";
import type { AnyObject } from "./types";

export type PodEvent = { reason?: string; message?: string; type?: string; involvedObject?: { kind?: string; name?: string; fieldPath?: string }; count?: number };

/** One problem of one pod; `logsOf` names the container whose last log lines explain it. */
export type PodProblem = { pod: string; container?: string; text: string; logsOf?: { container: string; previous: boolean } };

const PULL = new Set(["ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull"]);

function containerProblem(pod: string, status: V1ContainerStatus, limits: Record<string, string> | undefined): PodProblem | null {
  const name = `container "${status.name}"`;
  const waiting = status.state?.waiting;
  const last = status.lastState?.terminated;
  const terminated = status.state?.terminated;
  const restarts = status.restartCount ?? 0;
  const oom = [terminated, last].find((t) => t?.reason === "OOMKilled");
  if (oom) {
    const limit = limits?.memory ? ` of ${limits.memory}` : "";
    return { pod, container: status.name, text: `${name} was killed for using more memory than its limit${limit} (OOMKilled). Raise \`resources.limits.memory\`, or make it use less.` };
  }
  if (waiting?.reason && PULL.has(waiting.reason)) {
    return {
      pod,
      container: status.name,
      text: `${name} cannot start: its image "${status.image}" cannot be pulled (${waiting.reason}${waiting.message ? `: ${waiting.message}` : ""}). Check the image name and tag; this cluster has only the images the lab names.`,
    };
  }
  if (waiting?.reason === "CreateContainerConfigError" || waiting?.reason === "CreateContainerError" || waiting?.reason === "RunContainerError") {
    const message = waiting.message ?? "";
    const user = /unable to find user ([^:\s]+)|no matching entries in passwd file|runAsNonRoot and image will run as root|non-numeric user/i.exec(message);
    const advice = user
      ? " The user the container runs as must exist in the image (`useradd` in the Dockerfile) or be given as a number (`runAsUser: 10001`)."
      : /configmap|secret/i.test(message)
        ? " Apply the ConfigMap or Secret it reads, or fix the name."
        : "";
    return { pod, container: status.name, text: `${name} cannot be started (${waiting.reason}): ${message || "no message"}.${advice}` };
  }
  const ended = terminated ?? (waiting?.reason === "CrashLoopBackOff" ? last : undefined);
  if (ended && (ended.exitCode ?? 0) !== 0) {
    const again = waiting?.reason === "CrashLoopBackOff" ? `keeps crashing (restarted ${restarts} time(s))` : "stopped";
    return {
      pod,
      container: status.name,
      text: `${name} ${again} with exit code ${ended.exitCode}${ended.reason && ended.reason !== "Error" ? ` (${ended.reason})` : ""}.`,
      logsOf: { container: status.name, previous: !terminated },
    };
  }
  if (waiting?.reason === "CrashLoopBackOff") {
    return { pod, container: status.name, text: `${name} keeps exiting (restarted ${restarts} time(s)).`, logsOf: { container: status.name, previous: true } };
  }
  return null;
}

/** The problems a pod shows, most telling first; empty when it runs and is Ready. */
export function podProblems(pod: V1Pod & AnyObject, events: PodEvent[]): PodProblem[] {
  const name = pod.metadata.name;
  const out: PodProblem[] = [];
  const limits = new Map((pod.spec?.containers ?? []).map((c) => [c.name, c.resources?.limits as Record<string, string> | undefined]));
  for (const status of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
    const problem = containerProblem(name, status, limits.get(status.name));
    if (problem) out.push(problem);
  }
  const scheduled = (pod.status?.conditions ?? []).find((c) => c.type === "PodScheduled");
  if (scheduled?.status === "False") {
    const reason = schedulerReason(scheduled.message ?? scheduled.reason ?? "no reason given");
    // The sandbox's pods may only go to one node; "Insufficient" there means the node is full.
    const full = /Insufficient (cpu|memory)/.test(reason) ? " The node your sandbox runs on has no room for the pod's requests right now: lower `resources.requests`, or wait a minute and check again." : "";
    out.push({ pod: name, text: `the pod cannot be scheduled: ${sentence(reason)}${full}` });
  }
  const mine = events.filter((e) => e.involvedObject?.kind === "Pod" && e.involvedObject.name === name);
  // The kubelet records each failed probe as an "Unhealthy" event whose message is the probe's own result.
  const probes = new Map<string, string>();
  // A Ready pod's past readiness failures (while it started) are history, not its problem.
  const ready = (pod.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
  for (const e of mine) {
    if (e.reason !== "Unhealthy" || !e.message || (ready && /^Readiness probe/i.test(e.message))) continue;
    probes.set(e.message.split(":")[0]!, e.message);
  }
  for (const message of probes.values()) out.push({ pod: name, text: sentence(message) });
  if (out.length === 0) {
    const failed = mine.filter((e) => e.type === "Warning" && e.message).at(-1);
    if (failed) out.push({ pod: name, text: `${failed.reason}: ${failed.message}` });
  }
  return out;
}

/** The scheduler's reason without its preemption report ("preemption: 0/4 nodes are available: …"), which says nothing a learner can change. */
function schedulerReason(message: string): string {
  return message.split(/\s+preemption:/)[0]!.trim();
}

function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

/** The problem as one line, with the container's last log lines (when given) after it. */
export function problemText(problem: PodProblem, lastLogLines: string[] = []): string {
  const logs = lastLogLines.length ? ` Its last log lines: ${lastLogLines.map((l) => `“${l}”`).join(" ")}` : "";
  return `Pod ${problem.pod}: ${problem.text}${logs}`;
}

/** The last `n` non-empty lines of a log, each cut to 300 characters. */
export function lastLines(log: string, n = 5): string[] {
  return log
    .split("\n")
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== "")
    .slice(-n)
    .map((l) => (l.length > 300 ? `${l.slice(0, 300)}…` : l));
}
