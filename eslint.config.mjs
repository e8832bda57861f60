import { defineConfig, globalIgnores } from "eslint/config";
import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  globalIgnores([".next/**", "node_modules/**", ".academy-data/**", ".academy-test/**", "test-results/**", "next-env.d.ts", "labs/*/starter/**", "labs/*/solution/**", "public/monaco/**"]),
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { ignoreRestSiblings: true, argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      // Only lib/env.ts reads the environment (see docs/decisions); scripts and tests may too.
      "no-restricted-properties": [
        "error",
        { object: "process", property: "env", message: "Read settings through lib/env.ts." },
      ],
    },
  },
  {
    files: ["lib/env.ts", "instrumentation.ts", "scripts/**", "tests/**", "**/*.test.ts", "playwright.config.ts", "vitest.config.ts", "tools/local-cluster/options.ts"],
    rules: { "no-restricted-properties": "off" },
  },
]);
