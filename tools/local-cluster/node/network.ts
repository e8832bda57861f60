// The real node's network: its own network namespace, joined to the host by one veth pair, so
// everything the node does to networking (the pods' bridge, forwarding, kube-proxy's nftables
// rules, the filter that keeps pods in) happens inside that namespace and the host's own settings
// (ip_forward, netfilter, sysctls) stay as they were. Addresses are outside 10/8, 172.16/12 and
// 192.168/16, and nothing routes off the machine: the namespace has no default route.
//
//   host netns                         node netns (academy-<id>)
//   <hostIp>/30 on <hostVeth>  <---->  <nsIp>/30 on "host0"
//   kubelet, CoreDNS, relays           containerd, kube-proxy, bridge "cni0" <bridgeIp>/24, pods
//   route <podCidr> via <nsIp>         (no default route)
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { LocalClusterError } from "../errors";

export type NodeNetwork = {
  /** 0..63, picked from the cluster directory; ACADEMY_CLUSTER_NODE_INDEX overrides it. */
  index: number;
  netns: string;
  hostVeth: string;
  nsVeth: string;
  hostIp: string;
  nsIp: string;
  linkPrefix: number;
  bridge: string;
  bridgeIp: string;
  podCidr: string;
  /** Every cluster uses the same Service range; it is only routed inside its own node netns. */
  serviceCidr: string;
  kubernetesServiceIp: string;
  /** CoreDNS listens on the host end of the link; pods reach it through the filter's one opening. */
  dnsIp: string;
};

export const SERVICE_CIDR = "198.19.0.0/20";
export const KUBERNETES_SERVICE_IP = "198.19.0.1";
/** The kube-dns Service (its endpoint is CoreDNS on the link; pods are given the link address directly). */
export const CLUSTER_DNS_SERVICE_IP = "198.19.0.10";
/** Ports on the host end of the link (each cluster has its own address, so they never clash). */
export const LINK_PORTS = { apiserver: 6443, registry: 5000, kubelet: 10250, kubeletHealthz: 10248, dns: 53, dnsHealth: 10054, dnsReady: 10055 } as const;
/** Ports on the namespace end of the link. */
export const NS_PORTS = { kubeProxyHealthz: 10256, containerdStream: 10010, kubeRouterHealthz: 20244 } as const;
/**
 * The packet mark bit with which kube-router's policy chains say "a policy allows this"
 * (0x10000); packets from the node are marked with it before they reach those chains.
 */
export const POLICY_ALLOWED_MARK = "0x00010000";

export function defaultNodeIndex(clusterDir: string): number {
  return createHash("sha256").update(clusterDir).digest()[0]! % 64;
}

export function nodeNetwork(clusterDir: string, index = defaultNodeIndex(clusterDir)): NodeNetwork {
  if (!Number.isInteger(index) || index < 0 || index > 63) throw new LocalClusterError(`node index ${index} is not in 0..63`);
  const id = createHash("sha256").update(clusterDir).digest("hex").slice(0, 8);
  const link = 4 * index;
  return {
    index,
    netns: `academy-${id}`,
    hostVeth: `ac-${id}`,
    nsVeth: "host0",
    hostIp: `198.19.254.${link + 1}`,
    nsIp: `198.19.254.${link + 2}`,
    linkPrefix: 30,
    bridge: "cni0",
    bridgeIp: `198.18.${index}.1`,
    podCidr: `198.18.${index}.0/24`,
    serviceCidr: SERVICE_CIDR,
    kubernetesServiceIp: KUBERNETES_SERVICE_IP,
    dnsIp: `198.19.254.${link + 1}`,
  };
}

/** Whether another cluster's node (or anything) already uses this address block on the host. */
function blockInUse(n: NodeNetwork): boolean {
  const routes = spawnSync("ip", ["-4", "route", "show", n.podCidr], { encoding: "utf8" }).stdout ?? "";
  const addrs = spawnSync("ip", ["-4", "-o", "addr", "show"], { encoding: "utf8" }).stdout ?? "";
  const mine = (text: string) => text.includes(n.hostVeth);
  return (routes.trim() !== "" && !mine(routes)) || addrs.split("\n").some((l) => l.includes(` ${n.hostIp}/`) && !mine(l));
}

/**
 * The first free address block from the default one on: two local clusters on one machine (a
 * developer's and CI's) then never meet. An explicit ACADEMY_CLUSTER_NODE_INDEX is taken as is.
 */
export function chooseFreeIndex(clusterDir: string, start: number): number {
  for (let i = 0; i < 64; i++) {
    const index = (start + i) % 64;
    if (!blockInUse(nodeNetwork(clusterDir, index))) return index;
  }
  throw new LocalClusterError("every real-node address block (198.18.0-63.0/24) is in use on this machine");
}

function run(cmd: string, args: string[], what: string): string {
  const r = spawnSync(cmd, args, { encoding: "utf8" });
  if (r.error) throw new LocalClusterError(`${what}: cannot run ${cmd} (${r.error.message})`);
  if (r.status !== 0) throw new LocalClusterError(`${what}: \`${cmd} ${args.join(" ")}\` failed: ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

function ok(cmd: string, args: string[]): boolean {
  return spawnSync(cmd, args, { stdio: "ignore" }).status === 0;
}

export function netnsExists(n: NodeNetwork): boolean {
  return ok("ip", ["netns", "exec", n.netns, "true"]);
}

/**
 * The filter inside the node netns. Pods may talk to each other and to Services (kube-proxy's own
 * tables do the Service translation); towards the host they reach only the API server relay and
 * CoreDNS; nothing of the node netns itself (containerd's stream server, kube-proxy's health port)
 * answers them. The host (API server proxy, kubelet probes) reaches pods. NetworkPolicies narrow
 * this further (kube-router's chains, decision 014).
 *
 * Traffic from the node to its pods is always allowed under NetworkPolicy (kubelet's probes);
 * kube-router recognises it by a local source address, but here kubelet and the API server sit on
 * the host end of the link, so their packets (arriving on the link, from its host address) get
 * kube-router's "allowed" mark before its chains see them. A pod cannot forge that: its packets
 * arrive on the bridge, not on the link.
 */
export function filterRules(n: NodeNetwork): string {
  return `table inet academy-node
delete table inet academy-node
table inet academy-node {
  chain from-node {
    type filter hook prerouting priority mangle; policy accept;
    iifname "${n.nsVeth}" ip saddr ${n.hostIp} ip daddr ${n.podCidr} meta mark set mark or ${POLICY_ALLOWED_MARK}
  }
  chain input {
    type filter hook input priority filter; policy accept;
    ct state established,related accept
    ip saddr ${n.podCidr} drop
  }
  chain forward {
    type filter hook forward priority filter; policy accept;
    ct state established,related accept
    ip saddr ${n.podCidr} ip daddr ${n.hostIp} tcp dport { ${LINK_PORTS.apiserver}, ${LINK_PORTS.dns} } accept
    ip saddr ${n.podCidr} ip daddr ${n.hostIp} udp dport ${LINK_PORTS.dns} accept
    ip saddr ${n.podCidr} ip daddr ${n.hostIp} drop
    ip saddr ${n.podCidr} ip daddr != { ${n.podCidr}, ${n.serviceCidr} } drop
  }
}
`;
}

/** Creates (or completes) the namespace, the link, the host route and the filter. Idempotent. */
export function ensureNodeNetwork(n: NodeNetwork, log: (line: string) => void): void {
  const what = "setting up the real node's network";
  if (!netnsExists(n)) {
    run("ip", ["netns", "add", n.netns], what);
    log(`node network: created network namespace ${n.netns}`);
  }
  const inNs = (args: string[]) => run("ip", ["-n", n.netns, ...args], what);
  if (!ok("ip", ["link", "show", n.hostVeth])) {
    run("ip", ["link", "add", n.hostVeth, "type", "veth", "peer", "name", n.nsVeth, "netns", n.netns], what);
  }
  if (!run("ip", ["-4", "addr", "show", "dev", n.hostVeth], what).includes(`${n.hostIp}/`)) {
    run("ip", ["addr", "add", `${n.hostIp}/${n.linkPrefix}`, "dev", n.hostVeth], what);
  }
  run("ip", ["link", "set", n.hostVeth, "up"], what);
  inNs(["link", "set", "lo", "up"]);
  if (!inNs(["-4", "addr", "show", "dev", n.nsVeth]).includes(`${n.nsIp}/`)) {
    inNs(["addr", "add", `${n.nsIp}/${n.linkPrefix}`, "dev", n.nsVeth]);
  }
  inNs(["link", "set", n.nsVeth, "up"]);
  // The bridge exists before the first pod so the host route has somewhere to go; the CNI bridge
  // plugin then finds it (same name and gateway address).
  if (!ok("ip", ["-n", n.netns, "link", "show", n.bridge])) inNs(["link", "add", n.bridge, "type", "bridge"]);
  if (!inNs(["-4", "addr", "show", "dev", n.bridge]).includes(`${n.bridgeIp}/`)) {
    inNs(["addr", "add", `${n.bridgeIp}/24`, "dev", n.bridge]);
  }
  inNs(["link", "set", n.bridge, "up"]);
  const routes = run("ip", ["-4", "route", "show", n.podCidr], what);
  if (!routes.includes(n.hostVeth)) {
    if (routes.trim()) {
      throw new LocalClusterError(
        `${what}: the pod range ${n.podCidr} is already routed elsewhere (${routes.trim()}), probably by another ` +
          `local cluster's real node. Give this cluster another one with ACADEMY_CLUSTER_NODE_INDEX=<0..63>.`,
      );
    }
    run("ip", ["route", "add", n.podCidr, "via", n.nsIp, "dev", n.hostVeth], what);
  }
  // Forwarding inside the namespace only (net.* sysctls are per network namespace).
  run("nsenter", [`--net=/run/netns/${n.netns}`, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1"], what);
  // Pod-to-pod traffic on the bridge passes netfilter (kube-router's physdev rules, and replies
  // from a Service's pod un-NATed). br_netfilter's switches are per network namespace too.
  run("nsenter", [`--net=/run/netns/${n.netns}`, "sysctl", "-q", "-w", "net.bridge.bridge-nf-call-iptables=1"], what);
  const nft = spawnSync("nsenter", [`--net=/run/netns/${n.netns}`, "nft", "-f", "-"], { input: filterRules(n), encoding: "utf8" });
  if (nft.status !== 0) throw new LocalClusterError(`${what}: loading the node filter failed: ${(nft.stderr || nft.error?.message || "").trim()}`);
}

/** Deletes the namespace (and with it the link, the bridge and the host route). */
export function removeNodeNetwork(n: NodeNetwork, log: (line: string) => void): void {
  if (ok("ip", ["link", "show", n.hostVeth])) ok("ip", ["link", "del", n.hostVeth]);
  if (netnsExists(n) || ok("ip", ["netns", "pids", n.netns])) {
    if (ok("ip", ["netns", "del", n.netns])) log(`node network: removed network namespace ${n.netns}`);
  }
}
