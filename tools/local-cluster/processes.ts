// The cluster's processes: started detached with a pid file each (so they outlive the command
// that started them and `npm start` and the tests share one cluster), recognised as ours by
// their command line pointing into the cluster directory, stopped with SIGTERM then SIGKILL.
// Also who holds a port, so a clash names the process. Linux /proc based.
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { componentError, LocalClusterError } from "./errors";
import { type Layout, logFile, pidFile } from "./layout";
import { childEnvironment } from "./options";

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
  // A zombie (exited child not yet reaped) is not alive for our purposes.
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3);
    if (state === "Z" || state === "X") return false;
  } catch {
    /* not Linux or gone */
  }
  return true;
}

function cmdline(pid: number): string[] {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
  } catch {
    return [];
  }
}

/** A process that we started for this cluster directory (its arguments reference clusterDir). */
export function isOurProcess(l: Layout, pid: number, component?: string): boolean {
  const args = cmdline(pid);
  if (args.length === 0) return false;
  if (component && path.basename(args[0] ?? "") !== component) return false;
  return args.some((a) => a.includes(l.clusterDir));
}

export function readPid(l: Layout, component: string): number | null {
  try {
    const n = Number(fs.readFileSync(pidFile(l, component), "utf8").trim());
    return Number.isInteger(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}

/** The running pid of a component we started, or null. */
export function runningPid(l: Layout, component: string): number | null {
  const pid = readPid(l, component);
  return pid !== null && isAlive(pid) && isOurProcess(l, pid, component) ? pid : null;
}

/** Processes named like one of `components` whose command line points into this cluster directory. */
export function findOurProcesses(l: Layout, components: readonly string[]): { pid: number; name: string }[] {
  const out: { pid: number; name: string }[] = [];
  let entries: string[] = [];
  try {
    entries = fs.readdirSync("/proc");
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    const pid = Number(e);
    if (pid === process.pid) continue;
    const args = cmdline(pid);
    const name = args[0] ? path.basename(args[0]) : "";
    if (components.includes(name) && args.some((a) => a.includes(l.clusterDir)) && isAlive(pid)) {
      out.push({ pid, name });
    }
  }
  return out;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(false));
    srv.listen({ port, host: "127.0.0.1", exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/** Which process listens on a TCP port (Linux /proc; best effort). */
function portOwner(port: number): { pid: number; cmd: string } | null {
  const inodes = new Set<string>();
  for (const f of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text = "";
    try {
      text = fs.readFileSync(f, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || cols[3] !== "0A") continue; // 0A = LISTEN
      if (parseInt(cols[1]?.split(":")[1] ?? "", 16) === port) inodes.add(cols[9] ?? "");
    }
  }
  if (inodes.size === 0) return null;
  for (const e of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    let fds: string[] = [];
    try {
      fds = fs.readdirSync(`/proc/${e}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const m = fs.readlinkSync(`/proc/${e}/fd/${fd}`).match(/^socket:\[(\d+)\]$/);
        if (m?.[1] && inodes.has(m[1])) return { pid: Number(e), cmd: cmdline(Number(e)).join(" ") };
      } catch {
        /* raced */
      }
    }
  }
  return { pid: 0, cmd: "(unknown process; not visible to this user)" };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function terminate(pid: number, timeoutMs = 10000): Promise<"term" | "kill" | "gone"> {
  if (!isAlive(pid)) return "gone";
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return "gone";
  }
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return "term";
    await sleep(100);
  }
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    /* gone */
  }
  for (let i = 0; i < 50 && isAlive(pid); i++) await sleep(100);
  return "kill";
}

/**
 * Makes sure `port` is free for `component`: an earlier process of this cluster holding it is
 * stopped; anything else is an error naming the process and the setting (`setting`) to change.
 */
export async function ensurePortFree(l: Layout, component: string, port: number, setting: string): Promise<void> {
  if (await portFree(port)) return;
  const owner = portOwner(port);
  if (owner && owner.pid > 0 && isOurProcess(l, owner.pid)) {
    l.log(`leftover: port ${port} is held by an earlier ${path.basename(cmdline(owner.pid)[0] ?? "?")} (pid ${owner.pid}) of this cluster; stopping it`);
    await terminate(owner.pid);
    if (await portFree(port)) return;
  }
  const who = owner ? `pid ${owner.pid}: ${owner.cmd.replace(/\s+/g, " ").slice(0, 200)}` : "an unknown process";
  throw new LocalClusterError(
    `port ${port} needed by ${component} is in use by ${who}.\n` +
      `Stop that process, or give ${component} another port with ${setting}=<port>.`,
    component,
  );
}

/** Starts `argv` detached, output appended to the component's log, and writes its pid file. */
export function spawnDetached(l: Layout, component: string, argv: string[]): number {
  const [cmd = "", ...args] = argv;
  const lf = logFile(l, component);
  fs.appendFileSync(lf, `\n===== ${new Date().toISOString()} starting ${component}: ${cmd} ${args.join(" ")}\n`);
  const fd = fs.openSync(lf, "a");
  const child: ChildProcess = spawn(cmd, args, {
    detached: true,
    stdio: ["ignore", fd, fd],
    env: childEnvironment({}, ["KUBECONFIG"]),
    cwd: l.clusterDir,
  });
  fs.closeSync(fd);
  if (child.pid === undefined) throw componentError(component, lf, `could not be started (${cmd})`);
  child.on("error", () => {}); // reported through the health wait
  child.unref();
  fs.writeFileSync(pidFile(l, component), `${child.pid}\n`);
  return child.pid;
}

/** Removes stale pid files and stops processes of this cluster directory that have no pid file. */
export async function cleanLeftovers(l: Layout, components: readonly string[]): Promise<void> {
  for (const c of components) {
    const pid = readPid(l, c);
    if (pid === null) {
      if (fs.existsSync(pidFile(l, c))) {
        l.log(`leftover: unreadable pid file ${pidFile(l, c)}; removing it`);
        fs.rmSync(pidFile(l, c), { force: true });
      }
      continue;
    }
    if (!isAlive(pid) || !isOurProcess(l, pid, c)) {
      const why = isAlive(pid) ? `pid ${pid} now belongs to another program` : `pid ${pid} is no longer running`;
      l.log(`leftover: stale pid file for ${c} (${why}) from an earlier run; removing it`);
      fs.rmSync(pidFile(l, c), { force: true });
    }
  }
  const tracked = new Set(components.map((c) => runningPid(l, c)).filter((p): p is number => p !== null));
  for (const o of findOurProcesses(l, components)) {
    if (tracked.has(o.pid)) continue;
    l.log(`leftover: ${o.name} (pid ${o.pid}) of this cluster is running without a pid file; stopping it`);
    await terminate(o.pid);
  }
}
