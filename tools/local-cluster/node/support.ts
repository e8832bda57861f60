// Whether this machine can run the real node, and the choice made at start (decision.json), so
// status, stop and the tests know whether the node's components belong to this cluster. Missing
// Debian packages are installed when we are root and apt is there (what .ci/run does too).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import type { Layout } from "../layout";
import { childEnvironment } from "../options";

export type NodeDecision = { enabled: true } | { enabled: false; reason: string };

/** The files the node needs, and the Debian package that provides each. */
const NEEDS: readonly { path: string; pkg: string }[] = [
  { path: "/usr/bin/containerd", pkg: "containerd" },
  { path: "/usr/bin/ctr", pkg: "containerd" },
  { path: "/usr/sbin/runc", pkg: "runc" },
  { path: "/usr/lib/cni/bridge", pkg: "containernetworking-plugins" },
  { path: "/usr/lib/cni/host-local", pkg: "containernetworking-plugins" },
  { path: "/usr/lib/cni/portmap", pkg: "containernetworking-plugins" },
  { path: "/usr/lib/cni/loopback", pkg: "containernetworking-plugins" },
  { path: "/usr/sbin/nft", pkg: "nftables" },
  // kube-router's network policy controller (decision 014) drives iptables (its nft back end) and ipset.
  { path: "/usr/sbin/iptables", pkg: "iptables" },
  { path: "/usr/sbin/ipset", pkg: "ipset" },
  { path: "/usr/bin/socat", pkg: "socat" },
  { path: "/usr/bin/nsenter", pkg: "util-linux" },
  { path: "/usr/bin/unshare", pkg: "util-linux" },
  { path: "/usr/sbin/sysctl", pkg: "procps" },
  { path: "/usr/bin/ip", pkg: "iproute2" },
];

export function missingNodePackages(exists: (p: string) => boolean = fs.existsSync): string[] {
  return [...new Set(NEEDS.filter((n) => !exists(n.path) && !exists(n.path.replace("/usr/sbin/", "/sbin/").replace("/usr/bin/", "/bin/"))).map((n) => n.pkg))];
}

function cgroupsUsable(): string | null {
  if (fs.existsSync("/sys/fs/cgroup/memory/memory.limit_in_bytes") && fs.existsSync("/sys/fs/cgroup/cpu")) return null;
  if (fs.existsSync("/sys/fs/cgroup/cgroup.controllers")) return null; // cgroup v2
  return "no usable cgroup file system under /sys/fs/cgroup (memory and cpu controllers)";
}

/** Checks the machine, installing missing packages when it can; the reason in words when it cannot. */
export function checkNodeSupport(l: Layout): NodeDecision {
  if (l.realNode === "off") return { enabled: false, reason: "ACADEMY_CLUSTER_REAL_NODE=off" };
  if (process.platform !== "linux") return { enabled: false, reason: `a real node needs Linux (this is ${process.platform})` };
  if (process.getuid?.() !== 0) {
    return { enabled: false, reason: "a real node needs root (containerd, network namespaces and cgroups); run as root, or set ACADEMY_CLUSTER_REAL_NODE=off to silence this" };
  }
  const cg = cgroupsUsable();
  if (cg) return { enabled: false, reason: cg };
  let missing = missingNodePackages();
  if (missing.length && fs.existsSync("/usr/bin/apt-get")) {
    l.log(`real node: installing Debian packages ${missing.join(", ")} (apt-get)...`);
    const env = childEnvironment({ DEBIAN_FRONTEND: "noninteractive" });
    let r = spawnSync("apt-get", ["install", "-y", "--no-install-recommends", ...missing], { env, encoding: "utf8" });
    if (r.status !== 0) {
      spawnSync("apt-get", ["update"], { env, stdio: "ignore" });
      r = spawnSync("apt-get", ["install", "-y", "--no-install-recommends", ...missing], { env, encoding: "utf8" });
    }
    if (r.status !== 0) l.log(`real node: apt-get failed: ${(r.stderr || "").trim().split("\n").slice(-2).join(" ")}`);
    missing = missingNodePackages();
  }
  if (missing.length) return { enabled: false, reason: `missing Debian packages: ${missing.join(", ")} (apt-get install ${missing.join(" ")})` };
  return { enabled: true };
}

export function writeDecision(l: Layout, d: NodeDecision): void {
  fs.mkdirSync(l.node.dir, { recursive: true });
  fs.writeFileSync(l.node.decisionFile, JSON.stringify(d) + "\n");
}

export function readDecision(l: Layout): NodeDecision {
  try {
    const d = JSON.parse(fs.readFileSync(l.node.decisionFile, "utf8")) as NodeDecision;
    return d.enabled === true ? { enabled: true } : { enabled: false, reason: String((d as { reason?: unknown }).reason ?? "not started") };
  } catch {
    return { enabled: false, reason: "the real node was not started" };
  }
}
