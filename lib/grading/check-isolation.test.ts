// Review finding H2: grading crafted learner text must not stall the server. The static checks run
// in a worker thread with a hard kill; this measures the main thread's event loop while they run.
import { expect, test } from "vitest";
import { checks as batchScoringChecks } from "@/labs/batch-scoring-script/checks";
import { defineChecks } from "@/lib/labs/define";
import { runChecks, type CheckEnvironment } from "./grader";

/** Runs work while a 10 ms timer measures how late the event loop lets it fire; returns the worst delay. */
async function worstEventLoopDelay<T>(work: () => Promise<T>): Promise<{ value: T; worstMs: number; elapsedMs: number }> {
  let worstMs = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    worstMs = Math.max(worstMs, now - last - 10);
    last = now;
  }, 10);
  const started = performance.now();
  try {
    const value = await work();
    return { value, worstMs, elapsedMs: performance.now() - started };
  } finally {
    clearInterval(timer);
  }
}

const env = (text: string): CheckEnvironment => ({ labId: "batch-scoring-script", files: { "score.sh": text }, namespace: null, cluster: null, dryRunAsLearner: null });

test("H2: the review's crafted script is graded as failed while the event loop keeps answering within 100 ms", async () => {
  const crafted = `#!/usr/bin/env bash\ntrap${" ".repeat(65_000)}`;
  const { value: results, worstMs, elapsedMs } = await worstEventLoopDelay(() => runChecks({ checks: batchScoringChecks }, env(crafted)));
  // Every check finished in time (none is a timeout error); the ones about the work fail.
  expect(results.map((r) => r.status)).not.toContain("error");
  for (const id of ["strict-mode", "checks-arguments", "exit-codes", "atomic-output", "cleanup-trap"]) {
    expect(results.find((r) => r.id === id)?.status, id).toBe("fail");
  }
  expect(elapsedMs).toBeLessThan(10_000);
  expect(worstMs).toBeLessThan(100);
}, 30_000);

test("H2: a static check past its time is terminated (hard kill), reported as an error, and the others still run", async () => {
  const big = `#!/usr/bin/env bash\n${"echo $a $b $c | grep $d > $e\n".repeat(2_000)}`;
  const checks = defineChecks([
    { id: "slow", title: "Slow", points: 5, hints: ["h"], kind: "shell.shellcheck", timeoutMs: 50, params: { file: "score.sh" } },
    { id: "after", title: "After", points: 5, hints: ["h"], kind: "shell.strictMode", params: { file: "score.sh" } },
  ]);
  const { value: results, worstMs } = await worstEventLoopDelay(() => runChecks({ checks }, env(big)));
  expect(results[0]).toMatchObject({ id: "slow", status: "error", internal: "timeout after 50 ms" });
  expect(results[0]!.message).toContain("did not finish within");
  expect(results[1]).toMatchObject({ id: "after", status: "fail" });
  expect(worstMs).toBeLessThan(100);
}, 30_000);
