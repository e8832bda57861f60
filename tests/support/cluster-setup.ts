// Vitest global setup for `*.cluster.test.ts`: makes sure a Kubernetes API server is there and
// hands its kubeconfig to the tests as ACADEMY_TEST_KUBECONFIG. With ACADEMY_TEST_KUBECONFIG
// already set, that cluster is used as is; otherwise the local control plane is started (or
// reused when it is running). It never builds the binaries: a cold build takes many minutes,
// far beyond a set-up hook, so `npm test` runs `npm run cluster -- start` (which builds, with
// progress) before Vitest. When no cluster can be had the error is passed on, so every
// cluster test FAILS with it instead of the whole run (unit tests included) aborting.
import type { TestProject } from "vitest/node";
import { clusterOptionsFromEnv, startLocalCluster } from "@/tools/local-cluster";

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
    const info = await startLocalCluster({ ...clusterOptionsFromEnv(), build: "never" });
    process.env.ACADEMY_TEST_KUBECONFIG = info.kubeconfigPath;
    project.provide("academyKubeconfig", info.kubeconfigPath);
    project.provide("academyClusterError", "");
  } catch (error) {
    project.provide("academyKubeconfig", "");
    project.provide(
      "academyClusterError",
      `No Kubernetes cluster for the cluster tests: starting the local control plane failed: ` +
        `${error instanceof Error ? error.message : String(error)}\n` +
        "Fix that (`npm run cluster -- start` builds and starts it; `npm run cluster -- status` shows it), or set ACADEMY_TEST_KUBECONFIG " +
        "to the kubeconfig of a running cluster.",
    );
  }
}
