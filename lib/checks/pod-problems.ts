// Why a learner's pod is not doing what they meant, in sentences they can act on: a container that
// keeps crashing (with its last log lines), runs out of memory, has an image that cannot be pulled,
// reads a ConfigMap or Secret that is not there, fails a probe, names a user its image lacks, or
// exits with a telling code; a pod no node can take; and pods a ReplicaSet or Job cannot create at
// all (quota, Pod Security, limit range). The lab page's workloads panel and the behaviour checks
// both use these functions, so a learner reads the same words in both places.
//
// Input is the Kubernetes JSON as the API server sends it (core/v1 Pod and Event; any typed client
// model fits the loose shapes below). Every value in it is untrusted and is cleaned before it is
// quoted. Pure functions: no I/O, no clock except `now` where freshness matters.
import { IMAGES } from "@/tools/images/images";
import { cleanText } from "./cluster-text";

type Timestamp = string | Date;

export type ContainerSpecLike = {
  name?: string;
  image?: string;
  ports?: Array<{ name?: string; containerPort?: number }>;
  resources?: { limits?: Record<string, string | number>; requests?: Record<string, string | number> };
  readinessProbe?: ProbeLike;
  livenessProbe?: ProbeLike;
  startupProbe?: ProbeLike;
};

export type ProbeLike = {
  httpGet?: { path?: string; port?: string | number; scheme?: string };
  tcpSocket?: { port?: string | number };
  grpc?: { port?: number };
  exec?: { command?: string[] };
  timeoutSeconds?: number;
};

export type ContainerStateLike = {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt?: Timestamp };
  terminated?: { reason?: string; message?: string; exitCode?: number; signal?: number; finishedAt?: Timestamp };
};

export type ContainerStatusLike = {
  name?: string;
  image?: string;
  ready?: boolean;
  started?: boolean;
  restartCount?: number;
  state?: ContainerStateLike;
  lastState?: ContainerStateLike;
};

export type OwnerReferenceLike = { kind?: string; name?: string; controller?: boolean; uid?: string };

export type PodLike = {
  metadata?: { name?: string; namespace?: string; ownerReferences?: OwnerReferenceLike[]; creationTimestamp?: Timestamp; deletionTimestamp?: Timestamp };
  spec?: { nodeName?: string; containers?: ContainerSpecLike[]; initContainers?: ContainerSpecLike[] };
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    conditions?: Array<{ type?: string; status?: string; reason?: string; message?: string }>;
    containerStatuses?: ContainerStatusLike[];
    initContainerStatuses?: ContainerStatusLike[];
  };
};

/** A core/v1 Event (what `kubectl describe` lists). */
export type EventLike = {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  involvedObject?: { kind?: string; name?: string; fieldPath?: string };
  firstTimestamp?: Timestamp | null;
  lastTimestamp?: Timestamp | null;
  eventTime?: Timestamp | null;
  series?: { count?: number; lastObservedTime?: Timestamp };
  metadata?: { creationTimestamp?: Timestamp };
};

/** The last log lines of each container, by container name (the crashed instance's when it restarted). */
export type ContainerLogLines = Readonly<Record<string, readonly string[]>>;

export type ExplainOptions = {
  /** The images learners can run; by default the public names of the platform's image catalogue. */
  availableImages?: readonly string[];
};

/** The public names of the images in the local registry a learner may run (the pause image is the node's own), one per image. */
export const AVAILABLE_IMAGES: readonly string[] = IMAGES.filter((image) => image.name !== "pause").map((image) => shortImageName(image.publicRefs[0]!));

/** `docker.io/library/python:3.11-slim` is written `python:3.11-slim`. */
function shortImageName(ref: string): string {
  return ref.replace(/^docker\.io\/library\//, "").replace(/^docker\.io\//, "");
}

/** When an event was last seen (core/v1 events carry it in one of several fields). */
export function eventLastSeen(event: EventLike): Date | null {
  const value = event.lastTimestamp ?? event.series?.lastObservedTime ?? event.eventTime ?? event.firstTimestamp ?? event.metadata?.creationTimestamp;
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** How many times an event happened. */
export function eventCount(event: EventLike): number {
  const count = event.series?.count ?? event.count ?? 1;
  return Number.isFinite(count) && count > 0 ? Math.floor(count) : 1;
}

const newestFirst = (a: EventLike, b: EventLike) => (eventLastSeen(b)?.getTime() ?? 0) - (eventLastSeen(a)?.getTime() ?? 0);

const quote = (text: string) => `“${text}”`;
/** A message from the cluster used inside a sentence of ours, without its own final full stop. */
const clause = (text: string) => text.replace(/[\s.]+$/, "");
const times = (n: number) => (n === 1 ? "once" : `${n} times`);

/** What an exit code usually means, as a clause ("the command was not found"), or "" when it says nothing. */
export function exitCodeMeaning(exitCode: number, reason = ""): string {
  if (reason === "OOMKilled") return "it used more memory than its limit and was killed";
  switch (exitCode) {
    case 0:
      return "it finished successfully";
    case 1:
      return "the program reported an error; its log says which";
    case 2:
      return "usually a wrong argument or a shell syntax error";
    case 126:
      return "the command was found but could not be run (not executable, or its interpreter is missing)";
    case 127:
      return "the command was not found in the image (check command, args and the PATH)";
    case 128:
      return "the container could not be started";
    case 130:
      return "it was interrupted (SIGINT)";
    case 134:
      return "the program aborted (SIGABRT)";
    case 137:
      return "it was killed (SIGKILL): out of memory, or stopped by Kubernetes after failing its liveness probe or taking too long to stop";
    case 139:
      return "the program crashed with a segmentation fault (SIGSEGV)";
    case 143:
      return "it was asked to stop (SIGTERM)";
    default:
      return exitCode > 128 && exitCode < 160 ? `it was stopped by signal ${exitCode - 128}` : "";
  }
}

type ContainerFacts = {
  name: string;
  init: boolean;
  spec: ContainerSpecLike;
  status: ContainerStatusLike;
};

function containersOf(pod: PodLike): ContainerFacts[] {
  // Every container the spec names, plus any the status reports that the spec (as read) lacks.
  const facts = (specs: ContainerSpecLike[] = [], statuses: ContainerStatusLike[] = [], init: boolean) => [
    ...specs.map((spec) => ({ name: cleanText(spec.name, 63), init, spec, status: statuses.find((s) => s.name === spec.name) ?? {} })),
    ...statuses.filter((s) => !specs.some((spec) => spec.name === s.name)).map((status) => ({ name: cleanText(status.name, 63), init, spec: { name: status.name } as ContainerSpecLike, status })),
  ];
  return [...facts(pod.spec?.initContainers, pod.status?.initContainerStatuses, true), ...facts(pod.spec?.containers, pod.status?.containerStatuses, false)];
}

const containerLabel = (c: ContainerFacts) => `${c.init ? "Init container" : "Container"} ${quote(c.name)}`;

function lastLogLines(logs: ContainerLogLines | undefined, container: string, count = 3): string[] {
  return (logs?.[container] ?? [])
    .map((line) => cleanText(line, 200))
    .filter((line) => line !== "")
    .slice(-count);
}

function logSentence(logs: ContainerLogLines | undefined, container: string): string {
  const lines = lastLogLines(logs, container);
  if (lines.length === 0) return "";
  return ` Its last log ${lines.length === 1 ? "line was" : "lines were"}: ${lines.map(quote).join(" / ")}.`;
}

/**
 * The user (or group) the image runs as does not exist in it. containerd 1.6 says `no users found`
 * when it resolves the image's USER name against the image's /etc/passwd; runc says `unable to find
 * user appuser: no matching entries in passwd file` for a user it resolves itself.
 */
function missingUser(message: string): string | null {
  const match = /unable to find (user|group) ([^\s:]+)/i.exec(message);
  if (match) return `the ${match[1]!.toLowerCase()} ${quote(match[2]!)}`;
  if (/no groups found|no matching entries in group file/i.test(message)) return "a group";
  if (/no users found|no matching entries in passwd file/i.test(message)) return "a user";
  return null;
}

function missingUserSentence(c: ContainerFacts, message: string): string | null {
  const who = missingUser(message);
  if (!who) return null;
  return (
    `${containerLabel(c)} cannot start: its image runs as ${who} that does not exist in the image (the USER line of the Dockerfile names a user that was never created). ` +
    "Create it before the USER line (for example RUN useradd --uid 10001 --no-create-home app), or use a numeric id."
  );
}

/** The runtime's error without its wrapping and without paths on the node, which are no business of the learner. */
function runtimeMessage(message: string): string {
  return message
    .replace(/^(?:Error: )?(?:failed to create containerd (?:task|container): )?(?:failed to create shim task: )?(?:OCI runtime create failed: )?(?:runc create failed: )?(?:unable to start container process: )?/, "")
    .replace(/: unknown$/, "")
    .replace(/\/[^\s:"]*(?:containerd|kubelet|shared-cluster)[^\s:"]*/g, "…");
}

/** Sentences for a container that is waiting because it cannot be created or started. */
function waitingSentences(c: ContainerFacts, options: ExplainOptions, logs: ContainerLogLines | undefined, failsLiveness: boolean): string[] {
  const reason = cleanText(c.status.state?.waiting?.reason, 64);
  const message = cleanText(c.status.state?.waiting?.message, 500);
  const image = cleanText(c.spec.image || c.status.image, 200);
  switch (reason) {
    case "ErrImagePull":
    case "ImagePullBackOff":
    case "ErrImageNeverPull":
    case "InvalidImageName": {
      const available = (options.availableImages ?? AVAILABLE_IMAGES).join(", ");
      const why =
        reason === "InvalidImageName"
          ? "is not a valid image name"
          : /not found|manifest unknown|does not exist/i.test(message)
            ? "does not exist in the registry"
            : "cannot be pulled";
      return [
        `${containerLabel(c)} cannot start: its image ${quote(image)} ${why} (${reason}). ` +
          `Images come from the local registry; the available images are ${available}. Check the image name and tag.`,
      ];
    }
    case "CreateContainerConfigError":
      return [configErrorSentence(c, message)];
    case "CreateContainerError":
    case "RunContainerError":
    case "StartError":
      return [missingUserSentence(c, message) ?? startErrorSentence(c, reason, message)];
    case "CrashLoopBackOff":
      return [crashLoopSentence(c, logs, failsLiveness)];
    default:
      return [];
  }
}

function startErrorSentence(c: ContainerFacts, reason: string, message: string): string {
  const command = /exec: "([^"]+)": (executable file not found in \$PATH|no such file or directory|permission denied)/.exec(message);
  if (command) {
    const what = command[2] === "permission denied" ? "is not executable" : "is not in the image";
    return `${containerLabel(c)} cannot start: its command ${quote(command[1]!)} ${what}. Check command and args in the manifest, or the ENTRYPOINT and CMD of the image.`;
  }
  const said = runtimeMessage(message);
  return `${containerLabel(c)} cannot start (${reason})${said ? `: ${clause(said)}` : ""}.`;
}

/** CreateContainerConfigError: what the kubelet could not put together for the container. */
function configErrorSentence(c: ContainerFacts, message: string): string {
  const label = containerLabel(c);
  const missingObject = /^(configmap|secret) "([^"]+)" not found/i.exec(message);
  if (missingObject) {
    const kind = missingObject[1]!.toLowerCase() === "secret" ? "Secret" : "ConfigMap";
    return `${label} cannot be created: the ${kind} ${quote(missingObject[2]!)} it reads does not exist in your namespace. Create it, or fix the name in the manifest.`;
  }
  const missingKey = /couldn't find key (\S+) in (ConfigMap|Secret) [^/\s]+\/(\S+)/i.exec(message);
  if (missingKey) {
    return `${label} cannot be created: the ${missingKey[2]} ${quote(missingKey[3]!)} has no key ${quote(missingKey[1]!)}. Add the key, or fix the key name in the manifest.`;
  }
  const nonNumeric = /runAsNonRoot and image has non-numeric user \(([^)]+)\)/.exec(message);
  if (nonNumeric) {
    return (
      `${label} cannot be created: the image runs as the user ${quote(nonNumeric[1]!)}, a name, so Kubernetes cannot check that it is not root. ` +
      "Use a numeric USER in the Dockerfile (USER 10001), or set securityContext.runAsUser."
    );
  }
  if (/runAsNonRoot and image will run as root/.test(message)) {
    return (
      `${label} cannot be created: runAsNonRoot is set, but the image runs as root. ` +
      "Add a non-root USER to the Dockerfile, or set securityContext.runAsUser to a non-root id."
    );
  }
  return `${label} cannot be created: ${clause(message) || "its configuration is incomplete"} (CreateContainerConfigError).`;
}

function memoryLimit(c: ContainerFacts): string {
  return cleanText(c.spec.resources?.limits?.memory, 32);
}

function oomSentence(c: ContainerFacts): string {
  const limit = memoryLimit(c);
  return (
    `${containerLabel(c)} was killed because it used more memory than ${limit ? `its limit of ${limit}` : "it may use"} (OOMKilled, exit code 137). ` +
    "Raise resources.limits.memory (within your sandbox's quota) or make the program use less memory."
  );
}

/** A container in CrashLoopBackOff: how it last ended, what that means, and its last log lines. */
function crashLoopSentence(c: ContainerFacts, logs: ContainerLogLines | undefined, failsLiveness: boolean): string {
  const last = c.status.lastState?.terminated;
  const restarts = c.status.restartCount ?? 0;
  const label = `${containerLabel(c)} keeps crashing (CrashLoopBackOff, restarted ${times(restarts)})`;
  if (!last) return `${label}.${logSentence(logs, c.name)}`;
  const reason = cleanText(last.reason, 64);
  const message = cleanText(last.message, 500);
  if (reason === "OOMKilled") return `${oomSentence(c)} It has restarted ${times(restarts)}.`;
  const user = missingUserSentence(c, message);
  if (user) return user;
  if (reason === "StartError" || reason === "ContainerCannotRun") return `${startErrorSentence(c, reason, message)} It has been tried ${times(restarts + 1)}.`;
  // A container stopped for failing its liveness probe usually exits 0 or 143 on SIGTERM: the
  // probe is the cause, and probeSentences says so.
  if (failsLiveness) return `${label}: Kubernetes stops it because its liveness probe fails.${logSentence(logs, c.name)}`;
  const code = last.exitCode ?? 0;
  if (code === 0) {
    return (
      `${label}: it exits with code 0 each time, so it finished its work instead of running on. ` +
      "A Deployment's container must keep running (a server); for one-off work use a Job."
    );
  }
  const meaning = exitCodeMeaning(code, reason);
  return `${label}: it last exited with code ${code}${reason ? ` (${reason})` : ""}${meaning ? `: ${meaning}` : ""}.${logSentence(logs, c.name)}`;
}

/** A container that ended (Job pods, or restartPolicy Never) with a failure. */
function terminatedSentence(c: ContainerFacts, logs: ContainerLogLines | undefined): string[] {
  const done = c.status.state?.terminated;
  if (!done) return [];
  const reason = cleanText(done.reason, 64);
  const message = cleanText(done.message, 500);
  const code = done.exitCode ?? 0;
  if (reason === "OOMKilled") return [oomSentence(c)];
  if (code === 0) return [];
  const user = missingUserSentence(c, message);
  if (user) return [user];
  if (reason === "StartError" || reason === "ContainerCannotRun") return [startErrorSentence(c, reason, message)];
  const meaning = exitCodeMeaning(code, reason);
  return [`${containerLabel(c)} exited with code ${code}${reason ? ` (${reason})` : ""}${meaning ? `: ${meaning}` : ""}.${logSentence(logs, c.name)}`];
}

/** A running container that restarted: why its previous instance ended. */
function restartedSentence(c: ContainerFacts, logs: ContainerLogLines | undefined): string[] {
  const last = c.status.lastState?.terminated;
  if (!c.status.state?.running || !last || (c.status.restartCount ?? 0) === 0) return [];
  if (last.reason === "OOMKilled") return [oomSentence(c)];
  const code = last.exitCode ?? 0;
  if (code === 0) return [];
  const reason = cleanText(last.reason, 64);
  const meaning = exitCodeMeaning(code, reason);
  return [
    `${containerLabel(c)} is running again but has restarted ${times(c.status.restartCount ?? 0)}; it last exited with code ${code}${reason ? ` (${reason})` : ""}${meaning ? `: ${meaning}` : ""}.${logSentence(logs, c.name)}`,
  ];
}

type ProbeKind = "Readiness" | "Liveness" | "Startup";

/** Whether the kubelet has been restarting the container for failing its liveness (or startup) probe. */
function failsLiveness(c: ContainerFacts, events: readonly EventLike[]): boolean {
  return events.some(
    (e) =>
      (eventContainer(e) ?? c.name) === c.name &&
      ((e.reason === "Killing" && /failed (liveness|startup) probe/.test(e.message ?? "")) || (e.reason === "Unhealthy" && /^(Liveness|Startup) probe failed/.test(e.message ?? ""))),
  );
}

function probeOf(c: ContainerFacts, kind: ProbeKind): ProbeLike | undefined {
  return kind === "Readiness" ? c.spec.readinessProbe : kind === "Liveness" ? c.spec.livenessProbe : c.spec.startupProbe;
}

/** A probe's port as the learner wrote it, with the number a named port stands for: `http (8080)`. */
function portText(port: string | number | undefined, c: ContainerFacts): string {
  if (typeof port !== "string") return cleanText(port, 32);
  const number = c.spec.ports?.find((p) => p.name === port)?.containerPort;
  return number ? `${cleanText(port, 32)} (${number})` : cleanText(port, 32);
}

function probeTarget(probe: ProbeLike | undefined, c: ContainerFacts): string {
  if (!probe) return "";
  if (probe.httpGet) return `GET ${cleanText(probe.httpGet.path || "/", 200)} on port ${portText(probe.httpGet.port, c)}`;
  if (probe.tcpSocket) return `a connection to port ${portText(probe.tcpSocket.port, c)}`;
  if (probe.grpc) return `a gRPC health check on port ${cleanText(probe.grpc.port, 32)}`;
  if (probe.exec) return `the command ${quote(cleanText((probe.exec.command ?? []).join(" "), 200))}`;
  return "";
}

/** What the probe's failure message says, as a clause. */
function probeFailure(message: string, probe: ProbeLike | undefined): string {
  const status = /statuscode: (\d{3})/i.exec(message);
  if (status) {
    const code = status[1]!;
    const hint = code === "404" ? " (the app has no such path)" : code === "503" ? " (the app says it is not ready yet)" : "";
    return `it answered ${code}${hint}`;
  }
  if (/connection refused/i.test(message)) return "nothing listens on that port";
  if (/deadline exceeded|timeout|timed out/i.test(message)) return `no answer within ${probe?.timeoutSeconds ?? 1}s (timeoutSeconds)`;
  if (/no route to host|connection reset/i.test(message)) return "the container could not be reached";
  return message || "it failed";
}

/** The container an event about a container is about (`spec.containers{app}`). */
function eventContainer(event: EventLike): string | null {
  const match = /^spec\.(?:initContainers|containers)\{([^}]+)\}$/.exec(event.involvedObject?.fieldPath ?? "");
  return match ? match[1]! : null;
}

/** Failing probes, from the pod's Unhealthy events; only while they still matter (not ready, or restarted). */
function probeSentences(containers: ContainerFacts[], events: readonly EventLike[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const event of [...events].sort(newestFirst)) {
    if (event.reason !== "Unhealthy") continue;
    const message = cleanText(event.message, 500);
    const kind = /^(Readiness|Liveness|Startup) probe (?:failed|errored)/.exec(message)?.[1] as ProbeKind | undefined;
    if (!kind) continue;
    const name = eventContainer(event);
    const c = containers.find((x) => x.name === name) ?? (containers.length === 1 ? containers[0] : undefined);
    if (!c || seen.has(`${c.name}/${kind}`)) continue;
    const stillMatters = kind === "Readiness" ? c.status.ready !== true : c.status.ready !== true || (c.status.restartCount ?? 0) > 0;
    if (!stillMatters) continue;
    seen.add(`${c.name}/${kind}`);
    const probe = probeOf(c, kind);
    const target = probeTarget(probe, c);
    const detail = message.replace(/^(Readiness|Liveness|Startup) probe (?:failed|errored):\s*/, "");
    const what = `The ${kind.toLowerCase()} probe of ${containerLabel(c).replace(/^(Init c|C)ontainer/, (m) => m.toLowerCase())}`;
    const failed = `${what} fails (${target ? `${target}: ` : ""}${probeFailure(detail, probe)}; ${times(eventCount(event))})`;
    const consequence =
      kind === "Readiness"
        ? "Until it passes, the pod is not ready and its Service sends it no traffic."
        : kind === "Liveness"
          ? `Kubernetes restarts the container each time${(c.status.restartCount ?? 0) > 0 ? ` (restarted ${times(c.status.restartCount ?? 0)} so far)` : ""}.`
          : "The other probes wait until it passes, and the container is restarted when it keeps failing.";
    out.push(`${failed}. ${consequence} Check that the probe's path and port are ones the app answers on, and give it time to start (initialDelaySeconds).`);
  }
  return out;
}

/** A pod no node takes (from its PodScheduled condition, or its FailedScheduling events). */
function schedulingSentences(pod: PodLike, events: readonly EventLike[]): string[] {
  if (pod.status?.phase !== "Pending" || pod.spec?.nodeName) return [];
  const condition = pod.status?.conditions?.find((c) => c.type === "PodScheduled" && c.status === "False");
  const event = [...events].sort(newestFirst).find((e) => e.reason === "FailedScheduling");
  const message = cleanText(condition?.message || event?.message, 500);
  if (!condition && !event) return [];
  const hint = /insufficient (cpu|memory)/i.test(message)
    ? " Ask for less (resources.requests), or run fewer replicas."
    : /taint|node affinity|selector/i.test(message)
      ? " Remove nodeSelector, affinity or tolerations you added: the platform decides which node your pods run on."
      : "";
  return [`The pod cannot be placed on any node${message ? `: ${clause(message)}` : ""}.${hint}`];
}

/** A pod the kubelet gave up on (Evicted, DeadlineExceeded, …). */
function podFailureSentences(pod: PodLike): string[] {
  if (pod.status?.phase !== "Failed") return [];
  const reason = cleanText(pod.status.reason, 64);
  const message = cleanText(pod.status.message, 500);
  if (reason === "DeadlineExceeded") return [`The pod ran longer than its activeDeadlineSeconds and was stopped${message ? `: ${clause(message)}` : ""}. Allow more time, or make the work faster.`];
  if (reason === "Evicted") return [`The pod was evicted from its node${message ? `: ${clause(message)}` : ""}.`];
  return [];
}

const PSA_VIOLATION = /violates PodSecurity "([^":]+)(?::[^"]*)?": (.+)$/;

/** Why a controller could not create pods, from one of its FailedCreate events. */
function creationFailure(kind: string, name: string, message: string): string {
  const who = `${kind} ${quote(name)} cannot create its pods`;
  const quota = /exceeded quota: ([^,]+), requested: (.+?), used: (.+?), limited: (.+)$/.exec(message);
  if (quota) {
    return (
      `${who}: they would exceed your sandbox's quota ${quote(quota[1]!)} (asked for ${quota[2]}, already in use ${quota[3]}, allowed ${quota[4]}). ` +
      "Ask for less (resources or replicas), or delete workloads you no longer need."
    );
  }
  const mustSpecify = /failed quota: ([^:]+): must specify (.+)$/.exec(message);
  if (mustSpecify) return `${who}: your sandbox's quota ${quote(mustSpecify[1]!)} needs every container to set ${mustSpecify[2]}. Add them under resources.`;
  const psa = PSA_VIOLATION.exec(message);
  if (psa) {
    return (
      `${who}: your namespace enforces the ${quote(psa[1]!)} Pod Security standard and the pod template breaks it: ${clause(psa[2]!)}. ` +
      "Add those settings to the pod template's securityContext."
    );
  }
  const limit = /maximum (cpu|memory) usage per Container is (\S+), but limit is (\S+)/.exec(message);
  if (limit) return `${who}: a container asks for a ${limit[1]} limit of ${limit[3]}, but one container may use at most ${limit[2]}. Lower resources.limits.${limit[1]}.`;
  const refused = /is forbidden: (.+)$/.exec(message);
  return `${who}: ${clause(refused ? `the cluster refused them: ${refused[1]}` : message)}.`;
}

const CONTROLLER_KINDS = new Set(["ReplicaSet", "Job", "StatefulSet", "DaemonSet", "ReplicationController"]);

/**
 * Problems of the controllers among the events' objects (ReplicaSet, Job, …) that are current:
 * a FailedCreate newer than the controller's last SuccessfulCreate (quota, Pod Security, limit
 * range), and Jobs that gave up (deadline, backoff limit). One sentence per controller and kind.
 */
export function explainWorkloadProblems(events: readonly EventLike[]): string[] {
  const out: string[] = [];
  const decided = new Set<string>();
  for (const event of [...events].sort(newestFirst)) {
    const kind = cleanText(event.involvedObject?.kind, 64);
    const name = cleanText(event.involvedObject?.name, 253);
    if (!CONTROLLER_KINDS.has(kind)) continue;
    const key = `${kind}/${name}`;
    const message = cleanText(event.message, 800);
    if (event.reason === "SuccessfulCreate") decided.add(`${key}/create`);
    else if (event.reason === "FailedCreate" && !decided.has(`${key}/create`)) {
      decided.add(`${key}/create`);
      out.push(creationFailure(kind, name, message.replace(/^Error creating: /, "")));
    } else if (kind === "Job" && (event.reason === "DeadlineExceeded" || event.reason === "BackoffLimitExceeded") && !decided.has(`${key}/end`)) {
      decided.add(`${key}/end`);
      out.push(
        event.reason === "DeadlineExceeded"
          ? `Job ${quote(name)} ran longer than its activeDeadlineSeconds and was stopped. Allow more time, or make the work faster.`
          : `Job ${quote(name)} gave up: its pods failed as many times as its backoffLimit allows. The pods' exit codes and logs say why.`,
      );
    }
  }
  return out;
}

/**
 * Sentences a learner can act on for everything that is wrong with `pod`: per container (image
 * pulls, configuration, crashes with their last log lines, memory, start errors, exit codes,
 * failing probes), scheduling, and, for events of the pod's owners passed in `events`, why they
 * cannot create pods. `logs` holds each container's last log lines (the crashed instance's when it
 * restarted). An empty list means nothing is wrong that Kubernetes reports.
 */
export function explainPodProblems(pod: PodLike, events: readonly EventLike[] = [], logs?: ContainerLogLines, options: ExplainOptions = {}): string[] {
  const containers = containersOf(pod);
  const podName = pod.metadata?.name;
  const podEvents = events.filter((e) => !e.involvedObject?.kind || (e.involvedObject.kind === "Pod" && (!podName || e.involvedObject.name === podName)));
  const ownerEvents = events.filter((e) => e.involvedObject?.kind && e.involvedObject.kind !== "Pod");
  const sentences = [
    ...schedulingSentences(pod, podEvents),
    ...podFailureSentences(pod),
    ...containers.flatMap((c) => [
      ...waitingSentences(c, options, logs, failsLiveness(c, podEvents)),
      ...terminatedSentence(c, logs),
      ...restartedSentence(c, logs),
    ]),
    ...probeSentences(containers, podEvents),
    ...explainWorkloadProblems(ownerEvents),
  ];
  return [...new Set(sentences)];
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
