/** @type {import('next').NextConfig} */
const nextConfig = {
  // mdx-bundler drives esbuild at run time; esbuild and the Kubernetes client must stay
  // ordinary Node modules rather than being bundled.
  serverExternalPackages: ["mdx-bundler", "esbuild", "@electric-sql/pglite", "@kubernetes/client-node"],
  poweredByHeader: false,
};

export default nextConfig;
