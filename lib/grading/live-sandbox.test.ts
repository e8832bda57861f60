import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { LiveSandbox } from "@/lib/checks/types";
import { createKubeClient } from "@/lib/k8s/client";
import { describeError, exitCodeOf, liveSandbox } from "./live-sandbox";

// A stand-in API server on loopback: records each request and answers as the test says.
const seen: Array<{ method: string; url: string; body: string }> = [];
let answer: (url: string) => { status: number; body: string; delayMs?: number } = () => ({ status: 200, body: "{}" });
let server: http.Server;
let dir: string;
let live: LiveSandbox;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      seen.push({ method: req.method!, url: req.url!, body });
      const a = answer(req.url!);
      setTimeout(() => res.writeHead(a.status, { "Content-Type": "application/json" }).end(a.body), a.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "live-sandbox-"));
  const kubeconfig = path.join(dir, "config");
  fs.writeFileSync(
    kubeconfig,
    `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`,
  );
  live = liveSandbox(createKubeClient(kubeconfig), "lab-a");
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  fs.rmSync(dir, { recursive: true, force: true });
});

test("http goes through the service proxy of the learner's namespace and returns the app's answer whatever its status", async () => {
  answer = () => ({ status: 503, body: '{"status":"not ready","detail":"model is loading"}' });
  const got = await live.http({ kind: "service", name: "model-server", port: "http" }, { method: "POST", path: "/predict", body: '{"a":1}' });
  expect(got).toEqual({ status: 503, text: '{"status":"not ready","detail":"model is loading"}', json: { status: "not ready", detail: "model is loading" }, fromApiServer: false });
  expect(seen.at(-1)).toEqual({ method: "POST", url: "/api/v1/namespaces/lab-a/services/model-server:http/proxy/predict", body: '{"a":1}' });
});

test("the API server's own Status answer is told apart from the app's", async () => {
  answer = () => ({ status: 503, body: JSON.stringify({ kind: "Status", apiVersion: "v1", status: "Failure", message: 'no endpoints available for service "model-server"', code: 503 }) });
  const got = await live.http({ kind: "pod", name: "p", port: 8080 }, { method: "GET", path: "/ready" });
  expect(got).toEqual({ status: 503, text: 'no endpoints available for service "model-server"', json: undefined, fromApiServer: true });
  expect(seen.at(-1)!.url).toBe("/api/v1/namespaces/lab-a/pods/p:8080/proxy/ready");
});

test("an app that does not answer in time is an answer (status 0), not an outage", async () => {
  answer = () => ({ status: 200, body: "{}", delayMs: 1500 });
  const got = await live.http({ kind: "service", name: "s", port: 80 }, { method: "GET", path: "/slow", timeoutMs: 300 });
  expect(got).toMatchObject({ status: 0, fromApiServer: true, text: expect.stringContaining("no answer within") });
});

test("logs: the text as is, and '' for a container that has not started", async () => {
  answer = (url) => (url.includes("previous=true") ? { status: 400, body: '{"kind":"Status","message":"previous terminated container not found"}' } : { status: 200, body: '{"line":1}\nplain\n' });
  expect(await live.logs("p", { container: "c", tailLines: 5 })).toBe('{"line":1}\nplain\n');
  expect(seen.at(-1)!.url).toMatch(/^\/api\/v1\/namespaces\/lab-a\/pods\/p\/log\?tailLines=5&limitBytes=65536&container=c$/);
  expect(await live.logs("p", { previous: true })).toBe("");
});

test("grader pods are bounded and labelled whatever the caller asks; refusals come back as values", async () => {
  answer = () => ({ status: 201, body: "{}" });
  const created = await live.createPod({ apiVersion: "v1", kind: "Pod", metadata: { name: "g", namespace: "elsewhere" }, spec: { activeDeadlineSeconds: 9999, automountServiceAccountToken: true, containers: [] } });
  expect(created.ok).toBe(true);
  const sent = JSON.parse(seen.at(-1)!.body) as { metadata: Record<string, unknown>; spec: Record<string, unknown> };
  expect(seen.at(-1)!.url).toBe("/api/v1/namespaces/lab-a/pods");
  expect(sent.metadata).toMatchObject({ name: "g", namespace: "lab-a", labels: { "academy.dev/grader-pod": "true" } });
  expect(sent.spec).toMatchObject({ activeDeadlineSeconds: 180, automountServiceAccountToken: false, enableServiceLinks: false });
  answer = () => ({ status: 403, body: JSON.stringify({ kind: "Status", apiVersion: "v1", message: "exceeded quota: sandbox-quota", reason: "Forbidden", code: 403 }) });
  expect(await live.createPod({ apiVersion: "v1", kind: "Pod", metadata: { name: "g2" }, spec: {} })).toEqual({ ok: false, status: 403, error: "exceeded quota: sandbox-quota" });
});

test("exitCodeOf reads the exec status", () => {
  expect(exitCodeOf({ status: "Success" })).toBe(0);
  expect(exitCodeOf({ status: "Failure", reason: "NonZeroExitCode", details: { causes: [{ reason: "ExitCode", message: "3" }] } })).toBe(3);
  expect(exitCodeOf({ status: "Failure", message: 'exec: "nope": executable file not found in $PATH' })).toBeNull();
});

test("describeError finds words in whatever exec rejects with", () => {
  expect(describeError(new Error("boom"))).toBe("boom");
  expect(describeError({ type: "error", error: { message: "Unexpected server response: 404" } })).toBe("Unexpected server response: 404");
  expect(describeError({ kind: "Status", code: 404 })).toBe('{"kind":"Status","code":404}');
});
