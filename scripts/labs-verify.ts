// npm run labs:verify — every lab's solution passes every check on a fresh sandbox and its starter
// does not complete the lab. Labs with a sandbox run on the cluster in KUBECONFIG or
// ACADEMY_TEST_KUBECONFIG, else on the local control plane (started when needed).
// Last line: {"labs":n,"checks":n,"passed":n,"failed":n}; exit 1 on any failure.
// Usage: labs-verify [lab-id ...]
import { randomBytes } from "node:crypto";
import { clusterOptionsFromEnv, startLocalCluster } from "../tools/local-cluster";
import { openDatabase } from "../lib/db/client";
import { env } from "../lib/env";
import { createKubeClient } from "../lib/k8s/client";
import { listLabs } from "../lib/labs/registry";
import { verifyLabs } from "../lib/grading/self-test";

async function kubeconfigPath(): Promise<string> {
  const given = env.KUBECONFIG ?? process.env.ACADEMY_TEST_KUBECONFIG;
  if (given) return given;
  const info = await startLocalCluster(clusterOptionsFromEnv());
  return info.kubeconfigPath;
}

async function main(): Promise<number> {
  const labIds = process.argv.slice(2).filter((a) => !a.startsWith("-"));
  const labs = listLabs().filter((lab) => labIds.length === 0 || labIds.includes(lab.id));
  const unknown = labIds.filter((id) => !labs.some((lab) => lab.id === id));
  if (unknown.length) {
    console.error(`labs:verify: no lab ${unknown.join(", ")}; known: ${listLabs().map((l) => l.id).join(", ")}`);
    return 2;
  }
  // Labs with a sandbox, and labs that build an image (on the real node), need the cluster.
  const cluster = labs.some((lab) => lab.sandbox || lab.build) ? createKubeClient(await kubeconfigPath()) : null;
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
      console.log(`${v.problems.length === 0 ? "ok  " : "FAIL"} ${v.labId}: solution passes ${v.passed}/${v.checks} checks`);
      for (const p of v.problems) console.log(`       ${p}`);
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
    console.log(JSON.stringify({ labs: 0, checks: 0, passed: 0, failed: 1 }));
    process.exit(1);
  },
);
