// Start, stop and status of the local cluster: walks the components list (components.ts) in
// order, building the binaries first when needed. The start deadline (timeoutMs) is counted from
// the end of the build, so a cold build of any length cannot make a healthy start time out.
import fs from "node:fs";
import { type BuildStatus, buildInProgress, readBuildStatusFile } from "./build-status";
import { binariesReady, runBuild } from "./build";
import { ensurePki, hasPki, writeKubeconfigs } from "./certificates";
import { addressOf, ALL_COMPONENTS, type Component, COMPONENT_NAMES, componentsOf, type ComponentName } from "./components";
import { NODE_NAME } from "./node/configs";
import { ensureKubernetesEndpoints, realNodeReady } from "./node/prepare";
import { indexFile, nodeLayout } from "./node/layout";
import { chooseFreeIndex } from "./node/network";
import { checkNodeSupport, type NodeDecision, readDecision, writeDecision } from "./node/support";
import { removeContainers, removeNodeLeftovers } from "./node/teardown";
import { componentError, LocalClusterError, tail } from "./errors";
import { api, type Health, sleep, waitFor } from "./health";
import { createNodes, nodeLeaseHeld, nodeNames, readyNodes, writeKwokConfig } from "./kwok";
import { type ClusterVersions, type Layout, layout, logFile, pidFile } from "./layout";
import { type ClusterPorts, DEFAULT_START_TIMEOUT_MS, type LocalClusterOptions, PORT_SETTINGS } from "./options";
import { cleanLeftovers, ensurePortFree, findOurProcesses, isAlive, isOurProcess, readPid, runningPid, spawnDetached, terminate } from "./processes";
import { checkEtcdData, readState, sameConfig, writeState } from "./state";

export type LocalClusterInfo = {
  kubeconfigPath: string;
  server: string;
  clusterDir: string;
  binDir: string;
  versions: ClusterVersions;
  ports: ClusterPorts;
  nodes: string[];
  /** True when a healthy cluster was already running and was reused. */
  alreadyRunning: boolean;
  /** Wall-clock time of this start call, in ms (build included). */
  durationMs: number;
  /** Time spent building the binaries in this call, in ms (0 when they were ready). */
  buildMs: number;
  /** The real node: running, or why not. */
  realNode: NodeDecision;
};

export type ComponentStatus = {
  name: ComponentName;
  pid: number | null;
  running: boolean;
  healthy: boolean;
  /** Where it is reached (host:port, or a socket). */
  address: string;
  logFile: string;
  detail?: string;
};

export type LocalClusterStatus = {
  clusterDir: string;
  kubeconfigPath: string;
  server: string;
  binDir: string;
  built: boolean;
  /** The last (or current) build started for this data directory, if any. */
  build: BuildStatus | null;
  versions: ClusterVersions;
  ports: ClusterPorts;
  components: ComponentStatus[];
  /** All components running and healthy. */
  healthy: boolean;
  /** Ready nodes (only when the apiserver answers). */
  readyNodes?: string[];
  realNode: NodeDecision;
};

async function waitHealthy(l: Layout, c: Component, pid: number, deadline: number) {
  let last = "";
  while (Date.now() < deadline) {
    if (!isAlive(pid)) {
      fs.rmSync(pidFile(l, c.name), { force: true });
      throw componentError(c.name, logFile(l, c.name), `exited during start-up`);
    }
    const h = await c.health(l);
    if (h.ok) return;
    last = h.detail;
    await sleep(150);
  }
  throw componentError(c.name, logFile(l, c.name), `did not become healthy in time (last check: ${last})`);
}

async function ensurePortsFree(l: Layout, c: Component) {
  for (const key of c.ports) await ensurePortFree(l, c.name, l.ports[key], PORT_SETTINGS[key]);
}

export async function localClusterStatus(opts: LocalClusterOptions = {}): Promise<LocalClusterStatus> {
  const l = layout(opts);
  const pki = hasPki(l);
  const components: ComponentStatus[] = [];
  const realNode = readDecision(l);
  for (const c of componentsOf(realNode.enabled)) {
    const pid = runningPid(l, c.name);
    let h: Health = { ok: false, detail: pid ? "" : "not running" };
    if (pid && pki) h = await c.health(l);
    components.push({
      name: c.name,
      pid,
      running: pid !== null,
      healthy: h.ok,
      address: addressOf(l, c),
      logFile: logFile(l, c.name),
      ...(h.ok ? {} : { detail: h.detail }),
    });
  }
  const apiUp = components.find((c) => c.name === "kube-apiserver")?.healthy;
  const state = readState(l);
  return {
    clusterDir: l.clusterDir,
    kubeconfigPath: l.kubeconfig.admin,
    server: `https://127.0.0.1:${l.ports.apiserver}`,
    binDir: l.binDir,
    built: binariesReady(l).ok,
    build: readBuildStatusFile(l.buildStatusFile),
    versions: l.versions,
    ports: state && components.some((c) => c.running) ? state.ports : l.ports,
    components,
    healthy: components.every((c) => c.healthy),
    ...(apiUp ? { readyNodes: [...await readyNodes(l).catch(() => []), ...(realNode.enabled && (await realNodeReady(l).catch(() => false)) ? [NODE_NAME] : [])] } : {}),
    realNode,
  };
}

export async function startLocalCluster(opts: LocalClusterOptions = {}): Promise<LocalClusterInfo> {
  const t0 = Date.now();
  const l = layout(opts);
  let buildMs = 0;
  const info = (alreadyRunning: boolean, nodes: string[]): LocalClusterInfo => ({
    kubeconfigPath: l.kubeconfig.admin,
    server: `https://127.0.0.1:${l.ports.apiserver}`,
    clusterDir: l.clusterDir,
    binDir: l.binDir,
    versions: l.versions,
    ports: l.ports,
    nodes,
    alreadyRunning,
    durationMs: Date.now() - t0,
    buildMs,
    realNode: decision,
  });
  let decision: NodeDecision = readDecision(l);

  // 1. Already running with the same configuration and healthy: reuse it.
  const state = readState(l);
  const wanted = componentsOf(decision.enabled);
  const running = ALL_COMPONENTS.filter((c) => runningPid(l, c.name) !== null);
  // A node that failed before is tried again (auto) unless the machine cannot run one at all.
  const nodeAsWanted = l.realNode === "off" ? !decision.enabled
    : decision.enabled || (l.realNode === "auto" && !checkNodeSupport(l).enabled);
  if (running.length === wanted.length && wanted.every((c) => running.includes(c)) && sameConfig(state, l) && nodeAsWanted) {
    const checks = await Promise.all(wanted.map((c) => c.health(l)));
    if (checks.every((h) => h.ok)) {
      const nodes = await readyNodes(l).catch(() => []);
      if (nodes.length >= l.nodes && (!decision.enabled || (await realNodeReady(l)))) {
        const r = info(true, nodes);
        l.log(`already running and healthy (Kubernetes ${l.versions.kubernetes}, ${nodes.length} nodes), checked in ${r.durationMs} ms`);
        return r;
      }
    }
  }
  if (running.length > 0 && !sameConfig(state, l)) {
    l.log(`a cluster from ${l.clusterDir} is running with another configuration (versions/ports/binaries); restarting it`);
    await stopLocalCluster(opts);
  } else if (l.realNode === "off" && ALL_COMPONENTS.some((c) => c.node && runningPid(l, c.name) !== null)) {
    l.log("ACADEMY_CLUSTER_REAL_NODE=off: stopping the real node");
    await stopRealNode(l);
  }

  // 2. Binaries. The build status file tells lab pages what is going on meanwhile.
  for (const d of [l.clusterDir, l.logDir, l.pidDir]) fs.mkdirSync(d, { recursive: true });
  const built = binariesReady(l);
  if (opts.build === "always" || !built.ok) {
    if (opts.build === "never") {
      throw new LocalClusterError(
        `control-plane binaries are not ready: ${built.why}.\n` +
          "Run `npm run cluster -- start` (it builds them first, with progress) or `npm run cluster:build`.",
      );
    }
    if (!built.ok) l.log(`control-plane binaries need building: ${built.why}`);
    const tb = Date.now();
    await runBuild(l);
    buildMs = Date.now() - tb;
    const again = binariesReady(l);
    if (!again.ok) throw new LocalClusterError(`after the build the binaries are still not ready: ${again.why}`);
  } else if (!buildInProgress(readBuildStatusFile(l.buildStatusFile))) {
    // Built meanwhile (by build.sh or another data directory): an old failure no longer applies.
    fs.rmSync(l.buildStatusFile, { force: true });
  }
  // The deadline starts now: only the start-up of the components counts against it (it is moved
  // on by the time their preparations take: building the images on a fresh machine takes minutes).
  let deadline = Date.now() + (opts.timeoutMs ?? DEFAULT_START_TIMEOUT_MS);

  // 3. Leftovers, certificates, configs; whether the real node can run here.
  await cleanLeftovers(l, COMPONENT_NAMES);
  if (!ALL_COMPONENTS.some((c) => runningPid(l, c.name) !== null)) checkEtcdData(l);
  decision = checkNodeSupport(l);
  if (!decision.enabled) {
    if (l.realNode === "on") throw new LocalClusterError(`ACADEMY_CLUSTER_REAL_NODE=on, but the real node cannot run here: ${decision.reason}`);
    l.log(`starting without a real node (pods run on KWOK nodes only, nothing really runs): ${decision.reason}`);
  }
  writeDecision(l, decision);
  if (decision.enabled && opts.nodeIndex === undefined && !fs.existsSync(indexFile(l.clusterDir))) {
    const index = chooseFreeIndex(l.clusterDir, l.node.network.index);
    fs.writeFileSync(indexFile(l.clusterDir), `${index}\n`);
    l.node = nodeLayout(l.clusterDir, l.pkiDir, index);
  }
  ensurePki(l);
  writeKubeconfigs(l);
  writeKwokConfig(l);
  writeState(l);

  // 4. Components in order; keep those already running. Ports are checked up front so a clash
  //    does not leave half a cluster behind.
  for (const c of componentsOf(decision.enabled)) {
    if (runningPid(l, c.name) === null) await ensurePortsFree(l, c);
  }
  let startedAny = false;
  const startOne = async (c: Component) => {
    const existing = runningPid(l, c.name);
    if (existing !== null) {
      const h = await c.health(l);
      if (h.ok) return;
      l.log(`${c.name} (pid ${existing}) is running but not healthy (${h.detail}); restarting it`);
      await terminate(existing);
      fs.rmSync(pidFile(l, c.name), { force: true });
    }
    await ensurePortsFree(l, c);
    const preparing = Date.now();
    await c.beforeStart?.(l);
    deadline += Date.now() - preparing;
    const ts = Date.now();
    const pid = spawnDetached(l, c.name, c.command(l));
    await waitHealthy(l, c, pid, deadline);
    startedAny = true;
    l.log(`${c.name} is up (pid ${pid}, ${addressOf(l, c)}) in ${Date.now() - ts} ms`);
  };
  for (const c of componentsOf(false)) await startOne(c);

  // 5. Fake nodes, and proof that the controllers work.
  const names = nodeNames(l);
  await createNodes(l);
  // Ready alone may be stale status from before a restart; kwok (re)creating each node's Lease proves it manages them.
  await waitFor(`${names.length} kwok nodes to become Ready`, deadline, async () =>
    (await readyNodes(l)).length >= names.length && (await Promise.all(names.map((n) => nodeLeaseHeld(l, n)))).every(Boolean),
    `log: ${logFile(l, "kwok")}\n--- last lines ---\n${tail(logFile(l, "kwok"))}`);
  l.log(`${names.length} kwok nodes are Ready (${Date.now() - t0} ms since start)`);
  await waitFor("the default ServiceAccount in namespace default (created by kube-controller-manager)", deadline,
    async () => (await api(l, "GET", "/api/v1/namespaces/default/serviceaccounts/default")).status === 200,
    `log: ${logFile(l, "kube-controller-manager")}\n--- last lines ---\n${tail(logFile(l, "kube-controller-manager"))}`);

  // 6. The real node. When it cannot start and was not asked for explicitly, the cluster runs without it.
  if (decision.enabled) {
    try {
      for (const c of ALL_COMPONENTS.filter((x) => x.node)) await startOne(c);
      await ensureKubernetesEndpoints(l);
      await waitFor(`the real node ${NODE_NAME} to become Ready`, deadline,
        () => realNodeReady(l),
        `log: ${logFile(l, "kubelet")}\n--- last lines ---\n${tail(logFile(l, "kubelet"))}`);
      l.log(`real node ${NODE_NAME} is Ready (pods ${l.node.network.podCidr}, Services ${l.node.network.serviceCidr}, ${Date.now() - t0} ms since start)`);
    } catch (e) {
      if (l.realNode === "on") throw e;
      const reason = (e as Error).message.split("\n")[0] ?? String(e);
      l.log(`the real node did not start (${reason}); stopping its parts and going on without it`);
      await stopRealNode(l);
      decision = { enabled: false, reason: `the real node did not start: ${reason}` };
      writeDecision(l, decision);
    }
  }

  const r = info(false, await readyNodes(l));
  l.log(`${startedAny ? "started" : "repaired"} in ${(r.durationMs / 1000).toFixed(1)} s` +
    `${buildMs ? ` (build ${(buildMs / 1000).toFixed(0)} s)` : ""}: Kubernetes ${l.versions.kubernetes}, ` +
    `etcd ${l.versions.etcd}, kwok ${l.versions.kwok}, ${r.nodes.length} nodes; kubeconfig ${l.kubeconfig.admin}`);
  return r;
}

/** Stops kubelet, removes every container, then stops the node's other processes and removes what they left. */
async function stopRealNode(l: Layout): Promise<string[]> {
  const stopped: string[] = [];
  const stop = async (name: string) => {
    const pid = readPid(l, name);
    if (pid !== null && isAlive(pid) && isOurProcess(l, pid, name)) {
      await terminate(pid, 10_000);
      stopped.push(name);
      l.log(`stopped ${name} (pid ${pid})`);
    }
    fs.rmSync(pidFile(l, name), { force: true });
  };
  await stop("kubelet");
  const removed = removeContainers(l);
  if (removed) l.log(`removed ${removed} containers and pod sandboxes from the real node`);
  for (const c of ALL_COMPONENTS.filter((x) => x.node).reverse()) await stop(c.name);
  removeNodeLeftovers(l);
  return stopped;
}

export async function stopLocalCluster(opts: LocalClusterOptions = {}): Promise<{ stopped: string[] }> {
  const l = layout(opts);
  const graceMs = 10_000;
  const stopped: string[] = await stopRealNode(l);
  for (const name of [...COMPONENT_NAMES].reverse()) {
    const pid = readPid(l, name);
    if (pid !== null && isAlive(pid) && isOurProcess(l, pid, name)) {
      const how = await terminate(pid, graceMs);
      stopped.push(name);
      l.log(`stopped ${name} (pid ${pid}${how === "kill" ? ", needed SIGKILL after the timeout" : ""})`);
    } else if (pid !== null) {
      l.log(`removing stale pid file of ${name} (pid ${pid} was not running)`);
    }
    fs.rmSync(pidFile(l, name), { force: true });
  }
  // Processes of this cluster dir that lost their pid file (e.g. data dir partly deleted).
  for (const o of findOurProcesses(l, COMPONENT_NAMES)) {
    await terminate(o.pid, graceMs);
    stopped.push(o.name);
    l.log(`stopped leftover ${o.name} (pid ${o.pid}) that had no pid file`);
  }
  if (stopped.length === 0) l.log("nothing was running");
  return { stopped };
}
