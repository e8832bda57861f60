// A start whose build takes longer than the start deadline still succeeds: the deadline counts
// from the end of the build (a fresh machine's 13-minute build once failed `npm start` with
// "etcd did not become healthy in time"), and the build status file says "building" meanwhile.
// The injected build waits, then links the real binaries from the build cache into a bin
// directory of its own. This cluster gets its own data directory and ports the kernel picks
// among free ones, so it never meets the shared or the developer's cluster.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { freePorts } from "@/tests/support/waiting";
import { binariesReady } from "./build";
import { type BuildStatus, buildInProgress, readBuildStatus } from "./build-status";
import { localClusterStatus, startLocalCluster, stopLocalCluster } from "./cluster";
import { layout } from "./layout";
import { type ClusterPorts, clusterOptionsFromEnv, type LocalClusterOptions } from "./options";

const START_TIMEOUT_MS = 45_000;
const BUILD_SECONDS = 48; // longer than the start deadline


const root = fs.mkdtempSync(path.join(os.tmpdir(), "academy-slow-build-"));
let options: LocalClusterOptions | undefined;

afterAll(async () => {
  if (options) await stopLocalCluster(options);
  fs.rmSync(root, { recursive: true, force: true });
});

test("a build slower than the start deadline does not fail the start", { timeout: 170_000 }, async () => {
  const cached = layout(clusterOptionsFromEnv());
  const ready = binariesReady(cached);
  if (!ready.ok) throw new Error(`this test links the built binaries, which are not ready (${ready.why}): run \`npm run cluster -- start\` first`);

  const [apiserver, etcdClient, etcdPeer, controllerManager, scheduler, kwok] = (await freePorts(6)) as [number, number, number, number, number, number];
  const ports: ClusterPorts = { apiserver, etcdClient, etcdPeer, controllerManager, scheduler, kwok };
  const dataDir = path.join(root, "data");
  const binDir = path.join(root, "bin");
  const slowBuild = [
    "set -e",
    'echo "build: [3/5] kube-apiserver v1.37.2: compiling k8s.io/kubernetes/cmd/kube-apiserver ..."',
    `sleep ${BUILD_SECONDS}`,
    `mkdir -p '${binDir}'`,
    `ln -s '${cached.binDir}'/* '${cached.binDir}/.academy-build-stamp' '${binDir}/'`,
    'echo "build: all 5 binaries built"',
  ].join("\n");
  const log: string[] = [];
  options = { dataDir, cacheDir: cached.cacheDir, binDir, ports, nodes: 1, realNode: "off", timeoutMs: START_TIMEOUT_MS, buildCommand: ["bash", "-c", slowBuild], log: (line) => log.push(line) };

  const seenWhileBuilding: BuildStatus[] = [];
  let watching = true;
  const watcher = (async () => {
    while (watching) {
      const status = readBuildStatus(dataDir);
      if (status?.state === "building" && buildInProgress(status)) seenWhileBuilding.push(status);
      await new Promise((r) => setTimeout(r, 1000));
    }
  })();

  const started = await startLocalCluster(options).finally(() => {
    watching = false;
  });
  await watcher;

  expect(started.buildMs).toBeGreaterThan(START_TIMEOUT_MS);
  expect(started.durationMs).toBeGreaterThan(START_TIMEOUT_MS);
  expect(started.alreadyRunning).toBe(false);
  expect(started.nodes).toEqual(["kwok-node-0"]);
  expect(started.server).toBe(`https://127.0.0.1:${apiserver}`);
  const status = await localClusterStatus(options);
  expect(status.healthy).toBe(true);
  expect(status.components.map((c) => c.address)).toEqual([etcdClient, apiserver, controllerManager, scheduler, kwok].map((p) => `127.0.0.1:${p}`));
  expect(status.realNode).toEqual({ enabled: false, reason: "ACADEMY_CLUSTER_REAL_NODE=off" });

  // Meanwhile the status file said what was being built; afterwards it says done.
  expect(seenWhileBuilding.length).toBeGreaterThan(BUILD_SECONDS / 2);
  expect(seenWhileBuilding.at(-1)).toMatchObject({ phase: "compiling", component: "kube-apiserver", index: 3, total: 5 });
  expect(readBuildStatus(dataDir)?.state).toBe("done");
  expect(log).toContain("build: all 5 binaries built");
});
