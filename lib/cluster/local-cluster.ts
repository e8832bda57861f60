// The local Kubernetes control plane for development and CI: real etcd, kube-apiserver,
// kube-controller-manager and kube-scheduler binaries (built by scripts/cluster/build.sh from the
// versions pinned in scripts/cluster/gomod/) plus kwok, which simulates nodes so pods of
// Deployments and Jobs become Running/Ready/Succeeded without a container runtime.
// See docs/decisions/002-local-control-plane.md.
//
// Used by scripts (scripts/cluster.ts) and test setup, so deliberately NOT "server-only" and it
// does not read lib/env.ts: callers pass the data directory in.
//
// Everything lives under <dataDir>/cluster/: pki/, etcd/ (data), logs/, pids/, *.kubeconfig,
// state.json; the admin kubeconfig is <dataDir>/cluster/admin.kubeconfig. All processes run
// detached (they survive the caller) so `npm start` and the test suite reuse one cluster.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import https from "node:https";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

// ---------------------------------------------------------------------------------------------
// Options and results

export interface ClusterPorts {
  apiserver: number;
  etcdClient: number;
  etcdPeer: number;
  controllerManager: number;
  scheduler: number;
  kwok: number;
}

/** Non-standard defaults so a real cluster / kind / another etcd on the machine does not clash. */
export const DEFAULT_PORTS: ClusterPorts = {
  apiserver: 16443,
  etcdClient: 12379,
  etcdPeer: 12380,
  controllerManager: 16257,
  scheduler: 16259,
  kwok: 16280,
};

export interface LocalClusterOptions {
  /** Academy data directory (ACADEMY_DATA_DIR); cluster state goes to <dataDir>/cluster. Default ".academy-data". */
  dataDir?: string;
  /** Root of the Academy repository (for scripts/cluster/). Default: derived from this file. */
  repoRoot?: string;
  /** Cache for built binaries. Default $ACADEMY_CACHE_DIR or ~/.cache/academy. */
  cacheDir?: string;
  /** Use binaries from this directory instead of the build cache. */
  binDir?: string;
  ports?: Partial<ClusterPorts>;
  /** Number of kwok fake nodes. Default 3. */
  nodes?: number;
  /**
   * "auto" (default): run scripts/cluster/build.sh when binaries are missing or were built for
   * other pinned versions; "always": run it anyway (it is a no-op when up to date); "never": fail.
   */
  build?: "auto" | "always" | "never";
  /** Overall time limit for start, in ms. Default 180000. */
  timeoutMs?: number;
  /** Progress output. Default: lines on stderr prefixed with "cluster:". */
  log?: (line: string) => void;
}

export interface ClusterVersions {
  kubernetes: string;
  etcd: string;
  kwok: string;
}

export interface LocalClusterInfo {
  kubeconfigPath: string;
  server: string;
  clusterDir: string;
  binDir: string;
  versions: ClusterVersions;
  ports: ClusterPorts;
  nodes: string[];
  /** True when a healthy cluster was already running and was reused. */
  alreadyRunning: boolean;
  /** Wall-clock time of this start call, in ms. */
  durationMs: number;
}

export type ComponentName = "etcd" | "kube-apiserver" | "kube-controller-manager" | "kube-scheduler" | "kwok";
const COMPONENTS: ComponentName[] = ["etcd", "kube-apiserver", "kube-controller-manager", "kube-scheduler", "kwok"];

export interface ComponentStatus {
  name: ComponentName;
  pid: number | null;
  running: boolean;
  healthy: boolean;
  port: number;
  logFile: string;
  detail?: string;
}

export interface LocalClusterStatus {
  clusterDir: string;
  kubeconfigPath: string;
  server: string;
  binDir: string;
  built: boolean;
  versions: ClusterVersions;
  ports: ClusterPorts;
  components: ComponentStatus[];
  /** All components running and healthy. */
  healthy: boolean;
  /** Ready kwok nodes (only when the apiserver answers). */
  readyNodes?: string[];
}

export class LocalClusterError extends Error {
  constructor(
    message: string,
    readonly component?: ComponentName,
    readonly logFile?: string,
  ) {
    super(message);
    this.name = "LocalClusterError";
  }
}

/** Options from the environment, shared by scripts/cluster.ts and test setup. */
export function clusterOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): LocalClusterOptions {
  const port = (name: string): number | undefined => {
    const v = env[name];
    if (v === undefined || v === "") return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 65535) throw new LocalClusterError(`${name} must be a TCP port, got "${v}"`);
    return n;
  };
  const ports: Partial<ClusterPorts> = {
    apiserver: port("ACADEMY_CLUSTER_APISERVER_PORT"),
    etcdClient: port("ACADEMY_CLUSTER_ETCD_PORT"),
    etcdPeer: port("ACADEMY_CLUSTER_ETCD_PEER_PORT"),
    controllerManager: port("ACADEMY_CLUSTER_CONTROLLER_MANAGER_PORT"),
    scheduler: port("ACADEMY_CLUSTER_SCHEDULER_PORT"),
    kwok: port("ACADEMY_CLUSTER_KWOK_PORT"),
  };
  for (const k of Object.keys(ports) as (keyof ClusterPorts)[]) if (ports[k] === undefined) delete ports[k];
  return {
    dataDir: env.ACADEMY_DATA_DIR || ".academy-data",
    cacheDir: env.ACADEMY_CACHE_DIR || undefined,
    ports,
    nodes: env.ACADEMY_CLUSTER_NODES ? Number(env.ACADEMY_CLUSTER_NODES) : undefined,
  };
}

// ---------------------------------------------------------------------------------------------
// Paths and versions

interface Layout {
  repoRoot: string;
  clusterDir: string;
  pkiDir: string;
  etcdDir: string;
  etcdVersionFile: string;
  logDir: string;
  pidDir: string;
  stateFile: string;
  kubeconfig: Record<"admin" | "controller-manager" | "scheduler" | "kwok", string>;
  kwokConfig: string;
  binDir: string;
  buildScript: string;
  versions: ClusterVersions;
  ports: ClusterPorts;
  nodes: number;
  log: (line: string) => void;
}

const defaultLog = (line: string) => process.stderr.write(`cluster: ${line}\n`);

function layout(opts: LocalClusterOptions): Layout {
  const repoRoot = path.resolve(opts.repoRoot ?? fileURLToPath(new URL("../..", import.meta.url)));
  const clusterDir = path.resolve(opts.dataDir ?? ".academy-data", "cluster");
  const versions = readPinnedVersions(repoRoot);
  const cacheDir = opts.cacheDir ?? process.env.ACADEMY_CACHE_DIR ?? path.join(os.homedir(), ".cache", "academy");
  const binDir = path.resolve(opts.binDir ?? path.join(cacheDir, "k8s", versions.kubernetes, "bin"));
  return {
    repoRoot,
    clusterDir,
    pkiDir: path.join(clusterDir, "pki"),
    etcdDir: path.join(clusterDir, "etcd"),
    etcdVersionFile: path.join(clusterDir, "etcd.version"),
    logDir: path.join(clusterDir, "logs"),
    pidDir: path.join(clusterDir, "pids"),
    stateFile: path.join(clusterDir, "state.json"),
    kubeconfig: {
      admin: path.join(clusterDir, "admin.kubeconfig"),
      "controller-manager": path.join(clusterDir, "controller-manager.kubeconfig"),
      scheduler: path.join(clusterDir, "scheduler.kubeconfig"),
      kwok: path.join(clusterDir, "kwok.kubeconfig"),
    },
    kwokConfig: path.join(clusterDir, "kwok.yaml"),
    binDir,
    buildScript: path.join(repoRoot, "scripts", "cluster", "build.sh"),
    versions,
    ports: { ...DEFAULT_PORTS, ...opts.ports },
    nodes: opts.nodes ?? 3,
    log: opts.log ?? defaultLog,
  };
}

/** Versions pinned by the wrapper modules in scripts/cluster/gomod/. */
export function readPinnedVersions(repoRoot: string): ClusterVersions {
  const pinned = (dir: string, mod: string): string => {
    const file = path.join(repoRoot, "scripts", "cluster", "gomod", dir, "go.mod");
    const text = fs.readFileSync(file, "utf8");
    const m = text.match(new RegExp(`^\\s*(?:require\\s+)?${mod.replace(/[./]/g, "\\$&")}\\s+(v\\S+)`, "m"));
    if (!m?.[1]) throw new LocalClusterError(`cannot find the pinned version of ${mod} in ${file}`);
    return m[1];
  };
  return {
    kubernetes: pinned("kubernetes", "k8s.io/kubernetes"),
    etcd: pinned("etcd", "go.etcd.io/etcd/server/v3"),
    kwok: pinned("kwok", "sigs.k8s.io/kwok"),
  };
}

function logFile(l: Layout, c: ComponentName) {
  return path.join(l.logDir, `${c}.log`);
}
function pidFile(l: Layout, c: ComponentName) {
  return path.join(l.pidDir, `${c}.pid`);
}
function componentPort(l: Layout, c: ComponentName): number {
  switch (c) {
    case "etcd":
      return l.ports.etcdClient;
    case "kube-apiserver":
      return l.ports.apiserver;
    case "kube-controller-manager":
      return l.ports.controllerManager;
    case "kube-scheduler":
      return l.ports.scheduler;
    case "kwok":
      return l.ports.kwok;
  }
}

// ---------------------------------------------------------------------------------------------
// Small utilities

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tail(file: string, lines = 25): string {
  try {
    const text = fs.readFileSync(file, "utf8");
    return text.trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log yet)";
  }
}

function componentError(l: Layout, c: ComponentName, what: string): LocalClusterError {
  const lf = logFile(l, c);
  return new LocalClusterError(`${c} ${what}\nlog: ${lf}\n--- last lines of ${lf} ---\n${tail(lf)}`, c, lf);
}

function isAlive(pid: number): boolean {
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
function isOurProcess(l: Layout, pid: number, c?: ComponentName): boolean {
  const args = cmdline(pid);
  if (args.length === 0) return false;
  if (c && path.basename(args[0] ?? "") !== c) return false;
  return args.some((a) => a.includes(l.clusterDir));
}

function readPid(l: Layout, c: ComponentName): number | null {
  try {
    const n = Number(fs.readFileSync(pidFile(l, c), "utf8").trim());
    return Number.isInteger(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}

/** The running pid of a component we started, or null. */
function runningPid(l: Layout, c: ComponentName): number | null {
  const pid = readPid(l, c);
  return pid !== null && isAlive(pid) && isOurProcess(l, pid, c) ? pid : null;
}

/** All processes whose command line points into this cluster directory (ours, with or without pid file). */
function findOurProcesses(l: Layout): { pid: number; name: string }[] {
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
    if ((COMPONENTS as string[]).includes(name) && args.some((a) => a.includes(l.clusterDir)) && isAlive(pid)) {
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

async function terminate(pid: number, timeoutMs = 10000): Promise<"term" | "kill" | "gone"> {
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

// ---------------------------------------------------------------------------------------------
// HTTPS to the components (client certificates from our CA)

interface Tls {
  ca: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

function tlsFor(l: Layout, client: "admin" | "apiserver-etcd-client" | null): Tls {
  const ca = fs.readFileSync(path.join(l.pkiDir, "ca.crt"));
  if (!client) return { ca };
  return {
    ca,
    cert: fs.readFileSync(path.join(l.pkiDir, `${client}.crt`)),
    key: fs.readFileSync(path.join(l.pkiDir, `${client}.key`)),
  };
}

interface HttpResult {
  status: number;
  body: string;
}

function request(
  url: string,
  tls: Tls | null,
  method = "GET",
  body?: unknown,
  timeoutMs = 5000,
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const lib = u.protocol === "https:" ? https : http;
    const req = lib.request(
      u,
      {
        method,
        ...(tls ? { ca: tls.ca, cert: tls.cert, key: tls.key } : {}),
        headers: payload ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) } : {},
        timeout: timeoutMs,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      },
    );
    req.on("timeout", () => req.destroy(new Error(`timeout after ${timeoutMs}ms: ${method} ${url}`)));
    req.on("error", reject);
    req.end(payload);
  });
}

async function healthy(l: Layout, c: ComponentName): Promise<{ ok: boolean; detail: string }> {
  try {
    let r: HttpResult;
    switch (c) {
      case "etcd":
        r = await request(`https://127.0.0.1:${l.ports.etcdClient}/health`, tlsFor(l, "apiserver-etcd-client"));
        return { ok: r.status === 200 && /"health":\s*"true"/.test(r.body), detail: r.body.trim() };
      case "kube-apiserver":
        r = await request(`https://127.0.0.1:${l.ports.apiserver}/readyz`, tlsFor(l, "admin"));
        break;
      case "kube-controller-manager":
        r = await request(`https://127.0.0.1:${l.ports.controllerManager}/healthz`, tlsFor(l, null));
        break;
      case "kube-scheduler":
        r = await request(`https://127.0.0.1:${l.ports.scheduler}/healthz`, tlsFor(l, null));
        break;
      case "kwok":
        r = await request(`http://127.0.0.1:${l.ports.kwok}/healthz`, null);
        break;
    }
    return { ok: r.status === 200, detail: `HTTP ${r.status} ${r.body.trim().slice(0, 300)}` };
  } catch (e) {
    return { ok: false, detail: (e as Error).message };
  }
}

function api(l: Layout, method: string, apiPath: string, body?: unknown) {
  return request(`https://127.0.0.1:${l.ports.apiserver}${apiPath}`, tlsFor(l, "admin"), method, body, 10000);
}

// ---------------------------------------------------------------------------------------------
// Binaries

const STAMP = ".academy-build-stamp";

function binariesReady(l: Layout): { ok: boolean; why: string } {
  for (const c of COMPONENTS) {
    if (!fs.existsSync(path.join(l.binDir, c))) return { ok: false, why: `${c} is missing in ${l.binDir}` };
  }
  if (!fs.existsSync(path.join(l.binDir, "kwok-stages.yaml"))) return { ok: false, why: "kwok-stages.yaml is missing" };
  let stamp = "";
  try {
    stamp = fs.readFileSync(path.join(l.binDir, STAMP), "utf8");
  } catch {
    return { ok: false, why: `no build stamp in ${l.binDir} (interrupted build?)` };
  }
  const v = l.versions;
  for (const want of [`kubernetes ${v.kubernetes}`, `etcd ${v.etcd}`, `kwok ${v.kwok}`]) {
    if (!stamp.split("\n").includes(want)) return { ok: false, why: `binaries were built for other versions (want ${want})` };
  }
  return { ok: true, why: "" };
}

/** Runs scripts/cluster/build.sh (progress goes to this process's stderr/stdout). */
export function buildLocalCluster(opts: LocalClusterOptions = {}): void {
  const l = layout(opts);
  const env = { ...process.env, ...(opts.cacheDir ? { ACADEMY_CACHE_DIR: opts.cacheDir } : {}) };
  const r = spawnSync("bash", [l.buildScript], { stdio: "inherit", env });
  if (r.status !== 0) throw new LocalClusterError(`scripts/cluster/build.sh failed (exit ${r.status ?? r.signal})`);
}

// ---------------------------------------------------------------------------------------------
// PKI (openssl)

function openssl(args: string[], cwd: string) {
  const r = spawnSync("openssl", args, { cwd, encoding: "utf8" });
  if (r.error) throw new LocalClusterError(`cannot run openssl (${r.error.message}); install it (apt-get install openssl)`);
  if (r.status !== 0) throw new LocalClusterError(`openssl ${args.join(" ")} failed:\n${r.stderr}`);
}

interface CertSpec {
  name: string;
  subject: string;
  server?: boolean;
  client?: boolean;
  /** Signing CA; default "ca". */
  ca?: "ca" | "front-proxy-ca";
}

const CERTS: CertSpec[] = [
  { name: "apiserver", subject: "/CN=kube-apiserver", server: true },
  { name: "etcd-server", subject: "/CN=academy-etcd", server: true },
  { name: "apiserver-etcd-client", subject: "/CN=kube-apiserver-etcd-client", client: true },
  { name: "admin", subject: "/O=system:masters/CN=academy-admin", client: true },
  { name: "controller-manager", subject: "/CN=system:kube-controller-manager", client: true },
  { name: "controller-manager-serving", subject: "/CN=kube-controller-manager", server: true },
  { name: "scheduler", subject: "/CN=system:kube-scheduler", client: true },
  { name: "scheduler-serving", subject: "/CN=kube-scheduler", server: true },
  { name: "kwok", subject: "/CN=academy-kwok", client: true },
  // Aggregation layer (front proxy): a separate CA, so client certs of "ca" cannot assert request headers.
  { name: "front-proxy-client", subject: "/CN=front-proxy-client", client: true, ca: "front-proxy-ca" },
];

function ensurePki(l: Layout) {
  const d = l.pkiDir;
  fs.mkdirSync(d, { recursive: true, mode: 0o700 });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  if (!fs.existsSync(path.join(d, "ca.crt")) || !fs.existsSync(path.join(d, "ca.key"))) {
    l.log("generating a CA and certificates (openssl) in " + d);
    for (const f of fs.readdirSync(d)) fs.rmSync(path.join(d, f)); // a new CA invalidates everything
    openssl(["req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "3650", "-subj", "/CN=academy-local-ca"], d);
  }
  if (!fs.existsSync(path.join(d, "front-proxy-ca.crt"))) {
    fs.rmSync(path.join(d, "front-proxy-client.crt"), { force: true });
    openssl(["req", "-x509", ...ec, "-keyout", "front-proxy-ca.key", "-out", "front-proxy-ca.crt", "-days", "3650",
      "-subj", "/CN=academy-local-front-proxy-ca"], d);
  }
  for (const c of CERTS) {
    if (fs.existsSync(path.join(d, `${c.name}.crt`)) && fs.existsSync(path.join(d, `${c.name}.key`))) continue;
    const usages = [c.server ? "serverAuth" : "", c.client ? "clientAuth" : ""].filter(Boolean).join(",");
    const ext = [
      "[v3]",
      "basicConstraints=critical,CA:FALSE",
      "keyUsage=critical,digitalSignature,keyEncipherment",
      `extendedKeyUsage=${usages}`,
      ...(c.server
        ? [
            "subjectAltName=IP:127.0.0.1,DNS:localhost" +
              (c.name === "apiserver"
                ? ",IP:10.96.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
                : ""),
          ]
        : []),
    ].join("\n");
    const extFile = path.join(d, `${c.name}.ext`);
    fs.writeFileSync(extFile, ext + "\n");
    openssl(["req", "-new", ...ec, "-keyout", `${c.name}.key`, "-out", `${c.name}.csr`, "-subj", c.subject], d);
    openssl(
      ["x509", "-req", "-in", `${c.name}.csr`, "-CA", `${c.ca ?? "ca"}.crt`, "-CAkey", `${c.ca ?? "ca"}.key`, "-CAcreateserial", "-days", "825",
        "-extfile", extFile, "-extensions", "v3", "-out", `${c.name}.crt`],
      d,
    );
    fs.rmSync(extFile);
    fs.rmSync(path.join(d, `${c.name}.csr`));
  }
  if (!fs.existsSync(path.join(d, "sa.key"))) {
    openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "sa.key"], d);
    openssl(["pkey", "-in", "sa.key", "-pubout", "-out", "sa.pub"], d);
  }
  for (const f of fs.readdirSync(d)) if (f.endsWith(".key")) fs.chmodSync(path.join(d, f), 0o600);
}

function writeKubeconfig(l: Layout, file: string, user: string, certName: string) {
  const b64 = (f: string) => fs.readFileSync(path.join(l.pkiDir, f)).toString("base64");
  const text = `apiVersion: v1
kind: Config
clusters:
- name: academy-local
  cluster:
    server: https://127.0.0.1:${l.ports.apiserver}
    certificate-authority-data: ${b64("ca.crt")}
users:
- name: ${user}
  user:
    client-certificate-data: ${b64(`${certName}.crt`)}
    client-key-data: ${b64(`${certName}.key`)}
contexts:
- name: ${user}@academy-local
  context:
    cluster: academy-local
    user: ${user}
current-context: ${user}@academy-local
`;
  fs.writeFileSync(file, text, { mode: 0o600 });
}

function writeConfigs(l: Layout) {
  writeKubeconfig(l, l.kubeconfig.admin, "academy-admin", "admin");
  writeKubeconfig(l, l.kubeconfig["controller-manager"], "kube-controller-manager", "controller-manager");
  writeKubeconfig(l, l.kubeconfig.scheduler, "kube-scheduler", "scheduler");
  writeKubeconfig(l, l.kubeconfig.kwok, "kwok", "kwok");
  // kwok needs its lifecycle Stages in its config (no Stage CRDs): the defaults kwokctl uses.
  const stages = fs.readFileSync(path.join(l.binDir, "kwok-stages.yaml"), "utf8");
  fs.writeFileSync(
    l.kwokConfig,
    [
      "# Written by lib/cluster/local-cluster.ts: kwok options + the default Stages of the pinned kwok.",
      "apiVersion: config.kwok.x-k8s.io/v1alpha1",
      "kind: KwokConfiguration",
      "options:",
      // kwok's defaulting does not run for a config given with --config; without these it refuses to start.
      "  nodeLeaseParallelism: 4",
      "  nodePlayStageParallelism: 4",
      "  podPlayStageParallelism: 4",
      "  podsOnNodeSyncParallelism: 1",
      "  enablePodsOnNodeSyncListPager: true",
      "  enableDebuggingHandlers: false",
      "  enableProfilingHandler: false",
      // Drop the header comment and leading separator of kwok-stages.yaml; no empty documents.
      stages.replace(/^(#.*\n)*/, "").replace(/^---\n/, "---\n"),
    ].join("\n"),
  );
}

// ---------------------------------------------------------------------------------------------
// Component command lines

function commandFor(l: Layout, c: ComponentName): string[] {
  const p = (f: string) => path.join(l.pkiDir, f);
  const bin = path.join(l.binDir, c);
  const ports = l.ports;
  switch (c) {
    case "etcd":
      return [bin,
        "--name=academy",
        `--data-dir=${l.etcdDir}`,
        `--listen-client-urls=https://127.0.0.1:${ports.etcdClient}`,
        `--advertise-client-urls=https://127.0.0.1:${ports.etcdClient}`,
        `--listen-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
        `--initial-cluster=academy=http://127.0.0.1:${ports.etcdPeer}`,
        `--cert-file=${p("etcd-server.crt")}`, `--key-file=${p("etcd-server.key")}`,
        `--trusted-ca-file=${p("ca.crt")}`, "--client-cert-auth=true",
        "--log-level=warn",
      ];
    case "kube-apiserver":
      return [bin,
        "--advertise-address=127.0.0.1", "--bind-address=127.0.0.1", `--secure-port=${ports.apiserver}`,
        `--etcd-servers=https://127.0.0.1:${ports.etcdClient}`,
        `--etcd-cafile=${p("ca.crt")}`, `--etcd-certfile=${p("apiserver-etcd-client.crt")}`,
        `--etcd-keyfile=${p("apiserver-etcd-client.key")}`,
        `--client-ca-file=${p("ca.crt")}`,
        `--tls-cert-file=${p("apiserver.crt")}`, `--tls-private-key-file=${p("apiserver.key")}`,
        `--service-account-key-file=${p("sa.pub")}`, `--service-account-signing-key-file=${p("sa.key")}`,
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        "--service-cluster-ip-range=10.96.0.0/16",
        `--requestheader-client-ca-file=${p("front-proxy-ca.crt")}`,
        "--requestheader-allowed-names=front-proxy-client",
        "--requestheader-username-headers=X-Remote-User",
        "--requestheader-group-headers=X-Remote-Group",
        "--requestheader-extra-headers-prefix=X-Remote-Extra-",
        `--proxy-client-cert-file=${p("front-proxy-client.crt")}`, `--proxy-client-key-file=${p("front-proxy-client.key")}`,
        "--authorization-mode=Node,RBAC",
        "--enable-admission-plugins=NamespaceLifecycle,LimitRanger,ServiceAccount,DefaultStorageClass," +
          "DefaultTolerationSeconds,NodeRestriction,PodSecurity,Priority,ResourceQuota," +
          "MutatingAdmissionWebhook,ValidatingAdmissionWebhook,ValidatingAdmissionPolicy",
        "--allow-privileged=true", // privileged pods are allowed by the apiserver; Pod Security Admission restricts per namespace
        "--profiling=false",
        // The 127.0.0.1 advertise address cannot go into the `kubernetes` Endpoints (loopback is invalid there).
        "--endpoint-reconciler-type=none",
      ];
    case "kube-controller-manager":
      return [bin,
        `--kubeconfig=${l.kubeconfig["controller-manager"]}`,
        `--authentication-kubeconfig=${l.kubeconfig["controller-manager"]}`,
        `--authorization-kubeconfig=${l.kubeconfig["controller-manager"]}`,
        "--bind-address=127.0.0.1", `--secure-port=${ports.controllerManager}`,
        `--tls-cert-file=${p("controller-manager-serving.crt")}`, `--tls-private-key-file=${p("controller-manager-serving.key")}`,
        `--client-ca-file=${p("ca.crt")}`,
        `--cluster-signing-cert-file=${p("ca.crt")}`, `--cluster-signing-key-file=${p("ca.key")}`,
        `--root-ca-file=${p("ca.crt")}`, `--service-account-private-key-file=${p("sa.key")}`,
        "--use-service-account-credentials=true",
        "--service-cluster-ip-range=10.96.0.0/16",
        "--leader-elect=false",
        "--profiling=false",
      ];
    case "kube-scheduler":
      return [bin,
        `--kubeconfig=${l.kubeconfig.scheduler}`,
        `--authentication-kubeconfig=${l.kubeconfig.scheduler}`,
        `--authorization-kubeconfig=${l.kubeconfig.scheduler}`,
        "--bind-address=127.0.0.1", `--secure-port=${ports.scheduler}`,
        `--tls-cert-file=${p("scheduler-serving.crt")}`, `--tls-private-key-file=${p("scheduler-serving.key")}`,
        `--client-ca-file=${p("ca.crt")}`,
        "--leader-elect=false",
        "--profiling=false",
      ];
    case "kwok":
      return [bin,
        `--kubeconfig=${l.kubeconfig.kwok}`,
        `--config=${l.kwokConfig}`,
        "--manage-all-nodes=false",
        "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
        "--node-lease-duration-seconds=40",
        "--cidr=10.244.0.0/16",
        "--node-ip=127.0.0.1",
        `--server-address=127.0.0.1:${ports.kwok}`,
      ];
  }
}

function spawnDetached(l: Layout, c: ComponentName): number {
  const [cmd = "", ...args] = commandFor(l, c);
  const lf = logFile(l, c);
  fs.appendFileSync(lf, `\n===== ${new Date().toISOString()} starting ${c}: ${cmd} ${args.join(" ")}\n`);
  const fd = fs.openSync(lf, "a");
  const env = { ...process.env };
  delete env.KUBECONFIG;
  const child: ChildProcess = spawn(cmd, args, { detached: true, stdio: ["ignore", fd, fd], env, cwd: l.clusterDir });
  fs.closeSync(fd);
  if (child.pid === undefined) throw componentError(l, c, `could not be started (${cmd})`);
  child.on("error", () => {}); // reported through the health wait
  child.unref();
  fs.writeFileSync(pidFile(l, c), `${child.pid}\n`);
  return child.pid;
}

async function waitHealthy(l: Layout, c: ComponentName, pid: number, deadline: number) {
  let last = "";
  while (Date.now() < deadline) {
    if (!isAlive(pid)) {
      try {
        fs.rmSync(pidFile(l, c));
      } catch {
        /* ignore */
      }
      throw componentError(l, c, `exited during start-up`);
    }
    const h = await healthy(l, c);
    if (h.ok) return;
    last = h.detail;
    await sleep(150);
  }
  throw componentError(l, c, `did not become healthy in time (last check: ${last})`);
}

// ---------------------------------------------------------------------------------------------
// Cluster objects created at start

const KWOK_RBAC = [
  {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name: "academy:kwok" },
    rules: [
      { apiGroups: [""], resources: ["nodes", "nodes/status", "pods", "pods/status"], verbs: ["get", "list", "watch", "create", "update", "patch", "delete"] },
      { apiGroups: [""], resources: ["events"], verbs: ["create", "update", "patch"] },
      { apiGroups: ["events.k8s.io"], resources: ["events"], verbs: ["create", "update", "patch"] },
      { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get", "list", "watch", "create", "update", "patch", "delete"] },
    ],
  },
  {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name: "academy:kwok" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "academy:kwok" },
    subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "academy-kwok" }],
  },
];

function kwokNode(name: string) {
  const resources = { cpu: "32", memory: "256Gi", pods: "250", "ephemeral-storage": "500Gi" };
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name,
      annotations: { "kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0" },
      labels: {
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/role": "agent",
        type: "kwok",
        "academy.dev/fake-node": "true",
      },
    },
    spec: {},
    status: { allocatable: resources, capacity: resources, nodeInfo: { architecture: "amd64", operatingSystem: "linux", kubeletVersion: "fake" } },
  };
}

async function createIfMissing(l: Layout, collection: string, obj: { metadata: { name: string } }) {
  const r = await api(l, "POST", collection, obj);
  if (r.status !== 201 && r.status !== 409) {
    throw new LocalClusterError(`creating ${collection}/${obj.metadata.name} failed: HTTP ${r.status} ${r.body.slice(0, 500)}`);
  }
}

/**
 * A new kwok process only takes over a node once the node's Lease held by the previous kwok has
 * expired (--node-lease-duration-seconds, 40 s): pods would stay Pending that long after a
 * restart. The old kwok is gone, so its leases are released here before kwok starts.
 */
async function releaseNodeLeases(l: Layout) {
  for (const n of nodeNames(l)) {
    const r = await api(l, "DELETE", `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${n}`);
    if (r.status !== 200 && r.status !== 404) {
      throw new LocalClusterError(`releasing the node lease of ${n} failed: HTTP ${r.status} ${r.body.slice(0, 300)}`);
    }
  }
}

function nodeNames(l: Layout) {
  return Array.from({ length: l.nodes }, (_, i) => `kwok-node-${i}`);
}

async function readyNodes(l: Layout): Promise<string[]> {
  const r = await api(l, "GET", "/api/v1/nodes?labelSelector=type%3Dkwok");
  if (r.status !== 200) return [];
  const list = JSON.parse(r.body) as {
    items: { metadata: { name: string }; status?: { conditions?: { type: string; status: string }[] } }[];
  };
  return list.items
    .filter((n) => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"))
    .map((n) => n.metadata.name);
}

async function waitFor(what: string, deadline: number, check: () => Promise<boolean>, hint: string) {
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(200);
  }
  throw new LocalClusterError(`timed out waiting for ${what}\n${hint}`);
}

// ---------------------------------------------------------------------------------------------
// State and leftovers

interface State {
  versions: ClusterVersions;
  ports: ClusterPorts;
  binDir: string;
  startedAt: string;
}

function readState(l: Layout): State | null {
  try {
    return JSON.parse(fs.readFileSync(l.stateFile, "utf8")) as State;
  } catch {
    return null;
  }
}

function sameConfig(a: State | null, l: Layout): boolean {
  return !!a && JSON.stringify(a.versions) === JSON.stringify(l.versions) &&
    JSON.stringify(a.ports) === JSON.stringify(l.ports) && a.binDir === l.binDir;
}

function minor(v: string) {
  return v.replace(/^v/, "").split(".").slice(0, 2).join(".");
}

/** Handles etcd data written by another etcd/Kubernetes version: moves it aside and says so. */
function checkEtcdData(l: Layout) {
  const want = { etcd: l.versions.etcd, kubernetes: l.versions.kubernetes };
  const hasData = fs.existsSync(path.join(l.etcdDir, "member"));
  if (!hasData) {
    fs.writeFileSync(l.etcdVersionFile, JSON.stringify(want) + "\n");
    return;
  }
  let have: { etcd?: string; kubernetes?: string } = {};
  try {
    have = JSON.parse(fs.readFileSync(l.etcdVersionFile, "utf8"));
  } catch {
    /* unknown */
  }
  const compatible = have.etcd && have.kubernetes && minor(have.etcd) === minor(want.etcd) &&
    minor(have.kubernetes) === minor(want.kubernetes);
  if (compatible) {
    if (have.etcd !== want.etcd || have.kubernetes !== want.kubernetes) {
      l.log(`reusing etcd data written by etcd ${have.etcd} / Kubernetes ${have.kubernetes} (patch upgrade to ${want.etcd} / ${want.kubernetes})`);
      fs.writeFileSync(l.etcdVersionFile, JSON.stringify(want) + "\n");
    }
    return;
  }
  const from = have.etcd ? `etcd ${have.etcd} / Kubernetes ${have.kubernetes}` : "an unknown (older) version";
  const aside = path.join(l.clusterDir, "old", `etcd-${(have.kubernetes ?? "unknown").replace(/[^\w.-]/g, "")}-${Date.now()}`);
  fs.mkdirSync(path.dirname(aside), { recursive: true });
  fs.renameSync(l.etcdDir, aside);
  fs.writeFileSync(l.etcdVersionFile, JSON.stringify(want) + "\n");
  l.log(`leftover: etcd data from ${from} does not match etcd ${want.etcd} / Kubernetes ${want.kubernetes};`);
  l.log(`  moved it to ${aside} and starting with an empty cluster (delete that directory when you no longer need it)`);
}

/** Removes stale pid files, stops processes of this cluster dir that have no pid file. Returns notes. */
async function cleanLeftovers(l: Layout) {
  for (const c of COMPONENTS) {
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
  const tracked = new Set(COMPONENTS.map((c) => runningPid(l, c)).filter((p): p is number => p !== null));
  for (const o of findOurProcesses(l)) {
    if (tracked.has(o.pid)) continue;
    l.log(`leftover: ${o.name} (pid ${o.pid}) of this cluster is running without a pid file; stopping it`);
    await terminate(o.pid);
  }
}

async function ensurePortFree(l: Layout, c: ComponentName, port: number) {
  if (await portFree(port)) return;
  const owner = portOwner(port);
  if (owner && owner.pid > 0 && isOurProcess(l, owner.pid)) {
    l.log(`leftover: port ${port} is held by an earlier ${path.basename(cmdline(owner.pid)[0] ?? "?")} (pid ${owner.pid}) of this cluster; stopping it`);
    await terminate(owner.pid);
    if (await portFree(port)) return;
  }
  const who = owner ? `pid ${owner.pid}: ${owner.cmd.replace(/\s+/g, " ").slice(0, 200)}` : "an unknown process";
  const envName: Record<ComponentName, string> = {
    etcd: port === l.ports.etcdPeer ? "ACADEMY_CLUSTER_ETCD_PEER_PORT" : "ACADEMY_CLUSTER_ETCD_PORT",
    "kube-apiserver": "ACADEMY_CLUSTER_APISERVER_PORT",
    "kube-controller-manager": "ACADEMY_CLUSTER_CONTROLLER_MANAGER_PORT",
    "kube-scheduler": "ACADEMY_CLUSTER_SCHEDULER_PORT",
    kwok: "ACADEMY_CLUSTER_KWOK_PORT",
  };
  throw new LocalClusterError(
    `port ${port} needed by ${c} is in use by ${who}.\n` +
      `Stop that process, or give ${c} another port with ${envName[c]}=<port>.`,
    c,
  );
}

// ---------------------------------------------------------------------------------------------
// Public API

export async function localClusterStatus(opts: LocalClusterOptions = {}): Promise<LocalClusterStatus> {
  const l = layout(opts);
  const hasPki = fs.existsSync(path.join(l.pkiDir, "ca.crt"));
  const components: ComponentStatus[] = [];
  for (const c of COMPONENTS) {
    const pid = runningPid(l, c);
    let h = { ok: false, detail: pid ? "" : "not running" };
    if (pid && hasPki) h = await healthy(l, c);
    components.push({
      name: c,
      pid,
      running: pid !== null,
      healthy: h.ok,
      port: componentPort(l, c),
      logFile: logFile(l, c),
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
    versions: l.versions,
    ports: state && components.some((c) => c.running) ? state.ports : l.ports,
    components,
    healthy: components.every((c) => c.healthy),
    ...(apiUp ? { readyNodes: await readyNodes(l).catch(() => []) } : {}),
  };
}

export async function startLocalCluster(opts: LocalClusterOptions = {}): Promise<LocalClusterInfo> {
  const t0 = Date.now();
  const l = layout(opts);
  const deadline = t0 + (opts.timeoutMs ?? 180000);
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
  });

  // 1. Already running with the same configuration and healthy: reuse it.
  const state = readState(l);
  const running = COMPONENTS.filter((c) => runningPid(l, c) !== null);
  if (running.length === COMPONENTS.length && sameConfig(state, l)) {
    const checks = await Promise.all(COMPONENTS.map((c) => healthy(l, c)));
    if (checks.every((h) => h.ok)) {
      const nodes = await readyNodes(l).catch(() => []);
      if (nodes.length >= l.nodes) {
        const r = info(true, nodes);
        l.log(`already running and healthy (Kubernetes ${l.versions.kubernetes}, ${nodes.length} nodes), checked in ${r.durationMs} ms`);
        return r;
      }
    }
  }
  if (running.length > 0 && !sameConfig(state, l)) {
    l.log(`a cluster from ${l.clusterDir} is running with another configuration (versions/ports/binaries); restarting it`);
    await stopLocalCluster(opts);
  }

  // 2. Binaries.
  const built = binariesReady(l);
  if (opts.build === "always" || !built.ok) {
    if (opts.build === "never") {
      throw new LocalClusterError(`control-plane binaries are not ready: ${built.why}.\nRun: npm run cluster:build`);
    }
    if (!built.ok) l.log(`control-plane binaries need building: ${built.why}`);
    buildLocalCluster(opts);
    const again = binariesReady(l);
    if (!again.ok) throw new LocalClusterError(`after scripts/cluster/build.sh the binaries are still not ready: ${again.why}`);
  }

  // 3. Directories, leftovers, certificates, configs.
  for (const d of [l.clusterDir, l.logDir, l.pidDir]) fs.mkdirSync(d, { recursive: true });
  await cleanLeftovers(l);
  if (!COMPONENTS.some((c) => runningPid(l, c) !== null)) checkEtcdData(l);
  ensurePki(l);
  writeConfigs(l);
  fs.writeFileSync(
    l.stateFile,
    JSON.stringify({ versions: l.versions, ports: l.ports, binDir: l.binDir, startedAt: new Date().toISOString() } satisfies State, null, 2) + "\n",
  );

  // 4. Components in dependency order; keep those already running. Ports are checked up front so a
  //    clash does not leave half a cluster behind.
  for (const c of COMPONENTS) {
    if (runningPid(l, c) !== null) continue;
    await ensurePortFree(l, c, componentPort(l, c));
    if (c === "etcd") await ensurePortFree(l, c, l.ports.etcdPeer);
  }
  let startedAny = false;
  for (const c of COMPONENTS) {
    const existing = runningPid(l, c);
    if (existing !== null) {
      const h = await healthy(l, c);
      if (h.ok) continue;
      l.log(`${c} (pid ${existing}) is running but not healthy (${h.detail}); restarting it`);
      await terminate(existing);
      fs.rmSync(pidFile(l, c), { force: true });
    }
    await ensurePortFree(l, c, componentPort(l, c));
    if (c === "etcd") await ensurePortFree(l, c, l.ports.etcdPeer);
    if (c === "kwok") await releaseNodeLeases(l);
    const ts = Date.now();
    const pid = spawnDetached(l, c);
    await waitHealthy(l, c, pid, deadline);
    startedAny = true;
    l.log(`${c} is up (pid ${pid}, port ${componentPort(l, c)}) in ${Date.now() - ts} ms`);
    if (c === "kube-apiserver") {
      for (const o of KWOK_RBAC) {
        await createIfMissing(l, `/apis/rbac.authorization.k8s.io/v1/${o.kind === "ClusterRole" ? "clusterroles" : "clusterrolebindings"}`, o);
      }
    }
  }

  // 5. Fake nodes, and proof that the controllers work.
  const names = nodeNames(l);
  for (const n of names) await createIfMissing(l, "/api/v1/nodes", kwokNode(n));
  // Ready alone may be stale status from before a restart; kwok (re)creating each node's Lease proves it manages them.
  const leaseHeld = async (n: string) =>
    (await api(l, "GET", `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${n}`)).status === 200;
  await waitFor(`${names.length} kwok nodes to become Ready`, deadline, async () =>
    (await readyNodes(l)).length >= names.length && (await Promise.all(names.map(leaseHeld))).every(Boolean),
    `log: ${logFile(l, "kwok")}\n--- last lines ---\n${tail(logFile(l, "kwok"))}`);
  l.log(`${names.length} kwok nodes are Ready (${Date.now() - t0} ms since start)`);
  await waitFor("the default ServiceAccount in namespace default (created by kube-controller-manager)", deadline,
    async () => (await api(l, "GET", "/api/v1/namespaces/default/serviceaccounts/default")).status === 200,
    `log: ${logFile(l, "kube-controller-manager")}\n--- last lines ---\n${tail(logFile(l, "kube-controller-manager"))}`);

  const r = info(false, await readyNodes(l));
  l.log(`${startedAny ? "started" : "repaired"} in ${(r.durationMs / 1000).toFixed(1)} s: Kubernetes ${l.versions.kubernetes}, ` +
    `etcd ${l.versions.etcd}, kwok ${l.versions.kwok}, ${r.nodes.length} nodes; kubeconfig ${l.kubeconfig.admin}`);
  return r;
}

export async function stopLocalCluster(opts: LocalClusterOptions & { timeoutMs?: number } = {}): Promise<{ stopped: string[] }> {
  const l = layout(opts);
  const stopped: string[] = [];
  for (const c of [...COMPONENTS].reverse()) {
    const pid = readPid(l, c);
    if (pid !== null && isAlive(pid) && isOurProcess(l, pid, c)) {
      const how = await terminate(pid, opts.timeoutMs ?? 10000);
      stopped.push(c);
      l.log(`stopped ${c} (pid ${pid}${how === "kill" ? ", needed SIGKILL after the timeout" : ""})`);
    } else if (pid !== null) {
      l.log(`removing stale pid file of ${c} (pid ${pid} was not running)`);
    }
    fs.rmSync(pidFile(l, c), { force: true });
  }
  // Processes of this cluster dir that lost their pid file (e.g. data dir partly deleted).
  for (const o of findOurProcesses(l)) {
    await terminate(o.pid, opts.timeoutMs ?? 10000);
    stopped.push(o.name);
    l.log(`stopped leftover ${o.name} (pid ${o.pid}) that had no pid file`);
  }
  if (stopped.length === 0) l.log("nothing was running");
  return { stopped };
}
