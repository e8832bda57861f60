// Lab pages while the local control plane is being built: they say what is being built, for how
// long, and how long a cold build takes, never "not running".
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, expect, test, vi } from "vitest";
import { type BuildStatus, writeBuildStatusFile } from "@/tools/local-cluster/build-status";
import { buildAvailability, describeBuild } from "./availability";

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
      "a cold build takes about 9–13 minutes on 2 cores, later starts take seconds.",
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
