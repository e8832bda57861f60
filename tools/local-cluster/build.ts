// Running the build of the control-plane binaries (build.sh, or an injected command) and
// recording its progress in the build status file as it goes, while passing its output on.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { type BuildStatus, COLD_BUILD_SECONDS, HEARTBEAT_MS, parseBuildLine, writeBuildStatusFile } from "./build-status";
import { LocalClusterError } from "./errors";
import { type Layout, layout } from "./layout";
import { childEnvironment, type LocalClusterOptions } from "./options";

const STAMP = ".academy-build-stamp";

/** Whether binDir holds every binary, the kwok Stages, and a stamp for the pinned versions. */
/** What build.sh puts in binDir (its BINARIES list). */
export const BUILT_BINARIES = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok", "kubelet", "kube-proxy", "coredns", "kube-router"] as const;

export function binariesReady(l: Layout): { ok: boolean; why: string } {
  for (const c of BUILT_BINARIES) {
    if (!fs.existsSync(path.join(l.binDir, c))) return { ok: false, why: `${c} is missing in ${l.binDir}` };
  }
  if (!fs.existsSync(path.join(l.binDir, "kwok-stages.yaml"))) return { ok: false, why: "kwok-stages.yaml is missing" };
  let stamp = "";
  try {
    stamp = fs.readFileSync(path.join(l.binDir, STAMP), "utf8");
  } catch {
    return { ok: false, why: `no build stamp in ${l.binDir} (interrupted build?)` };
  }
  const v = l.versions;
  for (const want of [`kubernetes ${v.kubernetes}`, `etcd ${v.etcd}`, `kwok ${v.kwok}`, `coredns ${v.coredns}`, `kube-router ${v.kubeRouter}`]) {
    if (!stamp.split("\n").includes(want)) return { ok: false, why: `binaries were built for other versions (want ${want})` };
  }
  return { ok: true, why: "" };
}

/**
 * Runs the build command; each output line goes to l.log, and progress lines update the build
 * status file (rewritten every HEARTBEAT_MS too, so a reader can tell a live build from a dead one).
 */
export async function runBuild(l: Layout): Promise<void> {
  const startedAt = new Date().toISOString();
  let status: BuildStatus = {
    state: "building",
    pid: process.pid,
    startedAt,
    updatedAt: startedAt,
    phase: "preparing",
    component: null,
    index: null,
    total: null,
    coldBuildSeconds: { ...COLD_BUILD_SECONDS },
  };
  const write = (change: Partial<BuildStatus>) => {
    status = { ...status, ...change, updatedAt: new Date().toISOString() };
    writeBuildStatusFile(l.buildStatusFile, status);
  };
  write({});
  const heartbeat = setInterval(() => write({}), HEARTBEAT_MS);
  heartbeat.unref();

  const [cmd = "bash", ...args] = l.buildCommand;
  const result = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>((resolve) => {
    const child = spawn(cmd, args, {
      stdio: ["ignore", "pipe", "pipe"],
      env: childEnvironment({ ACADEMY_CACHE_DIR: l.cacheDir }),
      cwd: l.repoRoot,
    });
    const lines = (stream: NodeJS.ReadableStream) => {
      let rest = "";
      stream.setEncoding("utf8");
      stream.on("data", (chunk: string) => {
        const parts = (rest + chunk).split("\n");
        rest = parts.pop() ?? "";
        for (const line of parts) onLine(line);
      });
      stream.on("end", () => {
        if (rest) onLine(rest);
      });
    };
    const onLine = (line: string) => {
      l.log(line);
      const progress = parseBuildLine(line);
      if (progress) write(progress);
    };
    if (child.stdout) lines(child.stdout);
    if (child.stderr) lines(child.stderr);
    child.on("error", (error) => resolve({ code: null, signal: null, error }));
    child.on("close", (code, signal) => resolve({ code, signal }));
  });
  clearInterval(heartbeat);

  const finishedAt = new Date().toISOString();
  if (result.error || result.code !== 0) {
    const why = result.error ? result.error.message : `exit ${result.code ?? result.signal}`;
    write({ state: "failed", finishedAt, error: `the build stopped with ${why}; its output says why` });
    throw new LocalClusterError(`the build (${l.buildCommand.join(" ")}) failed (${why}); its output is above`);
  }
  write({ state: "done", finishedAt });
}

/** Builds (or refreshes) the binaries; a no-op for build.sh when they are up to date. */
export async function buildLocalCluster(opts: LocalClusterOptions = {}): Promise<void> {
  const l = layout(opts);
  fs.mkdirSync(l.clusterDir, { recursive: true });
  await runBuild(l);
}
