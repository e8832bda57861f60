// Typed errors for everything that can go wrong talking to the Kubernetes API, built from the
// API server's Status body so the learner sees the server's own words plus what to do next.
import { ApiException } from "@kubernetes/client-node";
import { BrandedError } from "@/lib/branded-error";

/** The API server's `Status` object, as returned with every error response. */
export type KubeStatus = {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: {
    name?: string;
    group?: string;
    kind?: string;
    causes?: Array<{ reason?: string; message?: string; field?: string }>;
    retryAfterSeconds?: number;
  };
};

/** What was being done when the error happened, for the message. */
export type ErrorContext = { kind?: string; name?: string; namespace?: string; document?: number };

export class ClusterUnreachable extends BrandedError {
  static override readonly brand: string = "ClusterUnreachable";
  override name = "ClusterUnreachable";
  constructor(
    readonly server: string,
    readonly detail: string,
  ) {
    super(
      `The Kubernetes API server${server ? ` at ${server}` : ""} cannot be reached (${detail}). ` +
        "Start the local control plane (`bash scripts/node.sh npx tsx scripts/cluster.ts start`), " +
        "or set KUBECONFIG to a cluster that is up, then try again.",
    );
  }
}

export class KubeApiError extends BrandedError {
  static override readonly brand: string = "KubeApiError";
  override name = "KubeApiError";
  constructor(
    readonly status: number,
    readonly apiMessage: string,
    readonly reason: string,
    readonly body: KubeStatus,
    readonly context: ErrorContext = {},
    message?: string,
  ) {
    super(message ?? `Kubernetes API error ${status} (${reason || "unknown"}): ${apiMessage}`);
  }
}

/** 403 from RBAC, Pod Security Admission or another admission plugin. */
export class KubeForbidden extends KubeApiError {
  static override readonly brand: string = "KubeForbidden";
  override name = "KubeForbidden";
}

export class KubeNotFound extends KubeApiError {
  static override readonly brand: string = "KubeNotFound";
  override name = "KubeNotFound";
}

/** 409: already exists, or changed by someone else. */
export class KubeConflict extends KubeApiError {
  static override readonly brand: string = "KubeConflict";
  override name = "KubeConflict";
}

export type QuotaUse = { resource: string; requested: string; used: string; hard: string };

/** A ResourceQuota in the sandbox refused the object; says which quota and by how much. */
export class SandboxQuotaExceeded extends KubeApiError {
  static override readonly brand: string = "SandboxQuotaExceeded";
  override name = "SandboxQuotaExceeded";
  readonly quota: string;
  readonly resources: QuotaUse[];
  constructor(status: number, apiMessage: string, reason: string, body: KubeStatus, context: ErrorContext = {}) {
    const parsed = parseQuotaMessage(apiMessage);
    const what = context.kind && context.name ? `${context.kind} "${context.name}"` : "This object";
    const uses = parsed.resources.map((r) => `${r.resource}: ${r.used} used of ${r.hard}, this needs ${r.requested} more`);
    super(
      status,
      apiMessage,
      reason,
      body,
      context,
      `${what} would exceed your sandbox quota "${parsed.quota}" (${uses.join("; ") || apiMessage}). ` +
        "Delete something you no longer need, or ask for fewer replicas or smaller resource requests.",
    );
    this.quota = parsed.quota;
    this.resources = parsed.resources;
  }
}

/** The API server refused an object (invalid, forbidden, conflicting, unknown kind). */
export class ManifestRejected extends KubeApiError {
  static override readonly brand: string = "ManifestRejected";
  override name = "ManifestRejected";
  readonly document: number | undefined;
  readonly kind: string | undefined;
  readonly objectName: string | undefined;
  readonly field: string | undefined;
  constructor(status: number, apiMessage: string, reason: string, body: KubeStatus, context: ErrorContext = {}) {
    const field = body.details?.causes?.find((c) => c.field)?.field;
    const where = context.document ? `Document ${context.document}: ` : "";
    const what = context.kind && context.name ? `${context.kind} "${context.name}"` : "The object";
    super(status, apiMessage, reason, body, context, `${where}${what} was rejected by the cluster: ${apiMessage}${hintFor(status, reason, apiMessage)}`);
    this.document = context.document;
    this.kind = context.kind;
    this.objectName = context.name;
    this.field = field;
  }
}

function hintFor(status: number, reason: string, message: string): string {
  if (/violates PodSecurity/i.test(message)) {
    return " Pods here must run as a non-root user, with `allowPrivilegeEscalation: false`, all capabilities dropped and `seccompProfile: {type: RuntimeDefault}`, and without host namespaces or hostPath volumes.";
  }
  if (status === 403) return " Your sandbox does not allow this; the lab only needs the kinds listed in its instructions.";
  if (status === 409) return " Another change got there first; apply again.";
  if (status === 404) return " Check `apiVersion` and `kind` (and that the object exists).";
  if (status === 422 || status === 400 || reason === "Invalid") return " Fix the field named above and apply again.";
  return "";
}

/** Splits "exceeded quota: q, requested: pods=1, used: pods=10, limited: pods=10". */
export function parseQuotaMessage(message: string): { quota: string; resources: QuotaUse[] } {
  const match = /exceeded quota: ([^,]+), requested: (.*?), used: (.*?), limited: (.*?)$/.exec(message.trim());
  if (!match) return { quota: /quota: ([\w.-]+)/.exec(message)?.[1] ?? "unknown", resources: [] };
  const pairs = (text: string) =>
    new Map(
      text.split(",").map((pair) => {
        const [k, v] = pair.split("=");
        return [k!.trim(), (v ?? "").trim()] as const;
      }),
    );
  const requested = pairs(match[2]!);
  const used = pairs(match[3]!);
  const hard = pairs(match[4]!);
  return {
    quota: match[1]!.trim(),
    resources: [...requested.keys()].map((resource) => ({
      resource,
      requested: requested.get(resource) ?? "?",
      used: used.get(resource) ?? "?",
      hard: hard.get(resource) ?? "?",
    })),
  };
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_SOCKET",
  "ERR_SOCKET_CONNECTION_TIMEOUT",
]);

function networkCode(error: unknown): string | null {
  let e: unknown = error;
  for (let depth = 0; e && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && NETWORK_CODES.has(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  if (error instanceof Error && /socket hang up|fetch failed/i.test(error.message)) return error.message;
  return null;
}

/** The typed error for an HTTP status + Status body. */
export function kubeErrorFrom(status: number, body: unknown, context: ErrorContext = {}): KubeApiError {
  const s: KubeStatus = body && typeof body === "object" ? (body as KubeStatus) : { message: String(body ?? "") };
  const message = s.message ?? `HTTP ${status}`;
  const reason = s.reason ?? "";
  if (status === 403 && /exceeded quota/i.test(message)) return new SandboxQuotaExceeded(status, message, reason, s, context);
  if (status === 403) return new KubeForbidden(status, message, reason, s, context);
  if (status === 404) return new KubeNotFound(status, message, reason, s, context);
  if (status === 409) return new KubeConflict(status, message, reason, s, context);
  if (status === 400 || status === 415 || status === 422) return new ManifestRejected(status, message, reason, s, context);
  // Server-side apply with strict field validation reports unknown fields as a 500.
  if (status === 500 && /field not declared in schema|failed to create typed patch object/.test(message)) {
    return new ManifestRejected(422, message, "Invalid", s, context);
  }
  return new KubeApiError(status, message, reason, s, context);
}

/**
 * Maps anything thrown while talking to the cluster (our client's errors, client-node's
 * `ApiException`, socket errors) to the typed errors above; other errors pass through.
 */
export function toKubeError(error: unknown, server = "", context: ErrorContext = {}): unknown {
  if (error instanceof KubeApiError || error instanceof ClusterUnreachable) return error;
  if (error instanceof ApiException) {
    let body: unknown = error.body;
    if (typeof body === "string") {
      try {
        body = JSON.parse(body);
      } catch {
        // plain-text body; kept as the message
      }
    }
    return kubeErrorFrom(error.code, body, context);
  }
  const code = networkCode(error);
  if (code) return new ClusterUnreachable(server, code);
  return error;
}

/** For a learner: any API refusal of their object becomes ManifestRejected (quota stays quota). */
export function asManifestError(error: unknown, context: ErrorContext): unknown {
  if (error instanceof SandboxQuotaExceeded) {
    return new SandboxQuotaExceeded(error.status, error.apiMessage, error.reason, error.body, context);
  }
  if (error instanceof KubeApiError) {
    return new ManifestRejected(error.status, error.apiMessage, error.reason, error.body, context);
  }
  return error;
}
