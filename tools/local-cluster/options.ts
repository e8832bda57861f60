// Settings of the local control plane: the option type every entry point passes in, and the one
// function that reads them from the environment (ACADEMY_DATA_DIR, ACADEMY_CACHE_DIR and the
// ACADEMY_CLUSTER_* variables, documented in the README under "Configuration > Local cluster").
// This is the only module of tools/local-cluster that reads process.env.
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { LocalClusterError } from "./errors";

export type ClusterPorts = {
  apiserver: number;
  etcdClient: number;
  etcdPeer: number;
  controllerManager: number;
  scheduler: number;
  kwok: number;
};

/** Non-standard defaults so a real cluster / kind / another etcd on the machine does not clash. */
export const DEFAULT_PORTS: ClusterPorts = {
  apiserver: 16443,
  etcdClient: 12379,
  etcdPeer: 12380,
  controllerManager: 16257,
  scheduler: 16259,
  kwok: 16280,
};

/** The environment variable that moves each port (named in "port in use" errors). */
export const PORT_SETTINGS: Record<keyof ClusterPorts, string> = {
  apiserver: "ACADEMY_CLUSTER_APISERVER_PORT",
  etcdClient: "ACADEMY_CLUSTER_ETCD_PORT",
  etcdPeer: "ACADEMY_CLUSTER_ETCD_PEER_PORT",
  controllerManager: "ACADEMY_CLUSTER_CONTROLLER_MANAGER_PORT",
  scheduler: "ACADEMY_CLUSTER_SCHEDULER_PORT",
  kwok: "ACADEMY_CLUSTER_KWOK_PORT",
};

export const DEFAULT_DATA_DIR = ".academy-data";
export const DEFAULT_NODES = 3;
/** Time for the components to become healthy, counted from the end of the build (if any). */
export const DEFAULT_START_TIMEOUT_MS = 180_000;

export type LocalClusterOptions = {
  /** Academy data directory (ACADEMY_DATA_DIR); cluster state goes to <dataDir>/cluster. Default ".academy-data". */
  dataDir?: string;
  /** Root of the Academy repository. Default: derived from this file. */
  repoRoot?: string;
  /** Cache for built binaries (ACADEMY_CACHE_DIR). Default ~/.cache/academy. */
  cacheDir?: string;
  /** Use binaries from this directory instead of the build cache. */
  binDir?: string;
  ports?: Partial<ClusterPorts>;
  /** Number of kwok fake nodes. Default 3. */
  nodes?: number;
  /**
   * "auto" (default): run the build when binaries are missing or were built for other pinned
   * versions; "always": run it anyway (it is a no-op when up to date); "never": fail instead.
   */
  build?: "auto" | "always" | "never";
  /**
   * The build command, argv style. Default: `bash tools/local-cluster/build.sh`. Tests inject a
   * slow or fake one; it must print the progress lines build.sh prints and fill binDir.
   */
  buildCommand?: string[];
  /** Time limit for the components to become healthy, in ms, counted after the build. Default 180000. */
  timeoutMs?: number;
  /** Progress output. Default: lines on stderr prefixed with "cluster:". */
  log?: (line: string) => void;
  /**
   * The real node (containerd + kubelet; pods really run). "auto" (default): start it when the
   * machine can run one, and otherwise start without it and say why; "on": fail when it cannot
   * start; "off": KWOK nodes only. ACADEMY_CLUSTER_REAL_NODE.
   */
  realNode?: RealNodeMode;
  /** Picks the node's address block (0..63); default derived from the data directory. ACADEMY_CLUSTER_NODE_INDEX. */
  nodeIndex?: number;
};

export const REAL_NODE_MODES = ["auto", "on", "off"] as const;
export type RealNodeMode = (typeof REAL_NODE_MODES)[number];

const port = z.coerce
  .number({ error: "must be a TCP port number" })
  .int("must be a whole number")
  .min(1, "must be a TCP port (1-65535)")
  .max(65535, "must be a TCP port (1-65535)")
  .optional();

const EnvSchema = z.object({
  ACADEMY_DATA_DIR: z.string().min(1).default(DEFAULT_DATA_DIR),
  ACADEMY_CACHE_DIR: z.string().min(1).optional(),
  ACADEMY_CLUSTER_NODES: z.coerce
    .number({ error: "must be a number of nodes" })
    .int("must be a whole number")
    .min(1, "must be at least 1")
    .max(50, "must be at most 50")
    .optional(),
  ACADEMY_CLUSTER_REAL_NODE: z.enum(REAL_NODE_MODES, { error: 'must be "auto", "on" or "off"' }).optional(),
  ACADEMY_CLUSTER_NODE_INDEX: z.coerce.number({ error: "must be a number" }).int("must be a whole number")
    .min(0, "must be 0..63").max(63, "must be 0..63").optional(),
  ...(Object.fromEntries(Object.values(PORT_SETTINGS).map((name) => [name, port])) as Record<string, typeof port>),
});

/**
 * Options from the environment, shared by scripts/cluster.ts, the test set-up and the benchmarks.
 * Throws a LocalClusterError naming every bad variable; empty values count as unset.
 */
export function clusterOptionsFromEnv(env: Record<string, string | undefined> = process.env): LocalClusterOptions {
  const relevant = Object.fromEntries(
    Object.entries(env).filter(
      ([name, value]) => (name in EnvSchema.shape) && value !== undefined && value !== "",
    ),
  );
  const parsed = EnvSchema.safeParse(relevant);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => {
        const name = String(issue.path[0]);
        return `  ${name}: ${issue.message}, got "${relevant[name] ?? ""}"`;
      })
      .join("\n");
    throw new LocalClusterError(`invalid local cluster configuration (environment variables):\n${problems}`);
  }
  const values = parsed.data as Record<string, unknown>;
  const ports: Partial<ClusterPorts> = {};
  for (const [key, name] of Object.entries(PORT_SETTINGS) as [keyof ClusterPorts, string][]) {
    if (typeof values[name] === "number") ports[key] = values[name];
  }
  const merged = { ...DEFAULT_PORTS, ...ports };
  const taken = new Map<number, string>();
  for (const [key, name] of Object.entries(PORT_SETTINGS) as [keyof ClusterPorts, string][]) {
    const other = taken.get(merged[key]);
    if (other) {
      throw new LocalClusterError(
        `invalid local cluster configuration: ${name} and ${other} are both port ${merged[key]}; give each component its own port`,
      );
    }
    taken.set(merged[key], name);
  }
  return {
    dataDir: parsed.data.ACADEMY_DATA_DIR,
    cacheDir: parsed.data.ACADEMY_CACHE_DIR ?? defaultCacheDir(env),
    ports,
    ...(parsed.data.ACADEMY_CLUSTER_NODES === undefined ? {} : { nodes: parsed.data.ACADEMY_CLUSTER_NODES }),
    ...(parsed.data.ACADEMY_CLUSTER_REAL_NODE === undefined ? {} : { realNode: parsed.data.ACADEMY_CLUSTER_REAL_NODE }),
    ...(parsed.data.ACADEMY_CLUSTER_NODE_INDEX === undefined ? {} : { nodeIndex: parsed.data.ACADEMY_CLUSTER_NODE_INDEX }),
  };
}

function defaultCacheDir(env: Record<string, string | undefined>): string {
  return path.join(env.HOME || os.homedir(), ".cache", "academy");
}

/**
 * The environment for processes the tooling starts: ours, with `overrides` applied and
 * `remove` dropped (the components must not pick up the caller's KUBECONFIG, for example).
 */
export function childEnvironment(
  overrides: Record<string, string> = {},
  remove: string[] = [],
): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...process.env, ...overrides };
  for (const name of remove) delete out[name];
  return out;
}
