// The progress file of a control-plane build, <dataDir>/cluster/build-status.json: written by
// build.ts while build.sh runs (which component, since when, how long a cold build takes) and
// read by lib/k8s/availability.ts, so lab pages say "building kube-apiserver, 4 min so far"
// instead of "not running". Also the measured cold-build figures quoted everywhere.
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";

// This module is also imported by the app (lib/k8s/availability.ts), so it depends on nothing
// else of the tooling; layout.ts takes these two paths from here.

/** The state directory of a cluster whose data directory is `dataDir`. */
export function clusterDirOf(dataDir: string): string {
  return path.resolve(dataDir, "cluster");
}

export function buildStatusFileOf(clusterDir: string): string {
  return path.join(clusterDir, "build-status.json");
}

/**
 * A cold build of the first eight binaries (control plane, kubelet, kube-proxy, CoreDNS) measured on the
 * 2-core development VM (Go 1.26.8, `nice -n 19` beside other work, 2026-12-02): 913 s with the Go
 * modules already downloaded. A fresh machine also downloads them: the control plane alone took
 * 249 s more that way (761 s against 512 s), so 1200 s is our estimate with CoreDNS's modules too.
 * kube-router (the ninth, decision 014) adds 351 s cold (its own empty GOCACHE, modules downloaded,
 * beside other work) and about 30 s of downloads. See docs/benchmarks.md.
 */
export const COLD_BUILD_SECONDS = { modulesCached: 913 + 351, fresh: 1200 + 380 } as const;

export const BuildStatusSchema = z.object({
  state: z.enum(["building", "done", "failed"]),
  /** The process running the build (the start or build command). */
  pid: z.number().int(),
  startedAt: z.iso.datetime(),
  /** Rewritten at least every HEARTBEAT_MS while building: an older file is a build that died. */
  updatedAt: z.iso.datetime(),
  /** What build.sh is doing: waiting for another build's lock, downloading modules, compiling. */
  phase: z.enum(["preparing", "waiting", "downloading", "compiling"]),
  component: z.string().nullable(),
  /** 1-based position of `component` among `total` components. */
  index: z.number().int().nullable(),
  total: z.number().int().nullable(),
  coldBuildSeconds: z.object({ modulesCached: z.number(), fresh: z.number() }),
  finishedAt: z.iso.datetime().optional(),
  error: z.string().optional(),
});

export type BuildStatus = z.infer<typeof BuildStatusSchema>;

export const HEARTBEAT_MS = 10_000;
/** A "building" file not rewritten for this long belongs to a build that is gone. */
export const STALE_AFTER_MS = 6 * HEARTBEAT_MS;

/** The build status of the cluster in data directory `dataDir`, or null (none, or unreadable). */
export function readBuildStatus(dataDir: string): BuildStatus | null {
  return readBuildStatusFile(buildStatusFileOf(clusterDirOf(dataDir)));
}

export function readBuildStatusFile(file: string): BuildStatus | null {
  try {
    const parsed = BuildStatusSchema.safeParse(JSON.parse(fs.readFileSync(file, "utf8")));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Written to a temporary file and renamed, so readers never see half a file. */
export function writeBuildStatusFile(file: string, status: BuildStatus): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(status, null, 2) + "\n");
  fs.renameSync(tmp, file);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** A build is going on: the file says so, was rewritten recently, and its process is alive. */
export function buildInProgress(status: BuildStatus | null, now = Date.now()): boolean {
  return (
    status?.state === "building" &&
    now - Date.parse(status.updatedAt) < STALE_AFTER_MS &&
    processAlive(status.pid)
  );
}

/** Progress lines of build.sh: `build: [3/5] kube-apiserver v1.37.2: compiling ...`, `build: waiting ...`. */
export function parseBuildLine(
  line: string,
): Pick<BuildStatus, "phase" | "component" | "index" | "total"> | null {
  const step = line.match(/^build: \[(\d+)\/(\d+)\] (\S+)(?: [^:]*)?: (downloading|compiling)\b/);
  if (step) {
    return {
      phase: step[4] as "downloading" | "compiling",
      component: step[3] ?? null,
      index: Number(step[1]),
      total: Number(step[2]),
    };
  }
  if (/^build: waiting\b/.test(line)) return { phase: "waiting", component: null, index: null, total: null };
  return null;
}
