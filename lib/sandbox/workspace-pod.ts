// The workspace pod on the cluster: creating it and waiting until it runs (with progress in
// words), and the three things done to its files by exec as the platform's own identity:
// writing files (compare-and-swap: a file the terminal changed since it was last in step is never
// overwritten), listing them (path, size, sha256 in one exec) and reading some of them. Paths and
// contents travel as exec arguments, never inside a shell script, so any name is safe.
import "server-only";
import type { SandboxRow } from "@/lib/db/schema";
import { KubeApiError, type KubeClient, type KubeObject } from "@/lib/k8s/client";
import { exitCodeOf, runExec } from "@/lib/k8s/exec";
import { toApiObject } from "./manifests";
import type { OnProgress } from "./results";
import { WORKSPACE_CONTAINER, WORKSPACE_LAB_DIR, WORKSPACE_POD, workspacePodFor } from "./workspace-manifest";

type PodObject = KubeObject & {
  metadata: { uid?: string; deletionTimestamp?: string; creationTimestamp?: string };
  status?: {
    phase?: string;
    containerStatuses?: Array<{ name: string; ready?: boolean; state?: { running?: unknown; waiting?: { reason?: string; message?: string }; terminated?: { reason?: string } } }>;
    conditions?: Array<{ type: string; status: string; reason?: string; message?: string }>;
  };
};

export type RunningWorkspace = { namespace: string; pod: string; container: string; uid: string; createdAt: Date };

export class WorkspaceNotStarted extends Error {
  readonly brand = "WorkspaceNotStarted";
  constructor(readonly words: string) {
    super(words);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function waitingWords(pod: PodObject): string | null {
  const waiting = pod.status?.containerStatuses?.find((s) => s.name === WORKSPACE_CONTAINER)?.state?.waiting;
  if (waiting?.reason && waiting.reason !== "ContainerCreating") return `${waiting.reason}${waiting.message ? `: ${waiting.message}` : ""}`;
  const unschedulable = pod.status?.conditions?.find((c) => c.type === "PodScheduled" && c.status === "False");
  return unschedulable ? `not scheduled: ${unschedulable.message ?? unschedulable.reason ?? "no node fits"}` : null;
}

function isRunning(pod: PodObject): boolean {
  return Boolean(pod.status?.containerStatuses?.find((s) => s.name === WORKSPACE_CONTAINER)?.state?.running) && !pod.metadata.deletionTimestamp;
}

/** The workspace pod if it exists (a pod being deleted counts as absent once it is gone). */
export async function readWorkspacePod(cluster: KubeClient, namespace: string): Promise<PodObject | null> {
  return cluster.get<PodObject>({ apiVersion: "v1", kind: "Pod", name: WORKSPACE_POD, namespace });
}

/**
 * Makes sure the sandbox's workspace pod exists and its shell runs: creates it when absent (or
 * when a previous one stopped for good), then waits, saying what it waits for.
 */
export async function ensureWorkspacePod(
  cluster: KubeClient,
  row: Pick<SandboxRow, "namespace">,
  onProgress: OnProgress = () => {},
  timeoutMs = 90_000,
): Promise<RunningWorkspace> {
  const namespace = row.namespace;
  const deadline = Date.now() + timeoutMs;
  let pod = await readWorkspacePod(cluster, namespace);
  if (pod && !pod.metadata.deletionTimestamp && (pod.status?.phase === "Failed" || pod.status?.phase === "Succeeded")) {
    await cluster.remove({ apiVersion: "v1", kind: "Pod", name: WORKSPACE_POD, namespace });
    pod = await readWorkspacePod(cluster, namespace);
  }
  if (pod && isRunning(pod)) return runningOf(pod, namespace);
  let said = "";
  const say = (words: string) => {
    if (words !== said) onProgress((said = words));
  };
  for (let delay = 100; ; delay = Math.min(delay * 2, 500)) {
    if (!pod) {
      say("Starting your terminal…");
      try {
        pod = await cluster.request<PodObject>("POST", `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`, {
          body: toApiObject(workspacePodFor(namespace)),
          context: { kind: "Pod", name: WORKSPACE_POD, namespace },
        });
      } catch (error) {
        // Another request created it first: wait for that one.
        if (!(error instanceof KubeApiError && error.status === 409)) throw error;
      }
    } else if (pod.metadata.deletionTimestamp) {
      say("Waiting for the previous terminal to stop…");
    } else if (isRunning(pod)) {
      return runningOf(pod, namespace);
    } else {
      const problem = waitingWords(pod);
      say(problem ? `Your terminal is waiting (${problem})…` : "Starting your terminal's container…");
      if (pod.status?.phase === "Failed") throw new WorkspaceNotStarted(`Your terminal stopped while starting${problem ? ` (${problem})` : ""}. Open it again.`);
    }
    if (Date.now() > deadline) {
      const problem = pod ? waitingWords(pod) : null;
      throw new WorkspaceNotStarted(`Your terminal did not start within ${Math.round(timeoutMs / 1000)} s${problem ? ` (${problem})` : ""}. Try again in a minute.`);
    }
    await sleep(delay);
    pod = await readWorkspacePod(cluster, namespace);
  }
}

function runningOf(pod: PodObject, namespace: string): RunningWorkspace {
  return {
    namespace,
    pod: WORKSPACE_POD,
    container: WORKSPACE_CONTAINER,
    uid: pod.metadata.uid ?? "",
    createdAt: new Date(pod.metadata.creationTimestamp ?? Date.now()),
  };
}

// ---------------------------------------------------------------------------------------------
// Exec

export type ExecOutcome = { ok: true; exitCode: number; stdout: string; stderr: string; truncated: boolean } | { ok: false; error: string };

/** Runs `command` in the workspace shell container as the platform (not a learner's identity). */
export async function execInWorkspace(cluster: KubeClient, namespace: string, command: string[], options: { timeoutMs?: number; maxBytes?: number } = {}): Promise<ExecOutcome> {
  const outcome = await runExec(cluster.kubeConfig, { namespace, pod: WORKSPACE_POD, container: WORKSPACE_CONTAINER }, command, {
    timeoutMs: options.timeoutMs ?? 15_000,
    maxStdoutBytes: options.maxBytes ?? 1024 * 1024,
    maxStderrBytes: 16 * 1024,
    closedMessage: "the connection to the workspace closed before the command finished",
  });
  if (!outcome.status) return { ok: false, error: outcome.error ?? "no status" };
  const exitCode = exitCodeOf(outcome.status);
  if (exitCode === null) return { ok: false, error: outcome.status.message ?? "the command could not be run" };
  return { ok: true, exitCode, stdout: outcome.stdout, stderr: outcome.stderr, truncated: outcome.stdoutTruncated };
}

// ---------------------------------------------------------------------------------------------
// Files

/** A write: `expected` is the sha256 the pod's file must still have (or be absent, or already be the new text); null writes whatever is there. */
export type WorkspaceWrite = { path: string; content: string; sha256: string; expected: string | null };
export type WriteOutcome = { path: string; status: "written" | "conflict" | "error"; detail?: string };

// Arguments: groups of (path, expected sha or "*", new sha, base64 text). One line per file.
const WRITE_FILES = `cd "$0" || exit 3
while [ "$#" -ge 4 ]; do
  p="$1"; want="$2"; new="$3"; data="$4"; shift 4
  now=""
  if [ -f "$p" ]; then now=$(sha256sum < "$p" | cut -c1-64); fi
  if [ "$want" != "*" ] && [ -n "$now" ] && [ "$now" != "$want" ] && [ "$now" != "$new" ]; then echo "conflict $p"; continue; fi
  if [ "$now" = "$new" ]; then echo "written $p"; continue; fi
  if mkdir -p -- "$(dirname -- "$p")" && printf %s "$data" | base64 -d > "$p.academy-new" && mv -f -- "$p.academy-new" "$p"; then echo "written $p"; else rm -f -- "$p.academy-new"; echo "error $p"; fi
done`;

/** Writes lab files into the workspace (see WRITE_FILES); a file the terminal changed is left alone ("conflict"). */
export async function writeWorkspaceFiles(cluster: KubeClient, namespace: string, writes: WorkspaceWrite[]): Promise<WriteOutcome[]> {
  if (writes.length === 0) return [];
  const args = writes.flatMap((w) => [w.path, w.expected ?? "*", w.sha256, Buffer.from(w.content, "utf8").toString("base64")]);
  const run = await execInWorkspace(cluster, namespace, ["sh", "-c", WRITE_FILES, WORKSPACE_LAB_DIR, ...args], { timeoutMs: 20_000 });
  if (!run.ok) throw new Error(`writing files into the workspace failed: ${run.error}`);
  const told = new Map<string, WriteOutcome["status"]>();
  for (const line of run.stdout.split("\n")) {
    const match = /^(written|conflict|error) (.+)$/.exec(line);
    if (match) told.set(match[2]!, match[1] as WriteOutcome["status"]);
  }
  const detail = run.stderr.trim().split("\n").slice(-3).join(" / ") || `exit ${run.exitCode}`;
  return writes.map((w) => {
    const status = told.get(w.path) ?? "error";
    return status === "error" ? { path: w.path, status, detail } : { path: w.path, status };
  });
}

export type PodFile = { path: string; bytes: number; sha256: string | null };

// One exec: every regular file under lab/ (no symlinks followed, at most 500), as
// "size sha path" NUL-terminated; files over the size limit ($1) get "-" instead of a sha.
const LIST_FILES = `cd "$0" 2>/dev/null || exit 0
find . -mindepth 1 -maxdepth 7 -type f -print0 | head -z -n 500 | while IFS= read -r -d '' f; do
  s=$(stat -c %s -- "$f") || continue
  if [ "$s" -le "$1" ]; then h=$(sha256sum < "$f" | cut -c1-64); else h=-; fi
  printf '%s %s %s\\0' "$s" "$h" "\${f#./}"
done`;

/** Every file under the workspace's lab folder, with its size and (if not larger than `maxBytes`) its sha256. */
export async function listWorkspaceFiles(cluster: KubeClient, namespace: string, maxBytes: number): Promise<PodFile[]> {
  const run = await execInWorkspace(cluster, namespace, ["bash", "-c", LIST_FILES, WORKSPACE_LAB_DIR, String(maxBytes)], { timeoutMs: 20_000, maxBytes: 256 * 1024 });
  if (!run.ok) throw new Error(`listing the workspace's files failed: ${run.error}`);
  if (run.exitCode !== 0) throw new Error(`listing the workspace's files failed (exit ${run.exitCode}): ${run.stderr.trim()}`);
  return run.stdout
    .split("\0")
    .filter(Boolean)
    .flatMap((entry) => {
      const match = /^(\d+) ([0-9a-f]{64}|-) ([\s\S]+)$/.exec(entry);
      return match ? [{ path: match[3]!, bytes: Number(match[1]), sha256: match[2] === "-" ? null : match[2]! }] : [];
    });
}

// Each file as one base64 line, in the order given; a file that cannot be read is an empty "!" line.
const READ_FILES = `cd "$0" || exit 3
for f in "$@"; do if [ -f "$f" ]; then base64 -w0 -- "$f" || true; echo; else echo "!"; fi; done`;

/** The bytes of some workspace files (null for one that went away), at most `maxTotalBytes` together. */
export async function readWorkspaceFiles(cluster: KubeClient, namespace: string, paths: string[], maxTotalBytes: number): Promise<Map<string, Uint8Array | null>> {
  const out = new Map<string, Uint8Array | null>();
  if (paths.length === 0) return out;
  const run = await execInWorkspace(cluster, namespace, ["sh", "-c", READ_FILES, WORKSPACE_LAB_DIR, ...paths], {
    timeoutMs: 20_000,
    maxBytes: Math.ceil((maxTotalBytes * 4) / 3) + paths.length * 8 + 1024,
  });
  if (!run.ok) throw new Error(`reading the workspace's files failed: ${run.error}`);
  if (run.truncated) throw new Error("reading the workspace's files failed: they grew past the lab's size limit while being read");
  const lines = run.stdout.split("\n");
  paths.forEach((p, i) => {
    const line = lines[i];
    out.set(p, line === undefined || line === "!" ? null : new Uint8Array(Buffer.from(line, "base64")));
  });
  return out;
}
