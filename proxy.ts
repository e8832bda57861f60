// Runs before every page request (Next 16's proxy, formerly middleware): gives each page its
// Content-Security-Policy and, behind https, HSTS; and forwards the lab terminal's socket to its
// service. See lib/http/security-headers.ts for the policy and
// docs/decisions/008-content-security-policy.md for why pages prerendered at build time get
// script hashes while the others get a fresh nonce.
import path from "node:path";
import { NextResponse, type NextRequest } from "next/server";
import { themeScript } from "@/app/_components/theme-script";
import { env } from "@/lib/env";
import {
  NOT_FOUND_PAGE,
  contentSecurityPolicy,
  makeNonce,
  prerenderedPageHashes,
  scriptHash,
  strictTransportSecurity,
} from "@/lib/http/security-headers";

const development = env.NODE_ENV === "development";
const https = new URL(env.NEXTAUTH_URL).protocol === "https:";
const THEME_SCRIPT = scriptHash(themeScript);

// The build does not change under a running server: read the prerendered pages once, and make
// each one's policy once (it has no nonce, so it is the same for every request).
let prerendered: Map<string, string> | null = null;
function prerenderedPolicies(): Map<string, string> {
  if (!prerendered) {
    const pages = development ? new Map<string, string[]>() : prerenderedPageHashes(path.join(process.cwd(), ".next"));
    prerendered = new Map([...pages].map(([route, scriptHashes]) => [route, contentSecurityPolicy({ scriptHashes, development, https })]));
    notFoundHashes = [...new Set([THEME_SCRIPT, ...(pages.get(NOT_FOUND_PAGE) ?? [])])];
  }
  return prerendered;
}
let notFoundHashes: string[] = [THEME_SCRIPT];

// The lab terminal's service listens on a loopback port of this process (lib/terminal; decision
// 013). Next forwards a rewrite to another origin, WebSocket upgrades included, with the cookies
// and the Origin header as the browser sent them; the port is read at run time, which a
// next.config rewrite (fixed at build time) could not do.
const TERMINAL_ORIGIN = `http://127.0.0.1:${env.ACADEMY_TERMINAL_PORT}`;

export function proxy(request: NextRequest) {
  const pathname = request.nextUrl.pathname;
  if (pathname.startsWith("/api/terminal/")) return NextResponse.rewrite(new URL(`${pathname}${request.nextUrl.search}`, TERMINAL_ORIGIN));
  const staticPolicy = prerenderedPolicies().get(pathname.length > 1 && pathname.endsWith("/") ? pathname.slice(0, -1) : pathname);
  let response: NextResponse;
  let policy: string;
  if (staticPolicy) {
    policy = staticPolicy;
    response = NextResponse.next();
  } else {
    // Rendered per request: Next reads the nonce from the request's policy and puts it on every
    // script it writes. An address no route matches is answered with the prerendered 404 page,
    // so its hashes are allowed too.
    const nonce = makeNonce();
    policy = contentSecurityPolicy({ nonce, scriptHashes: notFoundHashes, development, https });
    const headers = new Headers(request.headers);
    headers.set("content-security-policy", policy);
    response = NextResponse.next({ request: { headers } });
  }
  response.headers.set("content-security-policy", policy);
  const hsts = strictTransportSecurity(https);
  if (hsts) response.headers.set("strict-transport-security", hsts);
  return response;
}

export const config = {
  matcher: [
    "/api/terminal/:path*",
    {
      // Pages only: not route handlers, Next's static chunks, Monaco's files or the icons, which
      // get the fixed headers of next.config.mjs. Prefetches are answered from the page's policy.
      source: "/((?!api/|_next/static|_next/image|monaco/|icon.svg|robots.txt).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
