// npm run sandboxes:uninstall — removes everything one Academy installation put on the cluster in
// KUBECONFIG: its sandbox namespaces and its cluster-wide admission policies. For an installation
// that is gone for good (a retired deployment, a finished test server); a running server would
// put its policies back before its next sandbox.
// Usage: sandboxes:uninstall [--installation ID]   (default: ACADEMY_INSTALLATION_ID)
import { env } from "../lib/env";
import { createKubeClient, defaultKubeconfigPath } from "../lib/k8s/client";
import { uninstall } from "../lib/sandbox/upkeep";

async function main(argv: string[]): Promise<number> {
  const at = argv.indexOf("--installation");
  const installation = at >= 0 ? argv[at + 1] : env.ACADEMY_INSTALLATION_ID;
  if (!installation) {
    console.error("usage: npm run sandboxes:uninstall -- [--installation ID]");
    return 2;
  }
  const cluster = createKubeClient(defaultKubeconfigPath());
  const { namespaces } = await uninstall(cluster, installation);
  console.log(`sandboxes:uninstall: installation "${installation}": deleted ${namespaces.length} namespace(s) and its admission policies`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`sandboxes:uninstall: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
