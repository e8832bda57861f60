// Where the real node's files live (<clusterDir>/node/...) and its network, computed from the
// cluster's layout. Nothing here touches the machine.
import fs from "node:fs";
import path from "node:path";
import { type NodeNetwork, nodeNetwork } from "./network";

export type NodeLayout = {
  dir: string;
  network: NodeNetwork;
  /** The choice made at start (decision.json): on, or off with the reason in words. */
  decisionFile: string;
  containerdConfig: string;
  containerdRoot: string;
  containerdState: string;
  containerdSocket: string;
  cniConfDir: string;
  registryHostsDir: string;
  kubeletConfig: string;
  kubeletScript: string;
  kubeletRootDir: string;
  varLibKubelet: string;
  fakeSysctlDir: string;
  resolvConf: string;
  kubeletKubeconfig: string;
  kubeProxyConfig: string;
  kubeProxyKubeconfig: string;
  corefile: string;
  corednsKubeconfig: string;
  /** Symlinks to socat named after each relay, so `ps` and the pid checks tell them apart. */
  relayBinDir: string;
  pauseImage: string;
  /** The machine's registry on loopback (tools/images); set from its settings when the node starts. */
  registryAddress: string;
  pki: (file: string) => string;
};

/** The node's address block chosen at its first start (node/index), so certificates stay valid. */
export function indexFile(clusterDir: string): string {
  return path.join(clusterDir, "node", "index");
}

function savedIndex(clusterDir: string): number | undefined {
  try {
    const n = Number(fs.readFileSync(indexFile(clusterDir), "utf8").trim());
    return Number.isInteger(n) && n >= 0 && n <= 63 ? n : undefined;
  } catch {
    return undefined;
  }
}

export function nodeLayout(clusterDir: string, pkiDir: string, index?: number): NodeLayout {
  const dir = path.join(clusterDir, "node");
  return {
    dir,
    network: nodeNetwork(clusterDir, index ?? savedIndex(clusterDir)),
    decisionFile: path.join(dir, "decision.json"),
    containerdConfig: path.join(dir, "containerd.toml"),
    containerdRoot: path.join(dir, "containerd-root"),
    containerdState: path.join(dir, "containerd-state"),
    containerdSocket: path.join(dir, "containerd.sock"),
    cniConfDir: path.join(dir, "cni"),
    registryHostsDir: path.join(dir, "registry-hosts"),
    kubeletConfig: path.join(dir, "kubelet.yaml"),
    kubeletScript: path.join(dir, "kubelet.sh"),
    kubeletRootDir: path.join(dir, "kubelet-root"),
    varLibKubelet: path.join(dir, "var-lib-kubelet"),
    fakeSysctlDir: path.join(dir, "sysctl"),
    resolvConf: path.join(dir, "resolv.conf"),
    kubeletKubeconfig: path.join(clusterDir, "kubelet.kubeconfig"),
    kubeProxyConfig: path.join(dir, "kube-proxy.yaml"),
    kubeProxyKubeconfig: path.join(clusterDir, "kube-proxy.kubeconfig"),
    corefile: path.join(dir, "Corefile"),
    corednsKubeconfig: path.join(clusterDir, "coredns.kubeconfig"),
    relayBinDir: path.join(dir, "bin"),
    pauseImage: "registry.k8s.io/pause:3.10.2",
    registryAddress: "127.0.0.1:15000",
    pki: (file) => path.join(pkiDir, file),
  };
}
