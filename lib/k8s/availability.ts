// Whether lab sandboxes can be had right now. Lab pages show this instead of failing when there is
// no cluster, and refresh themselves while it is "starting" (for example while the local control
// plane is being built). `clusterAvailability` says everything it knows, in words the person running
// Academy can act on: the KUBECONFIG path, what the cluster answered, lines of the start log, how to
// fix it. `availabilityFor` decides who sees that: an admin does; a learner gets words they can act
// on and a request id, and the details go to the server log under that id (review L7).
import "server-only";
import fs from "node:fs";
import path from "node:path";
import { hasRole } from "@/lib/auth/authorize";
import type { Role } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { reportServerError, type ServerErrorLog } from "@/lib/http/server-error";
import { type BuildStatus, buildInProgress, COLD_BUILD_SECONDS, readBuildStatus } from "@/tools/local-cluster/build-status";
import { adminClient } from "./client";

/** Everything known, for the server log and admins. `logLine`: the start log's last line (paths and all). */
export type ClusterAvailability =
  | { state: "ready"; server: string }
  | { state: "starting"; detail: string; logLine?: string }
  | { state: "unavailable"; reason: string; howToFix: string[]; forLearner?: string };

/** What the lab page shows (the JSON its client components get). */
export type AvailabilityView =
  | { state: "ready" }
  | { state: "starting"; detail: string }
  | { state: "unavailable"; reason: string; howToFix: string[] };

export const LAB_ENVIRONMENT_UNAVAILABLE = "The lab environment is not available right now.";
const STARTING = "Starting the local Kubernetes control plane…";

const CONNECT_ANY_CLUSTER =
  "Or connect any Kubernetes cluster (kind, k3d, a cloud cluster): set KUBECONFIG=/path/to/kubeconfig " +
  "for a user that may create namespaces, RBAC objects and quotas, then restart Academy.";

function lastLines(file: string, count: number): string[] {
  try {
    return fs.readFileSync(file, "utf8").trim().split("\n").slice(-count);
  } catch {
    return [];
  }
}

function startLogIsLive(logFile: string): boolean {
  try {
    return Date.now() - fs.statSync(logFile).mtimeMs < 90_000;
  } catch {
    return false;
  }
}

function duration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${seconds % 60} s`;
}

/** "about 15-20 minutes": the measured cold build, with and without module downloads. */
export function coldBuildTime(): string {
  const low = Math.round(COLD_BUILD_SECONDS.modulesCached / 60);
  const high = Math.round(COLD_BUILD_SECONDS.fresh / 60);
  return `about ${low}–${high} minutes on 2 cores`;
}

/** A running build in words: what it does now, for how long, and how long a cold build takes. */
export function describeBuild(status: BuildStatus, now = Date.now()): string {
  const position = status.index !== null && status.total !== null ? ` (component ${status.index} of ${status.total})` : "";
  const doing =
    status.phase === "compiling" && status.component
      ? `compiling ${status.component}${position}`
      : status.phase === "downloading" && status.component
        ? `downloading the Go modules for ${status.component}${position}`
        : status.phase === "waiting"
          ? "waiting for another build of it on this machine to finish"
          : "preparing the build";
  return (
    `Building the local Kubernetes control plane: ${doing}, ${duration(now - Date.parse(status.startedAt))} so far; ` +
    `a cold build takes ${coldBuildTime()}, later starts take seconds.`
  );
}

/**
 * What the build status file of the local control plane in `dataDir` says, when it says
 * something a lab page should show: a build going on, a failed build, or one that died.
 */
export function buildAvailability(dataDir: string, now = Date.now()): ClusterAvailability | null {
  const status = readBuildStatus(dataDir);
  if (!status || status.state === "done") return null;
  if (buildInProgress(status, now)) return { state: "starting", detail: describeBuild(status, now) };
  const startLog = path.join(dataDir, "cluster-start.log");
  const retry = `Start it again with \`npm run cluster -- start\` (it continues where the build stopped, and prints the build output; \`npm start\` writes it to ${startLog}).`;
  if (status.state === "failed") {
    return {
      state: "unavailable",
      reason: `Building the local Kubernetes control plane failed: ${status.error ?? "no details"}.`,
      howToFix: [retry, CONNECT_ANY_CLUSTER],
    };
  }
  return {
    state: "unavailable",
    reason: `A build of the local Kubernetes control plane stopped before it finished (started ${status.startedAt}; its process is gone).`,
    howToFix: [retry, CONNECT_ANY_CLUSTER],
  };
}

export const NO_REAL_NODE =
  "This lab runs your containers for real, and this installation has no node that runs containers right now. " +
  "You can read the lab and edit your files; building, deploying and the behaviour checks need that node.";

/** The label of nodes that really run containers (the local cluster's real node has it). */
export const REAL_NODE_SELECTOR = "academy.dev/node=real";

async function hasReadyRealNode(client: ReturnType<typeof adminClient>): Promise<boolean> {
  const list = (await client.request("GET", `/api/v1/nodes?labelSelector=${encodeURIComponent(REAL_NODE_SELECTOR)}`, { timeoutMs: 3000 })) as {
    items?: { status?: { conditions?: { type: string; status: string }[] } }[];
  };
  return (list.items ?? []).some((n) => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
}

/** `needsRealNode`: the lab's pods must really run (frontmatter `workloads: real`). */
export async function clusterAvailability(opts: { needsRealNode?: boolean } = {}): Promise<ClusterAvailability> {
  let server = "";
  try {
    const client = adminClient();
    server = client.server;
    await client.request("GET", "/readyz", { timeoutMs: 3000 });
    if (opts.needsRealNode && !(await hasReadyRealNode(client))) {
      return {
        state: "unavailable",
        reason: `The cluster (${server}) has no Ready node labelled ${REAL_NODE_SELECTOR}, so this lab's containers cannot run.`,
        howToFix: [
          "The local cluster runs one when it runs as root on Linux with cgroups: `npm run cluster -- status` shows it, and `npm run cluster -- start` says in words why it did not start (ACADEMY_CLUSTER_REAL_NODE=on makes that an error).",
          `On another cluster, label the nodes that may run learners' containers ${REAL_NODE_SELECTOR} and taint them academy.dev/node=real:NoSchedule; the API server needs the PodNodeSelector and PodTolerationRestriction admission plugins.`,
        ],
        forLearner: NO_REAL_NODE,
      };
    }
    return { state: "ready", server };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (env.KUBECONFIG) {
      return {
        state: "unavailable",
        reason: `The cluster in KUBECONFIG (${env.KUBECONFIG}${server ? `, ${server}` : ""}) does not answer: ${message}`,
        howToFix: ["Check that the cluster is running and that KUBECONFIG points at the right file, then reload this page."],
      };
    }
    const fromBuild = buildAvailability(env.ACADEMY_DATA_DIR);
    if (fromBuild) return fromBuild;
    const logFile = path.join(env.ACADEMY_DATA_DIR, "cluster-start.log");
    const log = lastLines(logFile, 3);
    if (startLogIsLive(logFile) && !log.some((line) => /error|failed/i.test(line))) {
      return { state: "starting", detail: STARTING, logLine: log.at(-1) };
    }
    return {
      state: "unavailable",
      reason:
        "No Kubernetes cluster is connected, and the local control plane is not running" +
        (log.length ? `. Its last start said: ${log.join(" ")}` : "."),
      howToFix: [
        `Start the local control plane with \`npm run cluster -- start\` (the first run builds it from Go modules and needs Go 1.26 or newer; ${coldBuildTime()}).`,
        CONNECT_ANY_CLUSTER,
      ],
    };
  }
}

/**
 * The availability as `viewer` may see it. An admin runs Academy and gets everything, with how to
 * fix it. Anyone else gets words and a request id (the details are logged under it); a build in
 * progress is said as it is (component, time so far, an estimate), which names nothing internal.
 */
export function availabilityFor(availability: ClusterAvailability, viewer: { role: Role }, log?: ServerErrorLog): AvailabilityView {
  if (availability.state === "ready") return { state: "ready" };
  const admin = hasRole(viewer, "admin");
  if (availability.state === "starting") {
    const { detail, logLine } = availability;
    return { state: "starting", detail: admin && logLine ? `${detail} Its log says: ${logLine}` : detail };
  }
  if (admin) return { state: "unavailable", reason: availability.reason, howToFix: availability.howToFix };
  const { reason, howToFix } = availability;
  const { error } = reportServerError(availability.forLearner ?? LAB_ENVIRONMENT_UNAVAILABLE, "lab page: the cluster is not available", { reason, howToFix }, { log });
  return { state: "unavailable", reason: error, howToFix: [] };
}
