// lib/checks owns the check API: what a check receives and returns (this file), the kit for
// custom checks (kit.ts), the built-in check kinds (kinds/), the one way to apply a pattern to
// learner text (pattern.ts, RE2: linear time) and container failures in a learner's words
// (pod-problems.ts, which the lab page's Workloads panel shows too). It imports nothing from
// lib/labs, lib/grading or lib/sandbox: labs define checks with it, grading runs them.
//
// The one interface every check implements, built-in or custom. A check gets a context with the
// learner's files (as stored in the database) and, for labs with a sandbox, read-only views of
// the learner's namespace; it returns an outcome. Checks that later RUN learner code (HTTP into
// the learner's Service, tests in a pod) are new kinds with this same signature and get what they
// need as new, capability-shaped fields of the context.

export type CheckStatus = "pass" | "fail" | "error";

export type CheckOutcome = {
  status: CheckStatus;
  /** Shown to the learner: what was found and, on failure, what to change. */
  message: string;
  /** Extra lines for the learner (e.g. each ShellCheck finding with its line). */
  details?: string[];
};

export type KubeRef = { apiVersion: string; kind: string; name: string };

/** A Kubernetes object as the API returns it (loosely typed on purpose: learners write anything). */
export type AnyObject = {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; generation?: number; [k: string]: unknown };
  [key: string]: unknown;
};

/**
 * `fresh: true` asks the API server again; without it, reads are a snapshot taken once per attempt
 * (every check of the attempt sees the same object, and the API server is asked once).
 */
export type ReadOptions = { fresh?: boolean };

/** The learner's namespace as the grader's read-only identity sees it; nothing here can write. */
export type ReadOnlyCluster = {
  readonly namespace: string;
  get(ref: KubeRef, options?: ReadOptions): Promise<AnyObject | null>;
  list(apiVersion: string, kind: string, options?: { labelSelector?: string } & ReadOptions): Promise<AnyObject[]>;
};

/** One object's verdict from a server-side dry-run with the learner's own rights. */
export type DryRunResult = {
  document: number;
  line: number;
  kind: string;
  name: string;
  ok: boolean;
  message?: string;
  field?: string;
};

export type DryRunOutcome = { ok: true; results: DryRunResult[] } | { ok: false; problems: string[] };

/** An HTTP answer through the API server's proxy. */
export type HttpAnswer = {
  status: number;
  /** The body as text (at most 64 KiB). */
  text: string;
  /** The body parsed as JSON, when it is JSON; undefined otherwise. */
  json: unknown;
  /**
   * True when the API server answered itself instead of the learner's app: the Service has no
   * ready endpoint, the pod refused the connection, the port does not exist. `text` is its message.
   */
  fromApiServer: boolean;
};

/** Where an HTTP request goes: a Service port (by number or name) or a pod port. */
export type HttpTarget = { kind: "service" | "pod"; name: string; port: number | string };

export type HttpRequest = { method: "GET" | "POST" | "PUT" | "DELETE"; path: string; body?: string; contentType?: string; timeoutMs?: number };

export type ExecResult =
  | { ok: true; exitCode: number; stdout: string; stderr: string }
  /** The command could not be run at all (no such container, no such file, the pod went away). */
  | { ok: false; error: string; stdout: string; stderr: string };

/**
 * What behaviour checks may do in the learner's namespace, with the platform's own identity and
 * only there: HTTP through the API server's service and pod proxy, container logs, `exec` in a
 * running container, and short-lived grader pods, which the implementation labels, bounds
 * (activeDeadlineSeconds, no service account token) and which the kind deletes when it is done.
 */
export type LiveSandbox = {
  readonly namespace: string;
  http(target: HttpTarget, request: HttpRequest): Promise<HttpAnswer>;
  /** The container's log ('' when it has none yet), at most `tailLines` lines (default 200). */
  logs(pod: string, options?: { container?: string; tailLines?: number; previous?: boolean }): Promise<string>;
  exec(pod: string, container: string, command: string[], options: { timeoutMs: number; stdin?: string }): Promise<ExecResult>;
  /**
   * Creates a grader pod from `pod` (namespace, labels and bounds are set here). A refusal by the
   * API server (quota, Pod Security, an invalid field) is returned with its own message.
   */
  createPod(pod: AnyObject): Promise<{ ok: true; pod: AnyObject } | { ok: false; status: number; error: string }>;
  /** Deletes a grader pod at once; nothing when it is already gone. */
  deletePod(name: string): Promise<void>;
};

/** Building the learner's image of the lab (lib/builds), as checks see its outcome. */
export type ImageBuildVerdict =
  | { ok: true; image: string; digest: string; durationMs: number }
  /** The build failed (the learner's Dockerfile) or could not run (`platform`: not the learner's doing). */
  | { ok: false; error: string; details: string[]; line?: number; platform?: boolean };

/** Running the image the attempt built, for a moment: one HTTP answer and the main process's uid. */
export type ImageRunVerdict =
  | { ok: true; status: number; body: string; uid: number | null }
  | { ok: false; error: string; details: string[]; platform?: boolean };

export type CheckContext = {
  labId: string;
  /** Every file of the lab: the learner's saved text, or the starter for unsaved/read-only files. */
  files: Readonly<Record<string, string>>;
  /** The learner's sandbox namespace; null for labs without a sandbox. */
  namespace: string | null;
  cluster: ReadOnlyCluster | null;
  /** Server-side dry-run of manifest text AS THE LEARNER; nothing is persisted. */
  dryRunAsLearner: ((text: string) => Promise<DryRunOutcome>) | null;
  /** Behaviour in the learner's namespace (HTTP, logs, exec, grader pods); absent or null without a sandbox. */
  live?: LiveSandbox | null;
  /**
   * Builds the learner's image of the lab for real (labs with `build:` in lab.mdx), once per
   * attempt however many checks ask; absent or null for labs that build nothing.
   */
  buildImage?: (() => Promise<ImageBuildVerdict>) | null;
  /** Starts the image buildImage built and asks it `path` on `port`; absent or null without a build. */
  runBuiltImage?: ((request: { port: number; path: string }) => Promise<ImageRunVerdict>) | null;
  /** Aborted when the check's time is up; long-running checks should listen to it. */
  signal: AbortSignal;
};

export type CheckFunction = (ctx: CheckContext) => Promise<CheckOutcome>;

export function pass(message: string, details?: string[]): CheckOutcome {
  return details?.length ? { status: "pass", message, details } : { status: "pass", message };
}

export function fail(message: string, details?: string[]): CheckOutcome {
  return details?.length ? { status: "fail", message, details } : { status: "fail", message };
}

const STATUSES: readonly unknown[] = ["pass", "fail", "error"] satisfies CheckStatus[];

/**
 * Whether a value is a check outcome (for helpers that return "the thing, or the outcome to
 * report"). Kubernetes objects and parsed files never count, even when they have a `status`.
 */
export function isOutcome(value: unknown): value is CheckOutcome {
  if (!value || typeof value !== "object" || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return STATUSES.includes(v.status) && typeof v.message === "string" && Object.keys(v).every((k) => k === "status" || k === "message" || k === "details");
}
