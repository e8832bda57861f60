import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "vitest";
import { contentSecurityPolicy, inlineScripts, makeNonce, prerenderedPageHashes, scriptHash, strictTransportSecurity } from "./security-headers";

function directives(policy: string): Record<string, string> {
  return Object.fromEntries(policy.split("; ").map((d) => [d.split(" ")[0]!, d.slice(d.indexOf(" ") + 1)]));
}

test("a page rendered per request may run this origin's scripts and those with its nonce, nothing inline otherwise", () => {
  const nonce = makeNonce();
  expect(nonce).toMatch(/^[A-Za-z0-9+/]{22}==$/);
  expect(makeNonce()).not.toBe(nonce);
  const policy = directives(contentSecurityPolicy({ nonce, scriptHashes: ["sha256-abc="], development: false, https: false }));
  expect(policy["script-src"]).toBe(`'self' 'nonce-${nonce}' 'sha256-abc='`);
  expect(policy["frame-ancestors"]).toBe("'none'");
  expect(policy["object-src"]).toBe("'none'");
  expect(policy["base-uri"]).toBe("'none'");
  expect(policy["worker-src"]).toBe("'self' blob:");
  expect(policy["connect-src"]).toBe("'self'");
  expect(policy).not.toHaveProperty("upgrade-insecure-requests");
});

test("next dev gets eval and its hot-reload socket; https gets upgrade-insecure-requests and HSTS", () => {
  const dev = directives(contentSecurityPolicy({ nonce: "n", scriptHashes: [], development: true, https: false }));
  expect(dev["script-src"]).toContain("'unsafe-eval'");
  expect(dev["connect-src"]).toBe("'self' ws: wss:");
  const https = contentSecurityPolicy({ scriptHashes: [], development: false, https: true });
  expect(https.split("; ")).toContain("upgrade-insecure-requests");
  expect(https).not.toContain("unsafe-eval");
  expect(strictTransportSecurity(true)).toBe("max-age=63072000; includeSubDomains");
  expect(strictTransportSecurity(false)).toBeNull();
});

test("a prerendered page's inline scripts are hashed exactly as the browser hashes them", () => {
  const html = `<html><head><script>(function(){document.documentElement.dataset.theme="dark"})();</script><script src="/_next/static/a.js" async=""></script></head>
<body><script id="_R_">self.__next_f.push([1,"a\\u003cb"])</script><script></script></body></html>`;
  expect(inlineScripts(html)).toEqual(['(function(){document.documentElement.dataset.theme="dark"})();', 'self.__next_f.push([1,"a\\u003cb"])']);
  const text = 'self.__next_f.push([1,"a\\u003cb"])';
  expect(scriptHash(text)).toBe(`sha256-${createHash("sha256").update(text).digest("base64")}`);

  const dist = fs.mkdtempSync(path.join(os.tmpdir(), "academy-dist-"));
  fs.mkdirSync(path.join(dist, "server/app/learn/k8s"), { recursive: true });
  fs.writeFileSync(path.join(dist, "prerender-manifest.json"), JSON.stringify({ routes: { "/": {}, "/learn/k8s/pods": {}, "/icon.svg": {} } }));
  fs.writeFileSync(path.join(dist, "server/app/index.html"), "<script>home()</script>");
  fs.writeFileSync(path.join(dist, "server/app/learn/k8s/pods.html"), "<script>lesson()</script><script>lesson()</script>");
  const pages = prerenderedPageHashes(dist);
  expect([...pages.keys()]).toEqual(["/", "/learn/k8s/pods"]);
  expect(pages.get("/")).toEqual([scriptHash("home()")]);
  expect(pages.get("/learn/k8s/pods")).toEqual([scriptHash("lesson()")]);
  // Without a build (next dev) there is nothing to hash: every page gets a nonce.
  expect(prerenderedPageHashes(path.join(dist, "missing")).size).toBe(0);
  fs.rmSync(dist, { recursive: true, force: true });
});
