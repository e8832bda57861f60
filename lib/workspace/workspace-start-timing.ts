// Workspace pod start times, for `npm run bench:terminal` (which owns the figures): each run
// deletes the learner's workspace pod, waits until it is gone, then times `labWorkspace` (create,
// schedule, start the shell, seed the lab files) until it answers. Needs a ready sandbox of a
// `workloads: real` lab; each run counts against the learner's "workspace" rate limit (30 a minute).
import "server-only";
import type { ActingUser } from "@/lib/auth/acting-user";
import type { Database } from "@/lib/db/client";
import type { SandboxDeps } from "@/lib/sandbox/results";
import { readWorkspacePod } from "@/lib/sandbox/workspace-pod";
import { WORKSPACE_POD } from "@/lib/sandbox/workspace-manifest";
import { adminClient } from "@/lib/k8s/client";
import { labWorkspace } from "./index";

export type WorkspaceStartTimes = { runs: number; msEach: number[]; p50Ms: number; p95Ms: number };

function percentile(sorted: number[], p: number): number {
  return sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

export async function timeWorkspaceStarts(db: Database, user: ActingUser, labId: string, runs: number, deps: SandboxDeps = {}): Promise<WorkspaceStartTimes> {
  const cluster = deps.cluster ?? adminClient();
  const msEach: number[] = [];
  for (let i = 0; i < runs; i++) {
    const first = await labWorkspace(db, user, labId, deps);
    if (!first.ok) throw new Error(`the workspace did not start: ${first.error}`);
    await cluster.request("DELETE", `/api/v1/namespaces/${encodeURIComponent(first.namespace)}/pods/${WORKSPACE_POD}`, {
      body: { kind: "DeleteOptions", apiVersion: "v1", gracePeriodSeconds: 0 },
    });
    for (let waited = 0; (await readWorkspacePod(cluster, first.namespace)) && waited < 60_000; waited += 200) await new Promise((r) => setTimeout(r, 200));
    const started = performance.now();
    const again = await labWorkspace(db, user, labId, deps);
    if (!again.ok) throw new Error(`the workspace did not start again: ${again.error}`);
    msEach.push(Math.round(performance.now() - started));
  }
  const sorted = [...msEach].sort((a, b) => a - b);
  return { runs, msEach, p50Ms: percentile(sorted, 50), p95Ms: percentile(sorted, 95) };
}
