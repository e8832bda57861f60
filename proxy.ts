// Runs before every page request (Next 16's proxy, formerly middleware): gives each page its
// Content-Security-Policy and, behind https, HSTS. See lib/http/security-headers.ts for the
// policy and docs/decisions/008-content-security-policy.md for why pages prerendered at build
// time get script hashes while the others get a fresh nonce.
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

// The build does not change under a running server: read the prerendered pages once.
let prerendered: Map<string, string[]> | null = null;
function prerenderedPages(): Map<string, string[]> {
  prerendered ??= development ? new Map() : prerenderedPageHashes(path.join(process.cwd(), ".next"));
  return prerendered;
}

export function proxy(request: NextRequest) {
  const pages = prerenderedPages();
  const pathname = request.nextUrl.pathname.replace(/(.)\/$/, "$1");
  const staticHashes = pages.get(pathname);
  let response: NextResponse;
  let policy: string;
  if (staticHashes) {
    policy = contentSecurityPolicy({ scriptHashes: staticHashes, development, https });
    response = NextResponse.next();
  } else {
    // Rendered per request: Next reads the nonce from the request's policy and puts it on every
    // script it writes. An address no route matches is answered with the prerendered 404 page,
    // so its hashes are allowed too.
    const nonce = makeNonce();
    const hashes = [...new Set([THEME_SCRIPT, ...(pages.get(NOT_FOUND_PAGE) ?? [])])];
    policy = contentSecurityPolicy({ nonce, scriptHashes: hashes, development, https });
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
