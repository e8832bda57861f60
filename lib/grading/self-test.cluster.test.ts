// The lab self-test's harness on the real API server, for the lab with a sandbox that has the
// fewest fixtures.
// Every lab is verified once per `npm test`, by its labs:verify step (scripts/labs-verify.ts) after
// Vitest; running them all here too would double the longest step of the suite.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { DatabaseHandle } from "@/lib/db/client";
import { openDatabase } from "@/lib/db/client";
import { labFixtures } from "@/lib/labs/fixtures";
import { listLabs } from "@/lib/labs/registry";
import { testCluster } from "@/tests/support/cluster";
import { uninstall } from "@/lib/sandbox/upkeep";
import { verifyLabs } from "./self-test";

let handle: DatabaseHandle;

beforeAll(async () => {
  handle = await openDatabase({ memory: true });
});

afterAll(async () => {
  await handle?.close();
});

test("a lab with a sandbox: the solution passes every check, the starter does not complete the lab, every fixture fails what it names", async () => {
  const lab = listLabs()
    .filter((l) => l.sandbox && labFixtures(l).length > 0)
    .sort((a, b) => labFixtures(a).length - labFixtures(b).length || a.id.localeCompare(b.id))[0];
  expect(lab, "a lab with a sandbox and fixtures").toBeDefined();
  if (!lab) return;
  const { verdicts, summary } = await verifyLabs({
    db: handle.db,
    cluster: testCluster(),
    installation: `labs-test-${randomBytes(3).toString("hex")}`,
    labIds: [lab.id],
  });
  expect(verdicts.map((v) => [v.labId, v.problems])).toEqual([[lab.id, []]]);
  // The test cluster has a real node, so no fixture is skipped.
  expect(summary).toMatchObject({ labs: 1, failed: 0, fixturesSkipped: 0 });
  expect(summary.passed).toBe(summary.checks);
  expect(summary.fixtures).toBe(labFixtures(lab).length);
  expect(summary.fixturesFailedAsExpected).toBe(summary.fixtures);
}, 600_000);

test("the dry-run check names the file, document and field the API server refuses; the grader cannot write", async () => {
  const { randomUUID } = await import("node:crypto");
  const { users } = await import("@/lib/db/schema");
  const { startSandbox } = await import("@/lib/sandbox/lifecycle");
  const { graderClient } = await import("@/lib/k8s/client");
  const { saveLabFile } = await import("@/lib/labs/files");
  const { gradeAttempt } = await import("./grader");
  const cluster = testCluster();
  const installation = `labs-test-${randomBytes(3).toString("hex")}`;
  const user = { id: randomUUID() };
  await handle.db.insert(users).values({ id: user.id, email: `${user.id}@example.com`, name: "L" });
  const started = await startSandbox(handle.db, user, { labId: "deploy-the-model", sizeProfile: "small" }, () => {}, { cluster, installation });
  expect(started.ok).toBe(true);
  if (!started.ok) return;
  const namespace = started.sandbox.namespace;
  try {
    const broken = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: model-settings\ndata:\n  A: b\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: model-server\nspec:\n  replicas: two\n  selector: {matchLabels: {a: b}}\n  template:\n    metadata: {labels: {a: b}}\n    spec:\n      containers: [{name: c, image: x:1}]\n";
    expect(await saveLabFile(handle.db, user, { labId: "deploy-the-model", path: "k8s/deployment.yaml", content: broken })).toMatchObject({ ok: true });
    const graded = await gradeAttempt(handle.db, user, "deploy-the-model", undefined, { cluster, rateLimit: null });
    expect(graded.ok).toBe(true);
    if (!graded.ok) return;
    const dry = graded.attempt.results.find((r) => r.id === "manifests-accepted")!;
    expect(dry.status).toBe("fail");
    expect(dry.message).toMatch(/k8s\/deployment\.yaml, document 2 \(line 8\), Deployment "model-server"/);
    expect(dry.message).toContain("replicas");
    // Nothing was created by the dry-run, and the grader's identity is read-only.
    expect(await cluster.get({ apiVersion: "apps/v1", kind: "Deployment", name: "model-server", namespace })).toBeNull();
    const grader = graderClient(cluster, namespace);
    await expect(grader.apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x", namespace } })).rejects.toThrow(/forbidden/i);
  } finally {
    await uninstall(cluster, installation);
  }
});
