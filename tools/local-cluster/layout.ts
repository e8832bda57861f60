// Where everything of one local cluster lives (paths under <dataDir>/cluster, the binary
// directory in the build cache), which versions are pinned, and which ports it uses.
// Everything here is computed from the options; nothing is read from the environment.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { buildStatusFileOf, clusterDirOf } from "./build-status";
import { LocalClusterError } from "./errors";
import {
  type ClusterPorts,
  DEFAULT_DATA_DIR,
  DEFAULT_NODES,
  DEFAULT_PORTS,
  type LocalClusterOptions,
  type RealNodeMode,
} from "./options";
import { type NodeLayout, nodeLayout } from "./node/layout";

export type ClusterVersions = {
  kubernetes: string;
  etcd: string;
  kwok: string;
  coredns: string;
  kubeRouter: string;
};

export type KubeconfigName = "admin" | "controller-manager" | "scheduler" | "kwok" | "kubelet" | "kube-proxy" | "coredns" | "kube-router";

export type Layout = {
  repoRoot: string;
  /** This tool's folder (build.sh, gomod/). */
  toolDir: string;
  clusterDir: string;
  pkiDir: string;
  etcdDir: string;
  etcdVersionFile: string;
  logDir: string;
  pidDir: string;
  stateFile: string;
  /** Progress of a running build, read by the lab pages (see build-status.ts). */
  buildStatusFile: string;
  kubeconfig: Record<KubeconfigName, string>;
  kwokConfig: string;
  cacheDir: string;
  binDir: string;
  buildCommand: string[];
  versions: ClusterVersions;
  ports: ClusterPorts;
  nodes: number;
  realNode: RealNodeMode;
  /** The real node's files and network (used only when it runs; see node/decision.ts). */
  node: NodeLayout;
  log: (line: string) => void;
};

const TOOL_DIR = path.dirname(fileURLToPath(import.meta.url));

const defaultLog = (line: string) => process.stderr.write(`cluster: ${line}\n`);

export function layout(opts: LocalClusterOptions): Layout {
  const repoRoot = path.resolve(opts.repoRoot ?? path.join(TOOL_DIR, "..", ".."));
  const toolDir = path.join(repoRoot, "tools", "local-cluster");
  const clusterDir = clusterDirOf(opts.dataDir ?? DEFAULT_DATA_DIR);
  const versions = readPinnedVersions(repoRoot);
  const cacheDir = path.resolve(opts.cacheDir ?? path.join(os.homedir(), ".cache", "academy"));
  const binDir = path.resolve(opts.binDir ?? path.join(cacheDir, "k8s", versions.kubernetes, "bin"));
  return {
    repoRoot,
    toolDir,
    clusterDir,
    pkiDir: path.join(clusterDir, "pki"),
    etcdDir: path.join(clusterDir, "etcd"),
    etcdVersionFile: path.join(clusterDir, "etcd.version"),
    logDir: path.join(clusterDir, "logs"),
    pidDir: path.join(clusterDir, "pids"),
    stateFile: path.join(clusterDir, "state.json"),
    buildStatusFile: buildStatusFileOf(clusterDir),
    kubeconfig: {
      admin: path.join(clusterDir, "admin.kubeconfig"),
      "controller-manager": path.join(clusterDir, "controller-manager.kubeconfig"),
      scheduler: path.join(clusterDir, "scheduler.kubeconfig"),
      kwok: path.join(clusterDir, "kwok.kubeconfig"),
      kubelet: path.join(clusterDir, "kubelet.kubeconfig"),
      "kube-proxy": path.join(clusterDir, "kube-proxy.kubeconfig"),
      coredns: path.join(clusterDir, "coredns.kubeconfig"),
      "kube-router": path.join(clusterDir, "kube-router.kubeconfig"),
    },
    kwokConfig: path.join(clusterDir, "kwok.yaml"),
    cacheDir,
    binDir,
    buildCommand: opts.buildCommand ?? ["bash", path.join(toolDir, "build.sh")],
    versions,
    ports: { ...DEFAULT_PORTS, ...opts.ports },
    nodes: opts.nodes ?? DEFAULT_NODES,
    realNode: opts.realNode ?? "auto",
    node: nodeLayout(clusterDir, path.join(clusterDir, "pki"), opts.nodeIndex),
    log: opts.log ?? defaultLog,
  };
}

/** Versions pinned by the wrapper modules in tools/local-cluster/gomod/. */
export function readPinnedVersions(repoRoot: string): ClusterVersions {
  const pinned = (dir: string, mod: string): string => {
    const file = path.join(repoRoot, "tools", "local-cluster", "gomod", dir, "go.mod");
    const text = fs.readFileSync(file, "utf8");
    const m = text.match(new RegExp(`^\\s*(?:require\\s+)?${mod.replace(/[./]/g, "\\$&")}\\s+(v\\S+)`, "m"));
    if (!m?.[1]) throw new LocalClusterError(`cannot find the pinned version of ${mod} in ${file}`);
    return m[1];
  };
  return {
    kubernetes: pinned("kubernetes", "k8s.io/kubernetes"),
    etcd: pinned("etcd", "go.etcd.io/etcd/server/v3"),
    kwok: pinned("kwok", "sigs.k8s.io/kwok"),
    coredns: pinned("coredns", "github.com/coredns/coredns"),
    kubeRouter: pinned("kube-router", "github.com/cloudnativelabs/kube-router/v2"),
  };
}

export function logFile(l: Layout, component: string): string {
  return path.join(l.logDir, `${component}.log`);
}

export function pidFile(l: Layout, component: string): string {
  return path.join(l.pidDir, `${component}.pid`);
}
