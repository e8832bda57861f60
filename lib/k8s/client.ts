// lib/k8s owns talking to the Kubernetes API: the one client factory, identities
// (admin, a learner's service account, the grader) and typed errors.
//
// Generic calls (server-side apply, get, list, delete) go through a small REST layer on one
// keep-alive HTTPS agent instead of client-node's generic KubernetesObjectApi: that one
// re-serialises objects through its typed models, which silently drops fields it does not know
// (a learner's typo would vanish instead of being reported), and it opens a new TLS connection
// per request. The kubeconfig itself is still read by client-node's KubeConfig, which stays
// available (`kubeConfig`) for typed APIs, exec and logs. One file on purpose: the client, its
// identities and its error mapping share one connection pool and one request function.
import "server-only";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import path from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { env } from "@/lib/env";
import { ClusterUnreachable, KubeApiError, kubeErrorFrom, toKubeError, type ErrorContext } from "./errors";

export * from "./errors";

export const FIELD_MANAGER = "academy";

export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
};

export type ObjectRef = { apiVersion: string; kind: string; name: string; namespace?: string };

export type RequestOptions = {
  body?: unknown;
  contentType?: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** For error messages. */
  context?: ErrorContext;
  /** Safe to send again after a dropped connection or 429 (GET, apply, delete). Default: GET only. */
  retry?: boolean;
  timeoutMs?: number;
};

export type ListOptions = { namespace?: string; labelSelector?: string; fieldSelector?: string };

export type ApplyOptions = { dryRun?: boolean; force?: boolean; context?: ErrorContext };

export type KubeClient = {
  readonly server: string;
  /** The user this client acts as, when impersonating; null for the kubeconfig's own user. */
  readonly actingAs: string | null;
  /** client-node's view of the same kubeconfig (typed APIs, exec, logs); not impersonating. */
  readonly kubeConfig: KubeConfig;
  request<T>(method: string, urlPath: string, options?: RequestOptions): Promise<T>;
  /** Server-side apply under the `academy` field manager; unknown fields are errors. */
  apply<T extends KubeObject>(object: KubeObject, options?: ApplyOptions): Promise<T>;
  /** null when the object does not exist. */
  get<T extends KubeObject>(ref: ObjectRef): Promise<T | null>;
  list<T extends KubeObject>(apiVersion: string, kind: string, options?: ListOptions): Promise<T[]>;
  /** false when there was nothing to delete. */
  remove(ref: ObjectRef, options?: { propagationPolicy?: "Background" | "Foreground" | "Orphan" }): Promise<boolean>;
  /** The REST path of an object (or, without a name, of its collection). */
  pathFor(ref: Omit<ObjectRef, "name"> & { name?: string }): Promise<string>;
  /** A client that acts as `user` through impersonation; shares the connection. */
  impersonate(user: string): KubeClient;
  /**
   * What a WebSocket of our own to the API server needs (pods/exec for the lab terminal): the
   * server, this kubeconfig's TLS material and auth headers, and Impersonate-User when this
   * client impersonates.
   */
  socketOptions(): Promise<SocketOptions>;
};

export type SocketOptions = {
  server: URL;
  ca?: Buffer | string;
  cert?: Buffer | string;
  key?: Buffer | string;
  rejectUnauthorized?: boolean;
  headers: Record<string, string>;
};

type ApiResource = { name: string; kind: string; namespaced: boolean };

type Connection = {
  server: URL;
  kubeConfig: KubeConfig;
  agent: http.Agent;
  tls: { ca?: Buffer | string; cert?: Buffer | string; key?: Buffer | string; rejectUnauthorized?: boolean };
  headers(): Promise<Record<string, string>>;
  discovery: Map<string, Promise<ApiResource[]>>;
};

/** The admin kubeconfig: `KUBECONFIG` if set, else the local control plane's. */
export function defaultKubeconfigPath(): string {
  return env.KUBECONFIG ?? path.join(env.ACADEMY_DATA_DIR, "cluster", "admin.kubeconfig");
}

/** Opens a client for the kubeconfig at `kubeconfigPath` (its current context). */
export function createKubeClient(kubeconfigPath: string = defaultKubeconfigPath()): KubeClient {
  if (!fs.existsSync(kubeconfigPath)) {
    throw new ClusterUnreachable("", `no kubeconfig at ${kubeconfigPath}`);
  }
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new ClusterUnreachable("", `the kubeconfig ${kubeconfigPath} has no current cluster`);
  const server = new URL(cluster.server);
  const user = kubeConfig.getCurrentUser();
  const needsFreshAuth = Boolean(user?.exec || user?.authProvider);

  let staticHeaders: Promise<Record<string, string>> | null = null;
  const resolveHeaders = async (): Promise<Record<string, string>> => {
    const opts: https.RequestOptions & { headers?: Record<string, string> } = { headers: {} };
    await kubeConfig.applyToHTTPSOptions(opts);
    const headers = { ...(opts.headers as Record<string, string>) };
    if (opts.auth) headers.Authorization = `Basic ${Buffer.from(opts.auth).toString("base64")}`;
    return headers;
  };
  // TLS material is read once; tokens from exec plugins are fetched per request (they expire).
  const tls = {
    ca: material(cluster.caFile, cluster.caData),
    cert: material(user?.certFile, user?.certData),
    key: material(user?.keyFile, user?.keyData),
    rejectUnauthorized: cluster.skipTLSVerify ? false : undefined,
  };
  const agentOptions = { keepAlive: true, maxSockets: 128, maxFreeSockets: 128, ...tls };
  const agent = server.protocol === "https:" ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
  const connection: Connection = {
    server,
    kubeConfig,
    agent,
    tls,
    headers: () => {
      if (needsFreshAuth) return resolveHeaders();
      staticHeaders ??= resolveHeaders();
      return staticHeaders;
    },
    discovery: new Map(),
  };
  return clientFor(connection, null);
}

function material(file: string | undefined, data: string | undefined): Buffer | undefined {
  if (data) return Buffer.from(data, "base64");
  if (file) return fs.readFileSync(file);
  return undefined;
}

const globalForKube = globalThis as unknown as { academyKube?: KubeClient };

/** The platform's own client (cluster admin on the local control plane), one per process. */
export function adminClient(): KubeClient {
  globalForKube.academyKube ??= createKubeClient();
  return globalForKube.academyKube;
}

/** Acts as the learner's service account in their sandbox: exactly what the learner may do. */
export function learnerClient(admin: KubeClient, namespace: string): KubeClient {
  return admin.impersonate(`system:serviceaccount:${namespace}:learner`);
}

/** Acts as the sandbox's read-only grader service account. */
export function graderClient(admin: KubeClient, namespace: string): KubeClient {
  return admin.impersonate(`system:serviceaccount:${namespace}:grader`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function clientFor(connection: Connection, actingAs: string | null): KubeClient {
  const serverText = connection.server.origin;

  async function send(method: string, urlPath: string, options: RequestOptions = {}): Promise<{ status: number; body: unknown }> {
    const url = new URL(urlPath, connection.server);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { Accept: "application/json", ...(await connection.headers()) };
    if (actingAs) headers["Impersonate-User"] = actingAs;
    let payload: string | undefined;
    if (options.body !== undefined) {
      payload = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
      headers["Content-Type"] = options.contentType ?? "application/json";
      headers["Content-Length"] = String(Buffer.byteLength(payload));
    }
    const transport = url.protocol === "https:" ? https : http;
    return new Promise((resolve, reject) => {
      const req = transport.request(
        url,
        { method, headers, agent: connection.agent, timeout: options.timeoutMs ?? 30_000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const text = Buffer.concat(chunks).toString("utf8");
            let body: unknown = text;
            try {
              body = text ? JSON.parse(text) : null;
            } catch {
              // not JSON (e.g. pod logs)
            }
            resolve({ status: res.statusCode ?? 0, body });
          });
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(Object.assign(new Error("request timed out"), { code: "ETIMEDOUT" })));
      req.on("error", reject);
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  async function request<T>(method: string, urlPath: string, options: RequestOptions = {}): Promise<T> {
    const retry = options.retry ?? method === "GET";
    for (let attempt = 0; ; attempt++) {
      let response: { status: number; body: unknown };
      try {
        response = await send(method, urlPath, options);
      } catch (error) {
        const mapped = toKubeError(error, serverText, options.context);
        // A refused connection means no server: fail fast. A reset keep-alive socket is retried.
        const transient = mapped instanceof ClusterUnreachable && mapped.detail !== "ECONNREFUSED";
        if (retry && transient && attempt < 4) {
          await sleep(100 * 2 ** attempt);
          continue;
        }
        throw mapped;
      }
      const { status, body } = response;
      if (status >= 200 && status < 300) return body as T;
      const error = kubeErrorFrom(status, body, options.context);
      // 429 comes from API Priority and Fairness under load; 5xx "please retry" from etcd hiccups;
      // a 409 on a ResourceQuota comes from the quota admission plugin racing the quota controller
      // over the namespace's usage (the request itself conflicted with nothing): idempotent
      // requests (GET, server-side apply) are sent again.
      const quotaRace = status === 409 && /cannot be fulfilled on resourcequotas/i.test(error.apiMessage);
      const retriable = status === 429 || quotaRace || (status >= 500 && /retry|timeout|timed out/i.test(error.apiMessage));
      if (retry && retriable && attempt < 6) {
        const after = Number((body as { details?: { retryAfterSeconds?: number } })?.details?.retryAfterSeconds ?? 0);
        await sleep(Math.min(1000, Math.max(50 * 2 ** attempt, after * 1000)) + Math.random() * 50);
        continue;
      }
      throw error;
    }
  }

  async function resources(apiVersion: string, refresh = false): Promise<ApiResource[]> {
    const cached = connection.discovery.get(apiVersion);
    if (cached && !refresh) return cached;
    const discoveryPath = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const pending = request<{ resources: ApiResource[] }>("GET", discoveryPath)
      .then((list) => list.resources.filter((r) => !r.name.includes("/")))
      .catch((error: unknown) => {
        connection.discovery.delete(apiVersion);
        if (error instanceof KubeApiError && error.status === 404) return [];
        throw error;
      });
    connection.discovery.set(apiVersion, pending);
    return pending;
  }

  async function resourceFor(apiVersion: string, kind: string): Promise<ApiResource> {
    let found = (await resources(apiVersion)).find((r) => r.kind === kind);
    // A kind added since the last look (a new CRD) is looked up once more.
    found ??= (await resources(apiVersion, true)).find((r) => r.kind === kind);
    if (!found) {
      throw kubeErrorFrom(
        404,
        {
          message: `the cluster has no kind "${kind}" in apiVersion "${apiVersion}"`,
          reason: "NotFound",
        },
        { kind },
      );
    }
    return found;
  }

  async function pathFor(ref: Omit<ObjectRef, "name"> & { name?: string }): Promise<string> {
    const resource = await resourceFor(ref.apiVersion, ref.kind);
    const root = ref.apiVersion.includes("/") ? `/apis/${ref.apiVersion}` : `/api/${ref.apiVersion}`;
    const ns = resource.namespaced ? `/namespaces/${encodeURIComponent(ref.namespace ?? "default")}` : "";
    const name = ref.name ? `/${encodeURIComponent(ref.name)}` : "";
    return `${root}${ns}/${resource.name}${name}`;
  }

  const context = (ref: { kind: string; name?: string; namespace?: string }, extra?: ErrorContext): ErrorContext => ({
    kind: ref.kind,
    name: ref.name,
    namespace: ref.namespace,
    ...extra,
  });

  return {
    server: serverText,
    actingAs,
    kubeConfig: connection.kubeConfig,
    request,
    pathFor,
    async apply<T extends KubeObject>(object: KubeObject, options: ApplyOptions = {}): Promise<T> {
      const ctx = context({ kind: object.kind, ...object.metadata }, options.context);
      let target: string;
      try {
        target = await pathFor({ ...object, name: object.metadata.name, namespace: object.metadata.namespace });
      } catch (error) {
        throw toKubeError(error, serverText, ctx);
      }
      return request<T>("PATCH", target, {
        body: object,
        contentType: "application/apply-patch+yaml",
        query: {
          fieldManager: FIELD_MANAGER,
          force: options.force ?? true,
          fieldValidation: "Strict",
          dryRun: options.dryRun ? "All" : undefined,
        },
        context: ctx,
        retry: true,
      });
    },
    async get<T extends KubeObject>(ref: ObjectRef): Promise<T | null> {
      try {
        return await request<T>("GET", await pathFor(ref), { context: context(ref) });
      } catch (error) {
        if (error instanceof KubeApiError && error.status === 404) return null;
        throw error;
      }
    },
    async list<T extends KubeObject>(apiVersion: string, kind: string, options: ListOptions = {}): Promise<T[]> {
      const resource = await resourceFor(apiVersion, kind);
      const base = await pathFor({ apiVersion, kind, namespace: options.namespace });
      // Without a namespace, a namespaced kind is listed across all namespaces.
      const listPath = resource.namespaced && !options.namespace ? base.replace(/\/namespaces\/default\//, "/") : base;
      const list = await request<{ items: T[] }>("GET", listPath, {
        query: { labelSelector: options.labelSelector, fieldSelector: options.fieldSelector },
        context: { kind },
      });
      return list.items.map((item) => ({ ...item, apiVersion, kind }));
    },
    async remove(ref: ObjectRef, options = {}): Promise<boolean> {
      try {
        await request("DELETE", await pathFor(ref), {
          body: { kind: "DeleteOptions", apiVersion: "v1", propagationPolicy: options.propagationPolicy ?? "Background" },
          context: context(ref),
          retry: true,
        });
        return true;
      } catch (error) {
        if (error instanceof KubeApiError && error.status === 404) return false;
        throw error;
      }
    },
    impersonate(user: string): KubeClient {
      return clientFor(connection, user);
    },
    async socketOptions(): Promise<SocketOptions> {
      const headers: Record<string, string> = { ...(await connection.headers()) };
      if (actingAs) headers["Impersonate-User"] = actingAs;
      return { server: new URL(connection.server), ...connection.tls, headers };
    },
  };
}
