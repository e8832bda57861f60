import { ensureMonacoAssets } from "./scripts/monaco-assets.mjs";

ensureMonacoAssets();

/** @type {import('next').NextConfig} */
const nextConfig = {
  // mdx-bundler drives esbuild at run time; esbuild and the Kubernetes client must stay
  // ordinary Node modules rather than being bundled.
  serverExternalPackages: ["mdx-bundler", "esbuild", "@electric-sql/pglite", "@kubernetes/client-node"],
  poweredByHeader: false,
  // forbidden() renders app/forbidden.tsx with status 403 for signed-in users without the role.
  experimental: { authInterrupts: true },
};

export default nextConfig;
