// Used by the end-to-end tests and the page benchmark.
// Starts the production server (`next start`) on a free port with its own data directory, so a
// test can stop and start it again and see what survived.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

const repoRoot = path.resolve(import.meta.dirname, "../..");

export type AcademyServer = {
  url: string;
  dataDir: string;
  stop(): Promise<void>;
  restart(): Promise<void>;
  logs(): string;
};

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** The installation id a test server on this data directory has on the shared cluster. */
export function installationOf(dataDir: string): string {
  return `e2e-${path.basename(dataDir).replace(/[^a-z0-9]/gi, "").toLowerCase().slice(-20)}`;
}

/**
 * Removes what a finished test server left on the test cluster (sandbox namespaces, its admission
 * policies) with `npm run sandboxes:uninstall`. Nothing to do without a test cluster.
 */
export function uninstallFromCluster(dataDir: string): void {
  const kubeconfig = process.env.ACADEMY_TEST_KUBECONFIG;
  if (!kubeconfig) return;
  const result = spawnSync(
    process.execPath,
    [path.join(repoRoot, "node_modules/tsx/dist/cli.mjs"), "--conditions=react-server", "scripts/sandboxes-uninstall.ts", "--installation", installationOf(dataDir)],
    { cwd: repoRoot, env: { ...process.env, KUBECONFIG: kubeconfig, DATABASE_URL: "" }, encoding: "utf8" },
  );
  if (result.status !== 0) throw new Error(`sandboxes:uninstall failed: ${result.stderr}${result.stdout}`);
}

export function makeDataDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "academy-e2e-"));
}

/** Runs `npm run admin:create` against a data directory (before its server starts: PGlite is single-process). */
export function createAdmin(dataDir: string, email: string, password: string): void {
  const result = spawnSync(
    process.execPath,
    [path.join(repoRoot, "node_modules/tsx/dist/cli.mjs"), "--conditions=react-server", "scripts/admin-create.ts", "--email", email, "--name", "Ada Admin"],
    { cwd: repoRoot, env: { ...process.env, ACADEMY_DATA_DIR: dataDir, ACADEMY_ADMIN_PASSWORD: password, DATABASE_URL: "" }, encoding: "utf8" },
  );
  if (result.status !== 0) throw new Error(`admin:create failed: ${result.stderr}${result.stdout}`);
}

export async function startServer(options: { dataDir?: string; env?: Record<string, string> } = {}): Promise<AcademyServer> {
  const dataDir = options.dataDir ?? makeDataDir();
  const port = await freePort();
  // The lab terminal's service listens on a port of its own inside the server (lib/terminal).
  const terminalPort = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  let output = "";

  async function start(): Promise<void> {
    child = spawn(process.execPath, [path.join(repoRoot, "node_modules/next/dist/bin/next"), "start", "--port", String(port), "--hostname", "127.0.0.1"], {
      cwd: repoRoot,
      env: {
        ...process.env,
        ...options.env,
        NODE_ENV: "production",
        ACADEMY_DATA_DIR: dataDir,
        // Each test server is its own installation on the shared cluster, so its reconcile loop
        // never touches another server's sandboxes.
        ACADEMY_INSTALLATION_ID: installationOf(dataDir),
        DATABASE_URL: "",
        NEXTAUTH_URL: url,
        ACADEMY_TERMINAL_PORT: String(terminalPort),
        // The cluster the test suite runs against (the local control plane unless told otherwise).
        ...(process.env.ACADEMY_TEST_KUBECONFIG ? { KUBECONFIG: process.env.ACADEMY_TEST_KUBECONFIG } : {}),
        NEXT_TELEMETRY_DISABLED: "1",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout?.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (output += d.toString()));
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`next start exited with ${child.exitCode}:\n${output}`);
      try {
        const res = await fetch(`${url}/api/health`);
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`next start did not become healthy within 60 s:\n${output}`);
  }

  async function stop(): Promise<void> {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once("exit", resolve));
    running.kill("SIGTERM");
    const timer = setTimeout(() => running.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  }

  await start();
  return {
    url,
    dataDir,
    stop,
    restart: async () => {
      await stop();
      await start();
    },
    logs: () => output,
  };
}
