// npm run labs:verify — every lab's solution passes every check on a fresh sandbox, its starter
// does not complete the lab, and each of its fixtures (labs/<id>/fixtures/) fails the checks it
// names. Labs with a sandbox run on the cluster in KUBECONFIG or ACADEMY_TEST_KUBECONFIG, else on
// the local control plane (started when needed). Fixtures marked `needs: real-node` are skipped,
// and listed as skipped, when that cluster has no real node.
// Last line: {"labs":n,"checks":n,"passed":n,"failed":n,"fixtures":n,"fixturesFailedAsExpected":n,
// "fixturesSkipped":n,"skipped":["lab/fixture"]}; exit 1 on any failure.
// Usage: labs-verify [--lab <lab-id> ...] (every lab when none is named; bare lab ids work too)
import { randomBytes } from "node:crypto";
import { clusterOptionsFromEnv, startLocalCluster } from "../tools/local-cluster";
import { openDatabase } from "../lib/db/client";
import { env } from "../lib/env";
import { createKubeClient } from "../lib/k8s/client";
import { labFixtures } from "../lib/labs/fixtures";
import { listLabs } from "../lib/labs/registry";
import { verifyLabs } from "../lib/grading/self-test";
import { parseVerifyArgs } from "./support/labs-verify-args";

async function kubeconfigPath(): Promise<string> {
  const given = env.KUBECONFIG ?? process.env.ACADEMY_TEST_KUBECONFIG;
  if (given) return given;
  const info = await startLocalCluster(clusterOptionsFromEnv());
  return info.kubeconfigPath;
}

async function main(): Promise<number> {
  const all = listLabs();
  const args = parseVerifyArgs(process.argv.slice(2), all.map((lab) => lab.id).sort());
  if (!args.ok) {
    console.error(`labs:verify: ${args.error}`);
    return 2;
  }
  const named = args.labIds;
  const labs = named === null ? all : all.filter((lab) => named.includes(lab.id));
  // A cluster for the labs with a sandbox and the labs that build an image (on the real node); for
  // other labs, only to ask whether a real node exists (a given kubeconfig, never a cluster started
  // just for that).
  const given = env.KUBECONFIG ?? process.env.ACADEMY_TEST_KUBECONFIG;
  const needsRealNode = labs.some((lab) => labFixtures(lab).some((f) => f.needs === "real-node"));
  const cluster = labs.some((lab) => lab.sandbox || lab.build)
    ? createKubeClient(await kubeconfigPath())
    : needsRealNode && given ? createKubeClient(given) : null;
  const handle = await openDatabase({ memory: true });
  try {
    const { verdicts, summary } = await verifyLabs({
      db: handle.db,
      cluster,
      installation: `labs-verify-${randomBytes(3).toString("hex")}`,
      labIds: labs.map((lab) => lab.id),
      log: (line) => console.error(`labs:verify: ${line}`),
    });
    for (const v of verdicts) {
      const ran = v.fixtures.filter((f) => f.skipped === null);
      const fixtures = `${ran.filter((f) => f.failedAsExpected).length}/${ran.length} fixtures fail as expected`;
      console.log(`${v.problems.length === 0 ? "ok  " : "FAIL"} ${v.labId}: solution passes ${v.passed}/${v.checks} checks; ${fixtures}`);
      for (const p of v.problems) console.log(`       ${p}`);
      for (const f of v.fixtures) if (f.skipped) console.log(`       SKIPPED fixture ${f.name}: ${f.skipped}`);
    }
    console.log(JSON.stringify(summary));
    return summary.failed === 0 && verdicts.every((v) => v.problems.length === 0) ? 0 : 1;
  } finally {
    await handle.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    console.log(JSON.stringify({ labs: 0, checks: 0, passed: 0, failed: 1, fixtures: 0, fixturesFailedAsExpected: 0, fixturesSkipped: 0, skipped: [] }));
    process.exit(1);
  },
);
