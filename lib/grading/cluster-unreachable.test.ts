// When grading cannot reach the cluster, the learner gets words and a request id, never the
// kubeconfig path or the cluster's address; those go to the server log under that id (review L7).
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, test, vi } from "vitest";
import type { DatabaseHandle } from "@/lib/db/client";
import { fakeCluster } from "@/lib/sandbox/test-helpers";
import { createLearners } from "@/tests/support/cluster";
import { openTestDatabase } from "@/tests/support/databases";

const MISSING_KUBECONFIG = "/nonexistent/academy-grader-test/admin.kubeconfig";
let handle: DatabaseHandle;

beforeAll(async () => {
  vi.resetModules();
  vi.stubEnv("KUBECONFIG", MISSING_KUBECONFIG);
  // No client from an earlier test in this process: the grader must build its own and fail.
  (globalThis as { academyKube?: unknown }).academyKube = undefined;
  handle = await openTestDatabase("pglite");
});
afterAll(async () => {
  vi.unstubAllEnvs();
  vi.resetModules();
  await handle?.close();
});

test("a grading that cannot reach the cluster says so in words with a request id, and logs the detail under it", async () => {
  const { gradeAttempt } = await import("./grader");
  const { changeLabSandbox } = await import("@/lib/workspace");
  const [learner] = await createLearners(handle.db, 1);
  // A ready sandbox, made on a stand-in cluster; grading then uses the real (missing) one.
  const started = await changeLabSandbox(handle.db, learner!, "deploy-the-model", "start", () => {}, { cluster: fakeCluster(), installation: "unit-grader" });
  expect(started).toMatchObject({ ok: true, sandbox: { state: "ready" } });

  const logged = vi.spyOn(console, "error").mockImplementation(() => {});
  try {
    const result = await gradeAttempt(handle.db, learner!, "deploy-the-model", undefined, { key: randomBytes(32), rateLimit: null });
    if (result.ok) throw new Error("expected the grading to fail");
    expect(result.code).toBe("cluster-unreachable");
    expect(result.error).toMatch(/^The lab cluster cannot be reached right now \(your saved files are safe\); try again in a few minutes\. If it keeps happening, tell your instructor the request id [0-9a-f-]{36}\.$/);
    expect(result.error).not.toContain("kubeconfig");
    const requestId = result.error.match(/request id ([0-9a-f-]{36})/)![1]!;
    expect(logged).toHaveBeenCalledWith(`request ${requestId}: grading: the cluster cannot be reached:`, expect.objectContaining({ message: expect.stringContaining(MISSING_KUBECONFIG) }));
  } finally {
    logged.mockRestore();
  }
});
