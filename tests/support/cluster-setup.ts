// Vitest global setup for `*.cluster.test.ts`: makes sure a Kubernetes API server is there and
// hands its kubeconfig to the tests as ACADEMY_TEST_KUBECONFIG. With ACADEMY_TEST_KUBECONFIG
// already set, that cluster is used as is; otherwise the local control plane is started (or
// reused when it is running). When no cluster can be had the error is passed on, so every
// cluster test FAILS with it instead of the whole run (unit tests included) aborting.
import type { TestProject } from "vitest/node";
import { clusterOptionsFromEnv, startLocalCluster } from "@/lib/cluster/local-cluster";

declare module "vitest" {
  export interface ProvidedContext {
    academyKubeconfig: string;
    academyClusterError: string;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const given = process.env.ACADEMY_TEST_KUBECONFIG;
  if (given) {
    project.provide("academyKubeconfig", given);
    project.provide("academyClusterError", "");
    return;
  }
  try {
    const info = await startLocalCluster(clusterOptionsFromEnv());
    process.env.ACADEMY_TEST_KUBECONFIG = info.kubeconfigPath;
    project.provide("academyKubeconfig", info.kubeconfigPath);
    project.provide("academyClusterError", "");
  } catch (error) {
    project.provide("academyKubeconfig", "");
    project.provide(
      "academyClusterError",
      `No Kubernetes cluster for the cluster tests: starting the local control plane failed: ` +
        `${error instanceof Error ? error.message : String(error)}\n` +
        "Fix that (see `bash scripts/node.sh npx tsx scripts/cluster.ts status`), or set ACADEMY_TEST_KUBECONFIG " +
        "to the kubeconfig of a running cluster.",
    );
  }
}
