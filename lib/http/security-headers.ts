// The security headers of every page (proxy.ts calls these): the Content-Security-Policy and
// HSTS, which depend on the request or on the run-time URL of the site. The headers that are the
// same for every response (nosniff, Referrer-Policy, Permissions-Policy, X-Frame-Options, COOP)
// are in next.config.mjs, so static files carry them too.
//
// Scripts: a page may run scripts from this origin only (Next's chunks, Monaco under /monaco),
// plus the inline scripts this server wrote into it, and nothing else:
//   - a page rendered per request (dashboard, labs, sign-in, admin) gets a fresh nonce, which
//     Next puts on every script it writes; the root layout's theme script is allowed by its hash;
//   - a page prerendered at build time (home, curriculum, lessons, the 404 page: decision 004)
//     cannot carry a per-request nonce, so its policy lists the sha256 of each inline script in
//     its prerendered HTML, read once from the build output.
// Why not nonces everywhere: docs/decisions/008-content-security-policy.md.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

export type PolicyOptions = {
  /** For a page rendered per request. */
  nonce?: string;
  /** 'sha256-…' sources of inline scripts allowed on the page. */
  scriptHashes: readonly string[];
  /** next dev: React needs eval for its error overlay, and hot reload opens a WebSocket. */
  development: boolean;
  /** The site is served over https (NEXTAUTH_URL). */
  https: boolean;
};

/** The Content-Security-Policy of a page. */
export function contentSecurityPolicy({ nonce, scriptHashes, development, https }: PolicyOptions): string {
  const script = ["'self'", ...(nonce ? [`'nonce-${nonce}'`] : []), ...scriptHashes.map((h) => `'${h}'`), ...(development ? ["'unsafe-eval'"] : [])];
  const directives = [
    "default-src 'self'",
    `script-src ${script.join(" ")}`,
    // Monaco adds <style> elements and style attributes as it lays out the editor, and Next's
    // client router sets inline styles: styles cannot be held to a nonce. Injected CSS cannot
    // run script, and every other fetch is still limited to this origin.
    "style-src 'self' 'unsafe-inline'",
    // Monaco's icon font (codicons) is a data: URL inside its CSS.
    "font-src 'self' data:",
    "img-src 'self' data: blob:",
    // Monaco starts its language workers from blob: URLs that import from /monaco.
    "worker-src 'self' blob:",
    `connect-src 'self'${development ? " ws: wss:" : ""}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(https ? ["upgrade-insecure-requests"] : []),
  ];
  return directives.join("; ");
}

/** Strict-Transport-Security, only for a site served over https (a browser ignores it on http anyway). */
export function strictTransportSecurity(https: boolean): string | null {
  return https ? "max-age=63072000; includeSubDomains" : null;
}

/** A nonce: 128 random bits, base64. */
export function makeNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64");
}

/** The CSP source for an inline script with exactly this text. */
export function scriptHash(text: string): string {
  return `sha256-${createHash("sha256").update(text, "utf8").digest("base64")}`;
}

/** The inline scripts (no `src`) of an HTML document, as the browser hashes them: the raw text. */
export function inlineScripts(html: string): string[] {
  const found: string[] = [];
  for (const match of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    const attributes = match[1] ?? "";
    const text = match[2] ?? "";
    if (/\bsrc\s*=/i.test(attributes) || text.length === 0) continue;
    found.push(text);
  }
  return found;
}

/**
 * The hashes of the inline scripts of each prerendered page of a production build, by path, read
 * from `<distDir>/prerender-manifest.json` and the pages' HTML. Empty without a build (next dev
 * renders every page per request, so nonces cover them).
 */
export function prerenderedPageHashes(distDir: string): Map<string, string[]> {
  const pages = new Map<string, string[]>();
  let routes: string[];
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(distDir, "prerender-manifest.json"), "utf8")) as { routes?: Record<string, unknown> };
    routes = Object.keys(manifest.routes ?? {});
  } catch {
    return pages;
  }
  for (const route of routes) {
    const file = path.join(distDir, "server", "app", `${route === "/" ? "index" : route.slice(1)}.html`);
    let html: string;
    try {
      html = fs.readFileSync(file, "utf8");
    } catch {
      continue; // not a page (icon.svg, robots.txt)
    }
    pages.set(route, [...new Set(inlineScripts(html).map(scriptHash))]);
  }
  return pages;
}

/** The page Next answers with when no route matches; it is prerendered, so its scripts need hashes. */
export const NOT_FOUND_PAGE = "/_not-found";
