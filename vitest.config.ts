import path from "node:path";
import { fileURLToPath } from "node:url";
import { configDefaults, defineConfig } from "vitest/config";

const repoRoot = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      "@": repoRoot,
      "server-only": path.join(repoRoot, "tests/support/empty.ts"),
    },
  },
  test: {
    environment: "node",
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["lib/**/*.test.ts", "app/**/*.test.ts", "scripts/**/*.test.ts", "tools/**/*.test.ts"],
          exclude: [...configDefaults.exclude, "**/*.cluster.test.ts"],
          // Set-up hooks open a database (PGlite runs its WASM build and every migration): with
          // test files in parallel on 2 cores that can take longer than the 10 s default.
          hookTimeout: 60_000,
        },
      },
      {
        // Against the real local control plane (started by the global setup unless
        // ACADEMY_TEST_KUBECONFIG points at a cluster); one file at a time, generous timeouts.
        extends: true,
        test: {
          name: "cluster",
          include: ["lib/**/*.cluster.test.ts", "tools/**/*.cluster.test.ts"],
          globalSetup: ["tests/support/cluster-setup.ts"],
          testTimeout: 180_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
