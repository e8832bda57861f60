// The worker thread that runs a lab's static built-in checks (the kinds that read only the
// learner's files: shell, Dockerfile, YAML/JSON, workflows, text). Grading runs them here, not on
// the server's event loop, so that no learner text can stall the server, and so that a check past
// its time is stopped for real: the host terminates this thread (see check-worker-host.ts and
// docs/decisions/006-grading.md). It imports only lib/checks (no server-only modules, no database,
// no cluster): what it gets is the message below.
import { parentPort } from "node:worker_threads";
import { builtinKind } from "../checks/kinds/index";
import type { CheckOutcome } from "../checks/types";

export type CheckJob = { id: number; labId: string; kind: string; params: unknown; files: Record<string, string> };
export type CheckReply = { id: number; ok: true; outcome: CheckOutcome } | { id: number; ok: false; error: string };

async function run(job: CheckJob): Promise<CheckReply> {
  try {
    const kind = builtinKind(job.kind);
    if (!kind) throw new Error(`Unknown check kind "${job.kind}"`);
    if (kind.needsCluster) throw new Error(`"${job.kind}" reads the cluster; it does not run in the check worker`);
    const params = kind.params.safeParse(job.params ?? {});
    if (!params.success) throw new Error(`Invalid params for ${job.kind}: ${params.error.message}`);
    const outcome = await kind.run(params.data, {
      labId: job.labId,
      files: Object.freeze({ ...job.files }),
      namespace: null,
      cluster: null,
      dryRunAsLearner: null,
      signal: new AbortController().signal,
    });
    return { id: job.id, ok: true, outcome };
  } catch (error) {
    return { id: job.id, ok: false, error: error instanceof Error ? `${error.name}: ${error.message}${error.stack ? `\n${error.stack}` : ""}` : String(error) };
  }
}

parentPort?.on("message", (job: CheckJob) => {
  void run(job).then((reply) => parentPort!.postMessage(reply));
});
