// Stopping the real node leaves nothing behind: every container and pod sandbox is killed and
// removed through containerd (while it still runs), then, once the processes are gone, the mounts
// under the node's folder, its network namespace (with the link and bridge) and its cgroups.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { Layout } from "../layout";
import { removeNodeNetwork } from "./network";

function ctr(l: Layout, args: string[]) {
  return spawnSync("ctr", ["-a", l.node.containerdSocket, "-n", "k8s.io", ...args], { encoding: "utf8", timeout: 30_000 });
}

/** Kills and removes every container of the node (call with containerd running, kubelet stopped). */
export function removeContainers(l: Layout): number {
  if (!fs.existsSync(l.node.containerdSocket)) return 0;
  const tasks = ctr(l, ["tasks", "ls", "-q"]);
  if (tasks.status !== 0) return 0;
  const ids = tasks.stdout.split("\n").map((s) => s.trim()).filter(Boolean);
  for (const id of ids) ctr(l, ["tasks", "kill", "-s", "SIGKILL", id]);
  for (const id of ids) ctr(l, ["tasks", "rm", "-f", id]);
  const containers = ctr(l, ["containers", "ls", "-q"]);
  const all = containers.status === 0 ? containers.stdout.split("\n").map((s) => s.trim()).filter(Boolean) : [];
  for (const id of all) ctr(l, ["containers", "rm", id]);
  return all.length;
}

/** Mount points under `dir`, deepest first. */
export function mountsUnder(dir: string, mountinfo = fs.readFileSync("/proc/self/mountinfo", "utf8")): string[] {
  const points = mountinfo.split("\n").map((line) => line.split(" ")[4] ?? "").filter((p) => p === dir || p.startsWith(dir + "/"));
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

/** Containerd shims of this node (they outlive containerd). */
function killShims(l: Layout) {
  for (const e of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    let cmd = "";
    try {
      cmd = fs.readFileSync(`/proc/${e}/cmdline`, "utf8");
    } catch {
      continue;
    }
    if (cmd.startsWith("/usr/bin/containerd-shim") && cmd.includes(l.node.containerdSocket)) {
      try {
        process.kill(Number(e), "SIGKILL");
      } catch {
        /* gone */
      }
    }
  }
}

function removeCgroups(root: string) {
  let controllers: string[] = [];
  try {
    controllers = fs.readdirSync("/sys/fs/cgroup");
  } catch {
    return;
  }
  const rmTree = (dir: string) => {
    let entries: fs.Dirent[] = [];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) if (e.isDirectory()) rmTree(path.join(dir, e.name));
    try {
      fs.rmdirSync(dir);
    } catch {
      /* busy or gone */
    }
  };
  for (const c of controllers) rmTree(path.join("/sys/fs/cgroup", c, root));
}

/** After every node process has stopped: mounts, shims, network, cgroups. */
export function removeNodeLeftovers(l: Layout): void {
  killShims(l);
  for (const m of mountsUnder(l.node.dir)) spawnSync("umount", ["-l", m], { stdio: "ignore" });
  removeNodeNetwork(l.node.network, l.log);
  removeCgroups(l.node.network.netns);
}
