// Lab pages while the local control plane is being built: they say what is being built, for how
// long, and how long a cold build takes, never "not running". And who sees what when it is not
// there: an admin gets the paths, log lines and how to fix it; a learner words and a request id.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, expect, test, vi } from "vitest";
import { type BuildStatus, writeBuildStatusFile } from "@/tools/local-cluster/build-status";
import { availabilityFor, buildAvailability, describeBuild, type ClusterAvailability } from "./availability";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const now = Date.parse("2026-12-02T03:00:00Z");
const building: BuildStatus = {
  state: "building",
  pid: process.pid,
  startedAt: new Date(now - 250_000).toISOString(),
  updatedAt: new Date(now - 2_000).toISOString(),
  phase: "compiling",
  component: "kube-apiserver",
  index: 3,
  total: 5,
  coldBuildSeconds: { modulesCached: 512, fresh: 761 },
};

function dataDirWith(status: BuildStatus): string {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "academy-availability-"));
  dirs.push(dataDir);
  writeBuildStatusFile(path.join(dataDir, "cluster", "build-status.json"), status);
  return dataDir;
}

test("a build in progress is 'starting', in words: component, elapsed time, cold-build estimate", () => {
  const availability = buildAvailability(dataDirWith(building), now);
  expect(availability).toEqual({
    state: "starting",
    detail:
      "Building the local Kubernetes control plane: compiling kube-apiserver (component 3 of 5), 4 min 10 s so far; " +
      "a cold build takes about 21–26 minutes on 2 cores, later starts take seconds.",
  });
});

test("downloading and waiting for another build are said as such", () => {
  expect(describeBuild({ ...building, phase: "downloading", component: "etcd", index: 1 }, now)).toMatch(
    /: downloading the Go modules for etcd \(component 1 of 5\), 4 min 10 s so far;/,
  );
  expect(describeBuild({ ...building, phase: "waiting", component: null, index: null, total: null, startedAt: new Date(now - 42_000).toISOString() }, now)).toMatch(
    /: waiting for another build of it on this machine to finish, 42 s so far;/,
  );
});

test("a failed build is unavailable with the reason and how to retry", () => {
  const availability = buildAvailability(dataDirWith({ ...building, state: "failed", error: "the build stopped with exit 1" }), now);
  expect(availability).toMatchObject({
    state: "unavailable",
    reason: "Building the local Kubernetes control plane failed: the build stopped with exit 1.",
    howToFix: [expect.stringMatching(/npm run cluster -- start/), expect.stringMatching(/KUBECONFIG/)],
  });
});

test("a build whose process died is not reported as running", () => {
  const stale = { ...building, updatedAt: new Date(now - 5 * 60_000).toISOString() };
  expect(buildAvailability(dataDirWith(stale), now)).toMatchObject({
    state: "unavailable",
    reason: expect.stringMatching(/stopped before it finished/),
  });
});

test("a finished build, or none, leaves the word to the cluster itself", () => {
  expect(buildAvailability(dataDirWith({ ...building, state: "done" }), now)).toBeNull();
  const empty = fs.mkdtempSync(path.join(os.tmpdir(), "academy-availability-"));
  dirs.push(empty);
  expect(buildAvailability(empty, now)).toBeNull();
});

test("the lab page's availability says building, not 'not running', while the local control plane builds", async () => {
  const dataDir = dataDirWith({ ...building, startedAt: new Date(Date.now() - 65_000).toISOString(), updatedAt: new Date().toISOString() });
  // A log that went quiet long ago, as during a long compile step: it alone would read "not running".
  fs.writeFileSync(path.join(dataDir, "cluster-start.log"), "cluster: control-plane binaries need building\n");
  fs.utimesSync(path.join(dataDir, "cluster-start.log"), new Date(Date.now() - 600_000), new Date(Date.now() - 600_000));
  vi.resetModules();
  vi.stubEnv("ACADEMY_DATA_DIR", dataDir);
  vi.stubEnv("KUBECONFIG", "");
  try {
    const { clusterAvailability } = await import("./availability");
    const availability = await clusterAvailability();
    expect(availability.state).toBe("starting");
    expect(availability).toMatchObject({ detail: expect.stringMatching(/^Building the local Kubernetes control plane: compiling kube-apiserver \(component 3 of 5\), 1 min \d+ s so far;/) });
  } finally {
    vi.unstubAllEnvs();
    vi.resetModules();
  }
});

const KUBECONFIG_DOWN: ClusterAvailability = {
  state: "unavailable",
  reason: "The cluster in KUBECONFIG (/srv/academy/secret/admin.kubeconfig, https://10.0.0.5:6443) does not answer: connect ECONNREFUSED 10.0.0.5:6443",
  howToFix: ["Check that the cluster is running and that KUBECONFIG points at the right file, then reload this page."],
};

function capturingLog() {
  const lines: Array<{ line: string; error: unknown }> = [];
  return { lines, log: (line: string, error: unknown) => lines.push({ line, error }) };
}

test("a learner sees that the lab environment is not available and a request id; the details go to the log under that id", () => {
  const { lines, log } = capturingLog();
  const view = availabilityFor(KUBECONFIG_DOWN, { role: "learner" }, log);
  if (view.state !== "unavailable") throw new Error(`expected unavailable, got ${view.state}`);
  expect(view.reason).toMatch(/^The lab environment is not available right now\. If it keeps happening, tell your instructor the request id [0-9a-f-]{36}\.$/);
  expect(view.howToFix).toEqual([]);
  expect(JSON.stringify(view)).not.toMatch(/kubeconfig|10\.0\.0\.5|ECONNREFUSED|\/srv\//i);
  const requestId = view.reason.match(/request id ([0-9a-f-]{36})/)![1]!;
  expect(lines).toHaveLength(1);
  expect(lines[0]!.line).toContain(`request ${requestId}:`);
  expect(lines[0]!.error).toEqual({ reason: KUBECONFIG_DOWN.reason, howToFix: KUBECONFIG_DOWN.howToFix });
});

test("an admin sees the details and how to fix them, and nothing is logged for it", () => {
  const { lines, log } = capturingLog();
  expect(availabilityFor(KUBECONFIG_DOWN, { role: "admin" }, log)).toEqual(KUBECONFIG_DOWN);
  expect(lines).toEqual([]);
});

test("a failed build's error and the start log's path reach only an admin", () => {
  const failed = buildAvailability(dataDirWith({ ...building, state: "failed", error: "go build in /home/ops/.cache/academy failed" }), now)!;
  expect(JSON.stringify(availabilityFor(failed, { role: "admin" }, () => {}))).toMatch(/\/home\/ops\/\.cache.*cluster-start\.log/);
  const learner = JSON.stringify(availabilityFor(failed, { role: "learner" }, () => {}));
  expect(learner).not.toMatch(/\/home\/|cluster-start\.log|npm run/);
  expect(learner).toContain("The lab environment is not available right now.");
});

test("starting: a build in progress is told to everyone as it is; the start log's line only to an admin", () => {
  const built = buildAvailability(dataDirWith(building), now)!;
  expect(availabilityFor(built, { role: "learner" })).toEqual({ state: "starting", detail: expect.stringMatching(/^Building the local Kubernetes control plane: compiling kube-apiserver/) });
  const fromLog: ClusterAvailability = { state: "starting", detail: "Starting the local Kubernetes control plane…", logLine: "cluster: etcd listening on /home/ops/.academy-data/etcd.sock" };
  expect(availabilityFor(fromLog, { role: "learner" })).toEqual({ state: "starting", detail: "Starting the local Kubernetes control plane…" });
  expect(availabilityFor(fromLog, { role: "admin" })).toEqual({
    state: "starting",
    detail: "Starting the local Kubernetes control plane… Its log says: cluster: etcd listening on /home/ops/.academy-data/etcd.sock",
  });
  expect(availabilityFor({ state: "ready", server: "https://10.0.0.5:6443" }, { role: "learner" })).toEqual({ state: "ready" });
});
