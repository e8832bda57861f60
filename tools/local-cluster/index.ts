// The local Kubernetes control plane for development and CI: real etcd, kube-apiserver,
// kube-controller-manager and kube-scheduler binaries (built by build.sh from the versions pinned
// in gomod/) plus kwok, which simulates nodes so pods of Deployments and Jobs become
// Running/Ready/Succeeded without a container runtime. See docs/decisions/002-local-control-plane.md.
//
// Development tooling, not app code: used by scripts (scripts/cluster.ts, the benchmarks,
// labs:verify) and the test set-up, so deliberately NOT "server-only" and it does not read
// lib/env.ts; callers pass options in (clusterOptionsFromEnv reads the environment). The app
// itself only reads the build status file (build-status.ts) to say what is going on.
//
// Modules: options (settings, the one reader of the environment), layout (paths, versions,
// ports), components (the list of processes: how each starts and is probed), certificates
// (PKI, kubeconfigs), processes (spawn, pid files, stop, port owners), health (probes and their
// HTTPS client), kwok (fake nodes), build and build-status (running the build, its progress
// file), state (state.json, etcd data versions), cluster (start/stop/status).
//
// Everything lives under <dataDir>/cluster/: pki/, etcd/ (data), logs/, pids/, *.kubeconfig,
// state.json, build-status.json; the admin kubeconfig is <dataDir>/cluster/admin.kubeconfig.
export { buildLocalCluster } from "./build";
export { type BuildStatus, COLD_BUILD_SECONDS, readBuildStatus } from "./build-status";
export {
  type ComponentStatus,
  type LocalClusterInfo,
  type LocalClusterStatus,
  localClusterStatus,
  startLocalCluster,
  stopLocalCluster,
} from "./cluster";
export { type ComponentName } from "./components";
export { LocalClusterError } from "./errors";
export { type ClusterVersions, readPinnedVersions } from "./layout";
export { type ClusterPorts, clusterOptionsFromEnv, DEFAULT_PORTS, type LocalClusterOptions } from "./options";
