// Readiness probes and the small HTTP(S) client they use. The components only accept clients
// with certificates from our CA (certificates.ts), and this runs before any kubeconfig-based
// client could, so it speaks plain node:https with those certificates.
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import path from "node:path";
import type { Layout } from "./layout";
import { LocalClusterError } from "./errors";

export type Health = { ok: boolean; detail: string };

export type Tls = {
  ca: Buffer;
  cert?: Buffer;
  key?: Buffer;
};

/** Our CA, plus the client certificate `client` (a file pair in pki/) when given. */
export function tlsFor(l: Layout, client: "admin" | "apiserver-etcd-client" | null): Tls {
  const ca = fs.readFileSync(path.join(l.pkiDir, "ca.crt"));
  if (!client) return { ca };
  return {
    ca,
    cert: fs.readFileSync(path.join(l.pkiDir, `${client}.crt`)),
    key: fs.readFileSync(path.join(l.pkiDir, `${client}.key`)),
  };
}

export type HttpResult = {
  status: number;
  body: string;
};

export function request(
  url: string,
  tls: Tls | null,
  method = "GET",
  body?: unknown,
  timeoutMs = 5000,
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const lib = u.protocol === "https:" ? https : http;
    const req = lib.request(
      u,
      {
        method,
        ...(tls ? { ca: tls.ca, cert: tls.cert, key: tls.key } : {}),
        headers: payload ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) } : {},
        timeout: timeoutMs,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      },
    );
    req.on("timeout", () => req.destroy(new Error(`timeout after ${timeoutMs}ms: ${method} ${url}`)));
    req.on("error", reject);
    req.end(payload);
  });
}

/** A request to the API server as the cluster admin. */
export function api(l: Layout, method: string, apiPath: string, body?: unknown): Promise<HttpResult> {
  return request(`https://127.0.0.1:${l.ports.apiserver}${apiPath}`, tlsFor(l, "admin"), method, body, 10000);
}

/** A health endpoint: healthy when it answers 200 (and `accept` agrees with the body). */
export async function probe(
  url: string,
  tls: Tls | null,
  accept: (body: string) => boolean = () => true,
): Promise<Health> {
  try {
    const r = await request(url, tls);
    const ok = r.status === 200 && accept(r.body);
    return { ok, detail: `HTTP ${r.status} ${r.body.trim().slice(0, 300)}` };
  } catch (e) {
    return { ok: false, detail: (e as Error).message };
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it is true or the deadline passes (then throws with `hint`). */
export async function waitFor(what: string, deadline: number, check: () => Promise<boolean>, hint: string): Promise<void> {
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(200);
  }
  throw new LocalClusterError(`timed out waiting for ${what}\n${hint}`);
}
