// Local Kubernetes control plane for development and CI (the code: tools/local-cluster/).
// Usage: npm run cluster -- <start|stop|status|build>
//   (or: bash scripts/node.sh npx tsx scripts/cluster.ts <command>)
// Settings (environment, see the README's "Local cluster" table): ACADEMY_DATA_DIR (default
// .academy-data), ACADEMY_CACHE_DIR, ACADEMY_CLUSTER_NODES,
// ACADEMY_CLUSTER_{APISERVER,ETCD,ETCD_PEER,CONTROLLER_MANAGER,SCHEDULER,KWOK}_PORT.
import {
  buildLocalCluster,
  clusterOptionsFromEnv,
  LocalClusterError,
  localClusterStatus,
  startLocalCluster,
  stopLocalCluster,
} from "../tools/local-cluster";

const USAGE = `usage: npm run cluster -- <command>
  start   start the local control plane (builds the binaries first if needed); idempotent
  stop    stop it (SIGTERM, then SIGKILL after 10 s)
  status  show each component, its pid, port, health and log file
  build   build/refresh the binaries (tools/local-cluster/build.sh)`;

async function main(argv: string[]): Promise<number> {
  const cmd = argv[0];
  const opts = { ...clusterOptionsFromEnv(), log: (line: string) => console.log(`cluster: ${line}`) };
  switch (cmd) {
    case "start": {
      const r = await startLocalCluster(opts);
      console.log(`\nkubeconfig: ${r.kubeconfigPath}`);
      console.log(`server:     ${r.server}`);
      console.log(`try:        KUBECONFIG=${r.kubeconfigPath} kubectl get nodes   (if you have kubectl)`);
      console.log(`start time: ${(r.durationMs / 1000).toFixed(2)} s${r.alreadyRunning ? " (already running)" : ""}`);
      return 0;
    }
    case "stop":
      await stopLocalCluster(opts);
      return 0;
    case "status": {
      const s = await localClusterStatus(opts);
      console.log(`cluster dir: ${s.clusterDir}`);
      console.log(`versions:    Kubernetes ${s.versions.kubernetes}, etcd ${s.versions.etcd}, kwok ${s.versions.kwok}`);
      console.log(`binaries:    ${s.binDir} (${s.built ? "built" : "NOT built: npm run cluster -- start builds them"})`);
      if (s.build && s.build.state !== "done") {
        const what = s.build.component ? `${s.build.phase} ${s.build.component} (${s.build.index} of ${s.build.total})` : s.build.phase;
        const since = `since ${s.build.startedAt}`;
        console.log(`build:       ${s.build.state === "building" ? `${what}, ${since} (pid ${s.build.pid})` : `FAILED: ${s.build.error ?? ""}`}`);
      }
      console.log(`kubeconfig:  ${s.kubeconfigPath}`);
      for (const c of s.components) {
        const state = c.healthy ? "healthy" : c.running ? `running, NOT healthy: ${c.detail}` : "stopped";
        console.log(`  ${c.name.padEnd(24)} ${String(c.pid ?? "-").padEnd(8)} ${c.address.padEnd(24)} ${state}`);
        if (c.running && !c.healthy) console.log(`    log: ${c.logFile}`);
      }
      if (s.readyNodes) console.log(`ready nodes: ${s.readyNodes.join(", ") || "(none)"}`);
      console.log(s.healthy ? "status: healthy" : "status: not (fully) running — npm run cluster -- start");
      return s.healthy ? 0 : 3;
    }
    case "build":
      await buildLocalCluster(opts);
      return 0;
    default:
      console.error(USAGE);
      return cmd === undefined || cmd === "help" || cmd === "--help" ? 0 : 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof LocalClusterError) console.error(`cluster: error: ${err.message}`);
    else console.error(err);
    process.exit(1);
  },
);
