// The live sandbox behaviour checks get (lib/checks/types.ts LiveSandbox): HTTP through the API
// server's service and pod proxy, container logs, exec, and short-lived grader pods, all with the
// platform's own credentials and only in the learner's namespace. Grader pods are bounded here,
// whatever the check asks: a deadline, no service account token, no service links, and a label
// that says what they are, so the pods panel and the checks can tell them from the learner's.
import "server-only";
import http from "node:http";
import https from "node:https";
import { GRADER_POD_LABEL } from "@/lib/checks/live";
import type { AnyObject, ExecResult, HttpAnswer, LiveSandbox } from "@/lib/checks/types";
import { ClusterUnreachable, KubeApiError, toKubeError, type KubeClient } from "@/lib/k8s/client";
import { exitCodeOf, runExec } from "@/lib/k8s/exec";

/** Bodies and outputs beyond this are cut: checks judge a few lines, never megabytes. */
const MAX_BYTES = 64 * 1024;
/** A grader pod is stopped by the kubelet after this, even if the check that made it died. */
const GRADER_POD_DEADLINE_S = 180;

type RawAnswer = { status: number; text: string; contentType: string };

/** One request to the API server, answered as status and text whatever the status (no retries). */
async function rawRequest(admin: KubeClient, method: string, urlPath: string, options: { body?: string; contentType?: string; timeoutMs: number }): Promise<RawAnswer> {
  const url = new URL(urlPath, admin.server);
  const opts: https.RequestOptions & { headers: Record<string, string> } = { method, headers: { Accept: "*/*" }, timeout: options.timeoutMs };
  await admin.kubeConfig.applyToHTTPSOptions(opts);
  if (options.body !== undefined) {
    opts.headers["Content-Type"] = options.contentType ?? "application/json";
    opts.headers["Content-Length"] = String(Buffer.byteLength(options.body));
  }
  const transport = url.protocol === "https:" ? https : http;
  try {
    return await new Promise<RawAnswer>((resolve, reject) => {
      const req = transport.request(url, opts, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on("data", (chunk: Buffer) => {
          if (size < MAX_BYTES) chunks.push(chunk.subarray(0, MAX_BYTES - size));
          size += chunk.length;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8"), contentType: String(res.headers["content-type"] ?? "") }));
        res.on("error", reject);
      });
      req.on("timeout", () => req.destroy(Object.assign(new Error("request timed out"), { code: "ETIMEDOUT" })));
      req.on("error", reject);
      if (options.body !== undefined) req.write(options.body);
      req.end();
    });
  } catch (error) {
    throw toKubeError(error, admin.server);
  }
}

function parseJson(text: string): unknown {
  try {
    return text.trim() === "" ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The API server's own `Status` answer (no endpoint, connection refused), as opposed to the app's. */
function apiServerStatus(json: unknown): { message: string } | null {
  const s = json as { kind?: unknown; apiVersion?: unknown; message?: unknown } | undefined;
  return s && s.kind === "Status" && s.apiVersion === "v1" ? { message: String(s.message ?? "") } : null;
}

export { describeError, exitCodeOf } from "@/lib/k8s/exec";

export function liveSandbox(admin: KubeClient, namespace: string): LiveSandbox {
  const ns = encodeURIComponent(namespace);
  const podPath = (name: string) => `/api/v1/namespaces/${ns}/pods/${encodeURIComponent(name)}`;
  return {
    namespace,
    async http(target, request): Promise<HttpAnswer> {
      const collection = target.kind === "service" ? "services" : "pods";
      const path = request.path.startsWith("/") ? request.path : `/${request.path}`;
      const urlPath = `/api/v1/namespaces/${ns}/${collection}/${encodeURIComponent(target.name)}:${encodeURIComponent(String(target.port))}/proxy${path}`;
      const timeoutMs = request.timeoutMs ?? 5_000;
      let answer: RawAnswer;
      try {
        answer = await rawRequest(admin, request.method, urlPath, { body: request.body, contentType: request.contentType, timeoutMs });
      } catch (error) {
        // A slow app keeps the API server waiting: that is the app's answer, not an outage.
        if (error instanceof ClusterUnreachable && error.detail === "ETIMEDOUT") {
          return { status: 0, text: `no answer within ${Math.round(timeoutMs / 1000)} s`, json: undefined, fromApiServer: true };
        }
        throw error;
      }
      const json = parseJson(answer.text);
      const own = answer.status >= 400 ? apiServerStatus(json) : null;
      return own ? { status: answer.status, text: own.message, json: undefined, fromApiServer: true } : { status: answer.status, text: answer.text, json, fromApiServer: false };
    },
    async logs(pod, options = {}) {
      const query = new URLSearchParams({ tailLines: String(options.tailLines ?? 200), limitBytes: String(MAX_BYTES) });
      if (options.container) query.set("container", options.container);
      if (options.previous) query.set("previous", "true");
      const answer = await rawRequest(admin, "GET", `${podPath(pod)}/log?${query}`, { timeoutMs: 10_000 });
      // 400: the container has not started yet (or has no previous run): no log to read.
      if (answer.status === 400 || answer.status === 404) return "";
      if (answer.status >= 300) throw new KubeApiError(answer.status, answer.text, "", { message: answer.text });
      return answer.text;
    },
    async exec(pod, container, command, options): Promise<ExecResult> {
      const run = await runExec(admin.kubeConfig, { namespace, pod, container }, command, {
        timeoutMs: options.timeoutMs,
        maxStdoutBytes: MAX_BYTES,
        maxStderrBytes: MAX_BYTES,
        closedMessage: "the connection to the container closed before the command finished",
      });
      const { stdout, stderr } = run;
      if (!run.status) return { ok: false, error: run.error ?? "no status", stdout, stderr };
      const exitCode = exitCodeOf(run.status);
      if (exitCode === null) return { ok: false, error: run.status.message ?? "the command could not be run", stdout, stderr };
      return { ok: true, exitCode, stdout, stderr };
    },
    async createPod(pod: AnyObject) {
      const spec = (pod.spec ?? {}) as Record<string, unknown>;
      const bounded: AnyObject = {
        ...pod,
        apiVersion: "v1",
        kind: "Pod",
        metadata: { ...pod.metadata, namespace, labels: { ...pod.metadata.labels, [GRADER_POD_LABEL]: "true" }, ownerReferences: undefined },
        spec: {
          ...spec,
          activeDeadlineSeconds: Math.min(Number(spec.activeDeadlineSeconds ?? GRADER_POD_DEADLINE_S), GRADER_POD_DEADLINE_S),
          automountServiceAccountToken: false,
          enableServiceLinks: false,
        },
      };
      try {
        const created = await admin.request<AnyObject>("POST", `/api/v1/namespaces/${ns}/pods`, { body: bounded, context: { kind: "Pod", name: pod.metadata.name, namespace } });
        return { ok: true as const, pod: created };
      } catch (error) {
        if (error instanceof KubeApiError && error.status >= 400 && error.status < 500) return { ok: false as const, status: error.status, error: error.apiMessage };
        throw error;
      }
    },
    async deletePod(name) {
      await admin.request("DELETE", podPath(name), { body: { kind: "DeleteOptions", apiVersion: "v1", gracePeriodSeconds: 0 }, retry: true }).catch((error: unknown) => {
        if (error instanceof KubeApiError && error.status === 404) return;
        throw error;
      });
    },
  };
}
