// Runs static built-in checks in a worker thread (check-worker.ts), one attempt's checks one
// after another in one worker, each with a hard time limit: past it the worker is terminated (a
// regex or a parser stuck in synchronous work cannot be interrupted any other way) and the next
// check gets a fresh worker. See docs/decisions/006-grading.md, "Isolation".
import "server-only";
import { Worker } from "node:worker_threads";
import type { CheckOutcome } from "@/lib/checks/types";
import type { CheckJob, CheckReply } from "./check-worker";

export type StaticCheckResult = { ok: true; outcome: CheckOutcome } | { ok: false; timedOut: true } | { ok: false; timedOut: false; error: string };

export type StaticCheckRunner = {
  run(job: Omit<CheckJob, "id">, timeoutMs: number): Promise<StaticCheckResult>;
  close(): Promise<void>;
};

function startWorker(): Worker {
  // Bundled by Next (`next build`, `next dev`), the worker is a compiled chunk of its own and
  // import.meta.env.MODE is "production"/"development". Run from source (vitest: "test", tsx
  // scripts: no import.meta.env), the entry is TypeScript and the worker needs tsx to load it.
  const mode = (import.meta as { env?: { MODE?: string } }).env?.MODE;
  const fromSource = mode !== "production" && mode !== "development";
  const options = {
    ...(fromSource ? { execArgv: ["--import", "tsx"] } : {}),
    // The worker needs nothing from the server's environment.
    env: {},
    resourceLimits: { maxOldGenerationSizeMb: 256 },
  };
  // Written inline so that Next's bundler sees `new Worker(new URL(…))` and bundles the entry.
  return new Worker(new URL("./check-worker.ts", import.meta.url), options);
}

/** A runner for one attempt; close() it when the attempt is done. */
export function staticCheckRunner(): StaticCheckRunner {
  let worker: Worker | null = null;
  let nextId = 1;
  let queue: Promise<unknown> = Promise.resolve();

  const runNow = (job: Omit<CheckJob, "id">, timeoutMs: number) =>
    new Promise<StaticCheckResult>((resolve) => {
      const current = (worker ??= startWorker());
      const id = nextId++;
      const done = (result: StaticCheckResult) => {
        clearTimeout(timer);
        current.off("message", onMessage);
        current.off("error", onError);
        current.off("exit", onExit);
        resolve(result);
      };
      const onMessage = (reply: CheckReply) => {
        if (reply.id !== id) return;
        done(reply.ok ? { ok: true, outcome: reply.outcome } : { ok: false, timedOut: false, error: reply.error });
      };
      const onError = (error: Error) => {
        worker = null;
        done({ ok: false, timedOut: false, error: `check worker failed: ${error.name}: ${error.message}` });
      };
      const onExit = (code: number) => {
        worker = null;
        done({ ok: false, timedOut: false, error: `check worker exited with ${code}` });
      };
      const timer = setTimeout(() => {
        worker = null;
        current.off("exit", onExit);
        void current.terminate();
        done({ ok: false, timedOut: true });
      }, timeoutMs);
      current.on("message", onMessage);
      current.on("error", onError);
      current.on("exit", onExit);
      current.postMessage({ ...job, id } satisfies CheckJob);
    });

  return {
    run(job, timeoutMs) {
      const result = queue.then(() => runNow(job, timeoutMs));
      queue = result.catch(() => {});
      return result;
    },
    async close() {
      await queue;
      const current = worker;
      worker = null;
      await current?.terminate();
    },
  };
}
