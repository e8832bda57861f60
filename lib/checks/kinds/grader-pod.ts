// The grader pod that behaviour kinds run learner code in (script.runInPod, tests.mutationScore):
// one pod in the learner's sandbox, locked down to the restricted Pod Security level with a
// read-only root filesystem, small limits, a deadline and no service account token; it only
// sleeps until the kind runs commands in it with `exec`. `withGraderPod` creates it, waits until
// it runs, hands it to the kind and deletes it, always (the deadline covers a grader that died).
import { randomBytes } from "node:crypto";
import { explainPods, liveOf } from "../live";
import { findObject, waitFor } from "../objects";
import { fail, type CheckContext, type CheckOutcome, type LiveSandbox } from "../types";

export const WORK = "/work";

export type GraderPodOptions = {
  /** The `academy.dev/check` label and the name prefix: "script", "tests". */
  check: string;
  image: string;
  /** CPU and memory limit of the one container (requests stay small). */
  limits?: { cpu: string; memory: string };
  /** What the learner is told runs in it: "your script", "your tests". */
  what: string;
  /** How long to wait for the container to run (30 s; more for a large image's first pull). */
  startSeconds?: number;
};

type PodManifest = { apiVersion: string; kind: string; metadata: { name: string; labels: Record<string, string> }; spec: Record<string, unknown> };

/** The grader pod: restricted level, small, bounded in time; nothing but `sleep` until exec. */
export function graderPod(name: string, options: Pick<GraderPodOptions, "check" | "image" | "limits">): PodManifest {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels: { "academy.dev/check": options.check } },
    spec: {
      restartPolicy: "Never",
      terminationGracePeriodSeconds: 1,
      activeDeadlineSeconds: 150,
      securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, seccompProfile: { type: "RuntimeDefault" } },
      containers: [
        {
          name: "run",
          image: options.image,
          command: ["sleep", "150"],
          workingDir: WORK,
          env: [{ name: "HOME", value: WORK }],
          securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
          resources: { requests: { cpu: "100m", memory: "64Mi" }, limits: options.limits ?? { cpu: "500m", memory: "256Mi" } },
          volumeMounts: [
            { name: "work", mountPath: WORK },
            { name: "tmp", mountPath: "/tmp" },
          ],
        },
      ],
      volumes: [
        { name: "work", emptyDir: { sizeLimit: "64Mi" } },
        { name: "tmp", emptyDir: { sizeLimit: "64Mi" } },
      ],
    },
  };
}

/** A shell command that writes (path, base64) pairs given as arguments, making folders as needed. */
export const WRITE_FILES = 'set -e; while [ "$#" -gt 1 ]; do mkdir -p "$(dirname "$1")"; printf %s "$2" | base64 -d > "$1"; shift 2; done';

/** The arguments for WRITE_FILES: path, base64 text, path, … */
export function writeArgs(files: Record<string, string>): string[] {
  return Object.entries(files).flatMap(([path, text]) => [path, Buffer.from(text, "utf8").toString("base64")]);
}

/** Writes files into the pod (absolute paths), then runs `after` (a shell fragment) in the same exec; throws when it fails (not the learner's doing). */
export async function writeFiles(live: LiveSandbox, pod: string, files: Record<string, string>, after = "true", what = "copying files into the grader pod"): Promise<void> {
  const setup = await live.exec(pod, "run", ["sh", "-c", `${WRITE_FILES}; ${after}`, "_", ...writeArgs(files)], { timeoutMs: 15_000 });
  if (!setup.ok || setup.exitCode !== 0) throw new Error(`${what} failed: ${setup.ok ? setup.stderr : setup.error}`);
}

async function waitForPod(ctx: CheckContext, name: string, seconds: number): Promise<"running" | "gone" | null> {
  return waitFor(
    ctx,
    async () => {
      const pod = (await findObject(ctx, { apiVersion: "v1", kind: "Pod", name }, { fresh: true })) as { status?: { phase?: string; containerStatuses?: Array<{ state?: { running?: unknown } }> } } | null;
      if (!pod) return "gone" as const;
      if (pod.status?.containerStatuses?.some((s) => s.state?.running)) return "running" as const;
      return pod.status?.phase === "Failed" || pod.status?.phase === "Succeeded" ? ("gone" as const) : null;
    },
    { timeoutMs: seconds * 1000, intervalMs: 500 },
  );
}

/**
 * Creates a grader pod, waits until its container runs, calls `work` with its name and deletes it
 * whatever happens. A pod the API server refuses fails the check with its words; one that does
 * not start is a check error (the platform's problem, explained from the pod's state).
 */
export async function withGraderPod(ctx: CheckContext, options: GraderPodOptions, work: (live: LiveSandbox, pod: string) => Promise<CheckOutcome>): Promise<CheckOutcome> {
  const live = liveOf(ctx);
  const name = `${options.check}-check-${randomBytes(4).toString("hex")}`;
  const created = await live.createPod(graderPod(name, options));
  if (!created.ok) return fail(`The pod that runs ${options.what} could not be created: ${created.error}`);
  try {
    const state = await waitForPod(ctx, name, options.startSeconds ?? 30);
    if (state !== "running") {
      const pod = await findObject(ctx, { apiVersion: "v1", kind: "Pod", name }, { fresh: true });
      const why = pod ? await explainPods(ctx, [pod as never]) : [];
      return { status: "error", message: `The pod that runs ${options.what} did not start in time, so it could not be run. Check again in a minute; if it keeps happening, tell your instructor.`, ...(why.length ? { details: why } : {}) };
    }
    return await work(live, name);
  } finally {
    await live.deletePod(name);
  }
}
