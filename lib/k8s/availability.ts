// Whether lab sandboxes can be had right now, in words a learner (or the person running Academy)
// can act on. Lab pages show this instead of failing when there is no cluster.
import "server-only";
import fs from "node:fs";
import path from "node:path";
import { env } from "@/lib/env";
import { adminClient } from "./client";

export type ClusterAvailability =
  | { state: "ready"; server: string }
  | { state: "starting"; detail: string }
  | { state: "unavailable"; reason: string; howToFix: string[] };

const CONNECT_ANY_CLUSTER =
  "Or connect any Kubernetes cluster (kind, k3d, a cloud cluster): set KUBECONFIG=/path/to/kubeconfig " +
  "for a user that may create namespaces, RBAC objects and quotas, then restart Academy.";

function lastLines(file: string, count: number): string[] {
  try {
    return fs.readFileSync(file, "utf8").trim().split("\n").slice(-count);
  } catch {
    return [];
  }
}

function startLogIsLive(logFile: string): boolean {
  try {
    return Date.now() - fs.statSync(logFile).mtimeMs < 90_000;
  } catch {
    return false;
  }
}

export async function clusterAvailability(): Promise<ClusterAvailability> {
  let server = "";
  try {
    const client = adminClient();
    server = client.server;
    await client.request("GET", "/readyz", { timeoutMs: 3000 });
    return { state: "ready", server };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (env.KUBECONFIG) {
      return {
        state: "unavailable",
        reason: `The cluster in KUBECONFIG (${env.KUBECONFIG}${server ? `, ${server}` : ""}) does not answer: ${message}`,
        howToFix: ["Check that the cluster is running and that KUBECONFIG points at the right file, then reload this page."],
      };
    }
    const logFile = path.join(env.ACADEMY_DATA_DIR, "cluster-start.log");
    const log = lastLines(logFile, 3);
    if (startLogIsLive(logFile) && !log.some((line) => /error|failed/i.test(line))) {
      return { state: "starting", detail: log.at(-1) ?? "Starting the local Kubernetes control plane…" };
    }
    return {
      state: "unavailable",
      reason:
        "No Kubernetes cluster is connected, and the local control plane is not running" +
        (log.length ? `. Its last start said: ${log.join(" ")}` : "."),
      howToFix: [
        "Start the local control plane with `npm run cluster -- start` (the first run builds it from Go modules and needs Go 1.26 or newer; about 7 minutes).",
        CONNECT_ANY_CLUSTER,
      ],
    };
  }
}
