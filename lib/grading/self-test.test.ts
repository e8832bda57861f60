// The lab self-test's fixture runs on a lab without a sandbox (no cluster needed): every fixture
// graded like a learner's submission, a check that lets a fixture through named with lab, fixture
// and check, and fixtures that need a real node skipped visibly; a lab with steps verified step
// by step on the in-memory cluster. On the real cluster: self-test.cluster.test.ts.
import { afterAll, beforeAll, expect, test } from "vitest";
import { openDatabase, type DatabaseHandle } from "@/lib/db/client";
import { labFixtures } from "@/lib/labs/fixtures";
import { getLab, solutionFiles } from "@/lib/labs/registry";
import { fakeCluster } from "@/lib/sandbox/test-helpers";
import { verifyFixture, verifyLabs } from "./self-test";

let handle: DatabaseHandle;

beforeAll(async () => {
  handle = await openDatabase({ memory: true });
});

afterAll(async () => {
  await handle?.close();
});

test("every fixture of a lab fails the checks it names; any that need a real node are skipped and listed", async () => {
  const lab = getLab("containerise-the-model")!;
  const fixtures = labFixtures(lab);
  const needing = fixtures.filter((f) => f.needs === "real-node").map((f) => `${lab.id}/${f.name}`);
  const { verdicts, summary } = await verifyLabs({ db: handle.db, labIds: [lab.id], realNode: false, fixtureConcurrency: 4 });
  expect(verdicts[0]!.problems).toEqual([]);
  expect(summary).toMatchObject({ fixtures: fixtures.length - needing.length, fixturesFailedAsExpected: fixtures.length - needing.length, fixturesSkipped: needing.length, skipped: needing });
  const skipped = verdicts[0]!.fixtures.filter((f) => f.skipped);
  expect(skipped.map((f) => f.skipped)).toEqual(needing.map(() => expect.stringContaining("needs a real node")));
  expect(fixtures.length - needing.length).toBeGreaterThanOrEqual(lab.checks.length);
  const userNeverCreated = verdicts[0]!.fixtures.find((f) => f.name === "user-never-created")!;
  expect(userNeverCreated).toMatchObject({ skipped: null, failedAsExpected: true, failing: ["non-root"] });
}, 120_000);

test("a fixture a mustFail check passes, or a mustPass check fails, is a problem naming the fixture and the check", async () => {
  const lab = getLab("design-the-prediction-api")!;
  const fixture = {
    name: "version-v1",
    dir: "",
    description: "info.version is v1",
    mustFail: ["valid-openapi", "semantic-version"],
    mustPass: ["predict-operation", "semantic-version"],
    delete: [],
    removeObjects: [],
    needs: null,
    step: null,
    overlay: { "openapi.yaml": solutionFiles(lab)["openapi.yaml"]!.replace("version: 1.0.0", "version: v1") },
  };
  const result = await verifyFixture({ db: handle.db }, lab, fixture, null);
  expect(result.problems).toEqual([
    expect.stringMatching(/^fixture design-the-prediction-api\/version-v1: check valid-openapi PASSED, but must fail on "info\.version is v1" — /),
    expect.stringMatching(/^fixture design-the-prediction-api\/version-v1: check semantic-version must pass, but fails — /),
  ]);
  expect(result.verdict).toMatchObject({ failedAsExpected: false, failing: ["semantic-version"] });
  // Skipped when it needs a real node and there is none: no grading, no problem, the reason kept.
  const skipped = await verifyFixture({ db: handle.db }, lab, { ...fixture, needs: "real-node" }, "no real node here");
  expect(skipped).toMatchObject({ problems: [], verdict: { skipped: "no real node here", failedAsExpected: false } });
}, 60_000);

test("a lab with steps is verified step by step on the in-memory cluster: each step's solution completes it, its fixtures fail at their step", async () => {
  const lab = getLab("scale-then-clean-up")!;
  const log: string[] = [];
  const options = { db: handle.db, cluster: fakeCluster(), realNode: false, rolloutTimeoutMs: 1, fixtureRolloutTimeoutMs: 1, log: (line: string) => log.push(line) };
  const { verdicts, summary } = await verifyLabs({ ...options, labIds: [lab.id] });
  expect(verdicts[0]!.problems).toEqual([]);
  expect(verdicts[0]!.passed).toBe(lab.checks.length);
  expect(summary).toMatchObject({ fixtures: 5, fixturesFailedAsExpected: 5, fixturesSkipped: 0 });
  expect(log).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^scale-then-clean-up: step create: solution 2\/2 checks pass/),
      expect.stringMatching(/^scale-then-clean-up: step scale: solution 1\/1 checks pass/),
      expect.stringMatching(/^scale-then-clean-up: step clean-up: solution 2\/2 checks pass/),
      expect.stringMatching(/^scale-then-clean-up: starter fails 1\/2 checks of step create \(three-replicas\)/),
      expect.stringMatching(/^fixture scale-then-clean-up\/config-kept fails as expected: fails debug-settings-gone/),
    ]),
  );

  // A fixture at a step whose mustFail check passes there is a problem naming the step's check.
  const fixture = labFixtures(lab).find((f) => f.name === "config-kept")!;
  const wrong = await verifyFixture(options, lab, { ...fixture, mustFail: ["server-kept"], mustPass: [] }, null);
  expect(wrong.problems).toEqual([expect.stringMatching(/^fixture scale-then-clean-up\/config-kept: check server-kept PASSED, but must fail/)]);
}, 120_000);
