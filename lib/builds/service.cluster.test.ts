// "Build image" end to end on the test cluster's real node, through the facade the route calls:
// three learners press it at once with one build slot; each sees its place in the queue, then
// its own build's log and outcome, and the queue records every result.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { DatabaseHandle } from "@/lib/db/client";
import { imageBuilds } from "@/lib/db/schema";
import { saveLabFiles } from "@/lib/labs/files";
import { createLearners, testCluster, testInstallation } from "@/tests/support/cluster";
import { openTestDatabase } from "@/tests/support/databases";
import type { BuildEvent } from "./events";
import { beginImageBuild } from "./service";

const LAB = "containerise-the-model";
let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await openTestDatabase("pglite");
}, 60_000);
afterAll(async () => {
  await handle?.close();
});

test("three builds at once with one slot: queued with their positions, run one after another, each with its own log and outcome", async () => {
  const db = handle.db;
  const learners = await createLearners(db, 3);
  const dockerfiles = [
    "FROM debian:bookworm-slim\nRUN echo built-by-learner-0\n",
    "FROM debian:bookworm-slim\nRUN echo built-by-learner-1 && false\n",
    "FROM debian:bookworm-slim\nRUN echo built-by-learner-2\n",
  ];
  for (const [i, learner] of learners.entries()) {
    const saved = await saveLabFiles(db, learner, LAB, [{ path: "Dockerfile", content: dockerfiles[i]! }]);
    expect(saved.ok).toBe(true);
  }
  const deps = { cluster: testCluster(), installation: testInstallation("svc"), concurrency: 1, pollMs: 300 };
  const begun = [];
  for (const learner of learners) {
    const b = await beginImageBuild(db, learner, LAB, deps);
    if (!b.ok) throw new Error(b.error);
    begun.push(b);
  }
  // A second press while the first is queued is refused.
  expect(await beginImageBuild(db, learners[0]!, LAB, deps)).toMatchObject({ ok: false, code: "already-building" });

  const events: BuildEvent[][] = [[], [], []];
  const results = await Promise.all(begun.map((b, i) => b.run((e) => events[i]!.push(e))));

  const queued = events.map((list) => list.filter((e) => e.type === "queued").map((e) => (e as { position: number }).position));
  // Whoever waited saw a position, and positions only ever went down.
  expect(queued.filter((q) => q.length > 0).length).toBeGreaterThanOrEqual(2);
  for (const q of queued) expect([...q].sort((a, b) => b - a)).toEqual(q);
  for (const [i, list] of events.entries()) {
    const types = list.map((e) => e.type);
    expect(types.indexOf("started")).toBeGreaterThan(-1);
    expect(types.lastIndexOf("queued")).toBeLessThan(types.indexOf("started"));
    // Each learner sees their own build's output, nobody else's.
    const log = list.flatMap((e) => (e.type === "log" ? [e.line] : []));
    expect(log).toContain(`built-by-learner-${i}`);
    const others = [0, 1, 2].filter((j) => j !== i);
    expect(log.some((l) => others.some((j) => l.includes(`built-by-learner-${j}`)))).toBe(false);
  }
  expect(results.map((r) => r.ok && ("failed" in r ? r.failed.reason : "built"))).toEqual(["built", "step-failed", "built"]);
  const done = events[0]!.find((e) => e.type === "done");
  expect(done).toMatchObject({ image: expect.stringMatching(/^registry\.academy\.local\/learners\/[0-9a-f]{16}\/model-server:latest$/) });
  const failed = events[1]!.find((e) => e.type === "failed");
  expect(failed).toMatchObject({ reason: "step-failed", line: 2 });

  const rows = await db.select().from(imageBuilds).where(eq(imageBuilds.labId, LAB));
  expect(rows.map((r) => r.state).sort()).toEqual(["failed", "succeeded", "succeeded"]);
}, 400_000);
