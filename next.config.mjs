import { ensureMonacoAssets } from "./scripts/monaco-assets.mjs";

ensureMonacoAssets();

// Headers that are the same on every response, static files included. The Content-Security-Policy
// (a nonce or hashes per page) and HSTS (only when the site is served over https, known at run
// time) are set by proxy.ts; see docs/decisions/008-content-security-policy.md.
const securityHeaders = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  // Nothing in Academy uses these; a page that is injected into cannot either.
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), bluetooth=(), browsing-topics=()" },
  // For browsers without CSP frame-ancestors (the CSP says 'none' too).
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
];

/** @type {import('next').NextConfig} */
const nextConfig = {
  // mdx-bundler drives esbuild at run time; esbuild, the Kubernetes client and ws (the lab
  // terminal's sockets; its optional native add-ons are looked up at run time) must stay
  // ordinary Node modules rather than being bundled.
  serverExternalPackages: ["mdx-bundler", "esbuild", "@electric-sql/pglite", "@kubernetes/client-node", "ws"],
  poweredByHeader: false,
  experimental: {
    // forbidden() renders app/forbidden.tsx with status 403 for signed-in users without the role.
    authInterrupts: true,
    // Next's default, written down because the lab room depends on it: a learner file is at most
    // 64 KiB (LEARNER_FILE_LIMITS), so a save fits easily and the server refuses an oversized file
    // in words. A body over this limit is refused by Next before Academy's code runs, with a bare
    // 500, so the browser checks the file's size before sending (lib/labs/file-size.ts).
    serverActions: { bodySizeLimit: "1mb" },
  },
  async headers() {
    return [{ source: "/:path*", headers: securityHeaders }];
  },
};

export default nextConfig;
