// npm run bench:workloads -- [--pods 20]
// Figures for the real node, on a throw-away local cluster of its own (own data directory, ports
// the kernel picks, one KWOK node), so the developer's and the test cluster are not disturbed:
//   - real node start, cold (fresh data directory: network, containerd state, registration, first
//     image pulls happen on first use) and warm (stopped, then started again on the same data);
//   - pod create -> Running on the real node, p50/p95 over --pods pods created one after another;
//   - memory (RSS) of containerd and kubelet with those pods running.
// The last line is one JSON object with every figure.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { clusterOptionsFromEnv, startLocalCluster, stopLocalCluster } from "@/tools/local-cluster";
import { layout } from "@/tools/local-cluster/layout";
import type { ClusterPorts, LocalClusterOptions } from "@/tools/local-cluster/options";
import { readPid } from "@/tools/local-cluster/processes";
import { freePorts } from "@/tests/support/waiting";

const { values } = parseArgs({ options: { pods: { type: "string", default: "20" } } });
const PODS = Math.max(2, Number(values.pods));


function percentile(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

function rssMiB(pid: number | null): number | null {
  if (pid === null) return null;
  try {
    const m = fs.readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmRSS:\s+(\d+) kB/m);
    return m ? Math.round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}

/** ms from the KWOK nodes being Ready to the real node being Ready, from the start's own log. */
function nodeStartMs(lines: string[]): number {
  const at = (re: RegExp) => Number(lines.find((l) => re.test(l))?.match(/(\d+) ms since start\)/)?.[1] ?? NaN);
  return at(/real node .* is Ready/) - at(/kwok nodes are Ready/);
}

const root = fs.mkdtempSync(path.join(os.tmpdir(), "academy-bench-workloads-"));
const [apiserver, etcdClient, etcdPeer, controllerManager, scheduler, kwok] = (await freePorts(6)) as [number, number, number, number, number, number];
const ports: ClusterPorts = { apiserver, etcdClient, etcdPeer, controllerManager, scheduler, kwok };
const lines: string[] = [];
const options: LocalClusterOptions = {
  ...clusterOptionsFromEnv(), dataDir: path.join(root, "data"), ports, nodes: 1, realNode: "on", build: "never",
  log: (line) => {
    lines.push(line);
    console.log(`  cluster: ${line}`);
  },
};

try {
  console.log(`bench:workloads: a throw-away cluster in ${root}`);
  const cold = await startLocalCluster(options);
  const coldNodeMs = nodeStartMs(lines);
  console.log(`real node start, cold: ${coldNodeMs} ms (whole cluster ${cold.durationMs} ms)`);
  await stopLocalCluster(options);
  lines.length = 0;
  const warm = await startLocalCluster(options);
  const warmNodeMs = nodeStartMs(lines);
  console.log(`real node start, warm: ${warmNodeMs} ms (whole cluster ${warm.durationMs} ms)`);

  const kc = new KubeConfig();
  kc.loadFromFile(warm.kubeconfigPath);
  const core = kc.makeApiClient(CoreV1Api);
  const ns = "bench-workloads";
  await core.createNamespace({ body: { metadata: { name: ns } } });
  const latencies: number[] = [];
  for (let i = 0; i < PODS; i++) {
    const name = `pod-${i}`;
    const t0 = performance.now();
    await core.createNamespacedPod({
      namespace: ns,
      body: {
        metadata: { name },
        spec: {
          nodeSelector: { "academy.dev/node": "real" },
          tolerations: [{ key: "academy.dev/node", operator: "Equal", value: "real", effect: "NoSchedule" }],
          terminationGracePeriodSeconds: 1,
          containers: [{ name: "main", image: "docker.io/library/python:3.11-slim", command: ["sleep", "600"], resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { memory: "32Mi" } } }],
        },
      },
    });
    for (;;) {
      const p = await core.readNamespacedPod({ name, namespace: ns });
      if (p.status?.phase === "Running") break;
      if (p.status?.phase === "Failed") throw new Error(`pod ${name} failed: ${JSON.stringify(p.status)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    latencies.push(performance.now() - t0);
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  const l = layout(options);
  const memory = { containerdMiB: rssMiB(readPid(l, "containerd")), kubeletMiB: rssMiB(readPid(l, "kubelet")) };
  const first = Math.round(latencies[0] ?? NaN);
  const figures = {
    realNodeStartColdMs: coldNodeMs,
    realNodeStartWarmMs: warmNodeMs,
    clusterStartColdMs: cold.durationMs,
    clusterStartWarmMs: warm.durationMs,
    pods: PODS,
    podRunningFirstMs: first,
    podRunningP50Ms: Math.round(percentile(sorted, 50)),
    podRunningP95Ms: Math.round(percentile(sorted, 95)),
    ...memory,
    runningPods: PODS,
  };
  console.log(`pod create -> Running on the real node: first ${first} ms (image pull), p50 ${figures.podRunningP50Ms} ms, p95 ${figures.podRunningP95Ms} ms over ${PODS} pods`);
  console.log(`memory with ${PODS} pods: containerd ${memory.containerdMiB} MiB, kubelet ${memory.kubeletMiB} MiB`);
  console.log(JSON.stringify(figures));
} finally {
  await stopLocalCluster(options).catch((e: unknown) => console.error(`stopping the bench cluster failed: ${String(e)}`));
  fs.rmSync(root, { recursive: true, force: true });
}
