// The build runner with injected build commands (no Go involved): progress lines become the
// build status file that lab pages read, and a failing build is recorded as failed.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import { buildLocalCluster } from "./build";
import { buildInProgress, type BuildStatus, readBuildStatus } from "./build-status";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "academy-build-test-"));
  dirs.push(d);
  return d;
}

test("records which component is being built while the build runs, then done", async () => {
  const dataDir = tempDir();
  const gate = path.join(dataDir, "go-on");
  const seen: BuildStatus[] = [];
  const lines: string[] = [];
  const script = [
    "echo 'build: [1/5] etcd v3.7.3: compiling go.etcd.io/etcd/server/v3 ...'",
    "echo 'build: [3/5] kube-apiserver v1.37.2: compiling k8s.io/kubernetes/cmd/kube-apiserver ...'",
    // Wait until the test has looked at the status file.
    `while [ ! -e '${gate}' ]; do sleep 0.05; done`,
    "echo 'build: all 5 binaries built in 1s:'",
  ].join("\n");
  const build = buildLocalCluster({ dataDir, binDir: path.join(dataDir, "bin"), buildCommand: ["bash", "-c", script], log: (l) => lines.push(l) });
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const status = readBuildStatus(dataDir);
    if (status?.component === "kube-apiserver") {
      seen.push(status);
      break;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  fs.writeFileSync(gate, "");
  await build;

  expect(seen[0]).toMatchObject({ state: "building", phase: "compiling", component: "kube-apiserver", index: 3, total: 5, pid: process.pid });
  expect(buildInProgress(seen[0]!)).toBe(true);
  expect(seen[0]!.coldBuildSeconds.modulesCached).toBeGreaterThan(60);
  const done = readBuildStatus(dataDir);
  expect(done?.state).toBe("done");
  expect(buildInProgress(done)).toBe(false);
  expect(lines).toContain("build: all 5 binaries built in 1s:");
});

test("a failing build is recorded as failed and rejects", async () => {
  const dataDir = tempDir();
  await expect(
    buildLocalCluster({ dataDir, binDir: path.join(dataDir, "bin"), buildCommand: ["bash", "-c", "echo 'go: no space left'; exit 3"], log: () => {} }),
  ).rejects.toThrow(/failed \(exit 3\)/);
  const status = readBuildStatus(dataDir);
  expect(status).toMatchObject({ state: "failed", error: expect.stringMatching(/exit 3/) });
  expect(buildInProgress(status)).toBe(false);
});

test("a 'building' file whose process is gone or that stopped being rewritten is not a build in progress", () => {
  const now = Date.now();
  const base: BuildStatus = {
    state: "building",
    pid: process.pid,
    startedAt: new Date(now - 120_000).toISOString(),
    updatedAt: new Date(now - 1_000).toISOString(),
    phase: "compiling",
    component: "kwok",
    index: 2,
    total: 5,
    coldBuildSeconds: { modulesCached: 512, fresh: 761 },
  };
  expect(buildInProgress(base, now)).toBe(true);
  expect(buildInProgress({ ...base, updatedAt: new Date(now - 120_000).toISOString() }, now)).toBe(false);
  expect(buildInProgress({ ...base, pid: 2 ** 22 + 12345 }, now)).toBe(false);
});
