// lib/sandbox owns learner sandboxes: one Kubernetes namespace per learner and lab, with its
// guard rails, lifetime and the learner's own objects. This file is the data access layer for
// them: every function takes the acting user, checks ownership, keeps the `sandboxes` table and
// the cluster in step, and returns expected failures as values ({ ok: false, code, error }).
import "server-only";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import { and, eq, inArray, lt, lte, or, sql } from "drizzle-orm";
import { stringify } from "yaml";
import type { Database } from "@/lib/db/client";
import { sandboxes, users, type SandboxRow, type SandboxState } from "@/lib/db/schema";
import { env } from "@/lib/env";
import {
  ClusterUnreachable,
  KubeApiError,
  ManifestRejected,
  SandboxQuotaExceeded,
  adminClient,
  asManifestError,
  learnerClient,
  type KubeClient,
  type KubeObject,
} from "@/lib/k8s/client";
import { parseLearnerManifests, type InputProblem } from "./learner-input";
import {
  INSTALLATION_LABEL,
  LEARNER_SERVICE_ACCOUNT,
  MANAGED_SELECTOR,
  labelValue,
  platformObjectsFor,
  sandboxNamespaceName,
  toApiObject,
  type SizeProfile,
} from "./manifests";
import { ensureClusterPolicies } from "./policies";
import { ExtendSandboxSchema, ManifestTextSchema, SandboxIdSchema, StartSandboxSchema, type StartSandboxInput } from "./schema";

/** What pages see of a sandbox. */
export type SandboxDTO = {
  id: string;
  labId: string;
  namespace: string;
  sizeProfile: string;
  state: SandboxState;
  error: string | null;
  createdAt: Date;
  readyAt: Date | null;
  expiresAt: Date;
  lastActivityAt: Date;
};

export type SandboxFailureCode =
  | "invalid-input"
  | "not-found"
  | "not-ready"
  | "limit-reached"
  | "cluster-unreachable"
  | "stuck-terminating"
  | "failed";

export type SandboxFailure = { ok: false; code: SandboxFailureCode; error: string };
export type SandboxResult = { ok: true; sandbox: SandboxDTO } | SandboxFailure;

/** Progress in words, for streaming to the page ("Creating namespace…"). */
export type OnProgress = (step: string) => void;

/** Who acts on the cluster, and as which installation; tests and scripts pass their own. */
export type SandboxDeps = {
  cluster?: KubeClient;
  installation?: string;
  /** How long stop waits for the namespace to disappear. */
  terminationTimeoutMs?: number;
};

type ActingUser = { id: string };

const LIVE_STATES: SandboxState[] = ["provisioning", "ready"];
/** A start that has not finished after this long was interrupted (process died, cluster went away). */
const PROVISIONING_GRACE_MS = 5 * 60_000;
/** Extending never keeps a sandbox beyond this age. */
const MAX_LIFETIME_MS = 8 * 60 * 60_000;

export function toSandboxDTO(row: SandboxRow): SandboxDTO {
  return {
    id: row.id,
    labId: row.labId,
    namespace: row.namespace,
    sizeProfile: row.sizeProfile,
    state: row.state,
    error: row.error,
    createdAt: row.createdAt,
    readyAt: row.readyAt,
    expiresAt: row.expiresAt,
    lastActivityAt: row.lastActivityAt,
  };
}

function failure(code: SandboxFailureCode, error: string): SandboxFailure {
  return { ok: false, code, error };
}

/** Resolves the cluster client, or a failure that says the cluster cannot be reached. */
function clusterOf(deps: SandboxDeps): KubeClient | SandboxFailure {
  try {
    return deps.cluster ?? adminClient();
  } catch (error) {
    if (error instanceof ClusterUnreachable) return failure("cluster-unreachable", error.message);
    throw error;
  }
}

function isFailure(value: unknown): value is SandboxFailure {
  return !!value && typeof value === "object" && (value as { ok?: unknown }).ok === false;
}

/** Maps an error from the cluster to a failure value; unexpected errors are rethrown. */
function clusterFailure(error: unknown): SandboxFailure {
  if (error instanceof ClusterUnreachable) return failure("cluster-unreachable", error.message);
  if (error instanceof KubeApiError) return failure("failed", error.message);
  throw error;
}

async function ownedSandbox(db: Database, user: ActingUser, sandboxId: string): Promise<SandboxRow | null> {
  if (!SandboxIdSchema.safeParse(sandboxId).success) return null;
  const rows = await db
    .select()
    .from(sandboxes)
    .where(and(eq(sandboxes.id, sandboxId), eq(sandboxes.userId, user.id)))
    .limit(1);
  return rows[0] ?? null;
}

async function updateSandbox(db: Database, id: string, values: Partial<SandboxRow>): Promise<SandboxRow> {
  const rows = await db.update(sandboxes).set(values).where(eq(sandboxes.id, id)).returning();
  return rows[0]!;
}

const notFound = () =>
  failure("not-found", "This sandbox does not exist or has already been removed. Start the lab again to get a new one.");

// ---------------------------------------------------------------------------------------------
// Building the platform objects

type Step = { label: string; objects: KubeObject[] };

function stepsFor(row: SandboxRow, installation: string): Step[] {
  const objects = platformObjectsFor({
    installation,
    learnerId: row.userId,
    labId: row.labId,
    name: row.namespace,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    sizeProfile: row.sizeProfile as SizeProfile,
  });
  const api = (o: object) => toApiObject(o) as KubeObject;
  // The steps the learner sees; applyPlatform decides what runs in parallel.
  return [
    { label: "Creating namespace…", objects: [api(objects.namespace)] },
    { label: "Applying network policies…", objects: objects.networkPolicies.map(api) },
    { label: "Setting quota…", objects: [api(objects.quota), api(objects.limitRange)] },
    {
      label: "Creating your identity…",
      objects: objects.identities.flatMap((i) => [api(i.serviceAccount), api(i.role), api(i.roleBinding)]),
    },
  ];
}

async function applyPlatform(cluster: KubeClient, row: SandboxRow, installation: string, onProgress: OnProgress) {
  await ensureClusterPolicies(cluster, installation);
  const [namespace, policies, quota, identity] = stepsFor(row, installation) as [Step, Step, Step, Step];
  const applyAll = (objects: KubeObject[]) => Promise.all(objects.map((object) => cluster.apply(object)));
  onProgress(namespace.label);
  await applyAll(namespace.objects);
  // Everything else goes in at once, in one round trip. The order within it does not matter for
  // safety: nobody can act as the learner before the sandbox is "ready" (no token is issued
  // before, and the platform impersonates only after), and a start that fails half-way is
  // deleted. Progress is still reported step by step, in order.
  // The quota is sent first: its status write (below) is the one extra round trip.
  const quotaDone = applyAll(quota.objects).then(([applied]) => primeQuotaStatus(cluster, applied as QuotaObject));
  const policiesDone = applyAll(policies.objects);
  const identityDone = applyAll(identity.objects);
  Promise.all([quotaDone, policiesDone, identityDone]).catch(() => {}); // the first failure is rethrown below
  onProgress(policies.label);
  await policiesDone;
  onProgress(quota.label);
  await quotaDone;
  onProgress(identity.label);
  await identityDone;
}

type QuotaObject = KubeObject & {
  metadata: { resourceVersion?: string };
  spec: { hard: Record<string, string> };
  status?: { hard?: Record<string, string>; used?: Record<string, string> };
};

/**
 * Until the quota controller has filled in a ResourceQuota's status, the quota admission plugin
 * refuses every object that quota counts ("status unknown for quota"), and under load the
 * controller takes up to a second to get to a new quota. In a brand-new namespace the usage is
 * known without asking: nothing the learner could make exists yet, and the only counted object
 * Kubernetes adds is the kube-root-ca.crt ConfigMap, so it is counted as already there. If it
 * is created later it is charged on top (an over-count by one, the safe direction, until the
 * controller's own count replaces ours moments later). The write is guarded by
 * resourceVersion: a 409 means the controller got there first, which is just as good.
 */
async function primeQuotaStatus(cluster: KubeClient, quota: QuotaObject): Promise<void> {
  if (quota.status?.hard && Object.keys(quota.status.hard).length > 0) return;
  const namespace = quota.metadata.namespace!;
  const used = Object.fromEntries(Object.keys(quota.spec.hard).map((resource) => [resource, "0"]));
  if ("configmaps" in used) used.configmaps = "1";
  try {
    await cluster.request("PUT", `${await cluster.pathFor({ ...quota, name: quota.metadata.name, namespace })}/status`, {
      body: { ...quota, status: { hard: quota.spec.hard, used } },
    });
  } catch (error) {
    if (!(error instanceof KubeApiError && error.status === 409)) throw error;
    await quotaCounted(cluster, namespace);
  }
}

/** Waits until the quota controller has counted the sandbox quota. */
async function quotaCounted(cluster: KubeClient, namespace: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 10; ; delay = Math.min(delay * 2, 250)) {
    const quota = await cluster.get<QuotaObject>({ apiVersion: "v1", kind: "ResourceQuota", name: "sandbox-quota", namespace });
    if (quota?.status?.hard && Object.keys(quota.status.hard).length > 0) return;
    if (Date.now() > deadline) {
      throw new Error(`The quota controller has not counted the quota in ${namespace} after ${timeoutMs / 1000}s.`);
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
}

// ---------------------------------------------------------------------------------------------
// Start, resume, extend

/**
 * Starts a sandbox for `user` and a lab, or resumes the one they already have for it.
 * The database row comes first (state "provisioning"), so a start interrupted half-way is found
 * and cleaned up by `reconcile`.
 */
export async function startSandbox(
  db: Database,
  user: ActingUser,
  input: StartSandboxInput,
  onProgress: OnProgress = () => {},
  deps: SandboxDeps = {},
): Promise<SandboxResult> {
  const parsed = StartSandboxSchema.safeParse(input);
  if (!parsed.success) return failure("invalid-input", parsed.error.issues[0]!.message);
  const { labId, sizeProfile, ttlMinutes = env.ACADEMY_SANDBOX_TTL_MINUTES } = parsed.data;
  const cluster = clusterOf(deps);
  if (isFailure(cluster)) return cluster;
  const installation = deps.installation ?? env.ACADEMY_INSTALLATION_ID;

  const claimed = await db.transaction(async (tx) => {
    // Locking the learner's row serialises their concurrent starts, so the cap holds.
    await tx.select({ id: users.id }).from(users).where(eq(users.id, user.id)).for("update");
    const live = await tx
      .select()
      .from(sandboxes)
      .where(and(eq(sandboxes.userId, user.id), inArray(sandboxes.state, LIVE_STATES)));
    const existing = live.find((s) => s.labId === labId);
    if (existing) return { existing };
    if (live.length >= env.ACADEMY_SANDBOX_MAX_PER_LEARNER) {
      return {
        limit: failure(
          "limit-reached",
          `You already have ${live.length} sandboxes running (${live.map((s) => s.labId).join(", ")}). ` +
            "Stop one of them, then start this lab.",
        ),
      };
    }
    const now = new Date();
    const rows = await tx
      .insert(sandboxes)
      .values({
        id: randomUUID(),
        userId: user.id,
        labId,
        namespace: sandboxNamespaceName(labId),
        sizeProfile,
        state: "provisioning",
        createdAt: now,
        lastActivityAt: now,
        expiresAt: new Date(now.getTime() + ttlMinutes * 60_000),
      })
      .returning();
    return { row: rows[0]! };
  });
  if (claimed.limit) return claimed.limit;
  if (claimed.existing) return resumeSandbox(db, user, claimed.existing.id, onProgress, deps);
  const row = claimed.row!;

  try {
    await applyPlatform(cluster, row, installation, onProgress);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await updateSandbox(db, row.id, { state: "failed", error: message });
    // Remove what was built; if the cluster is gone, reconcile does it when it is back.
    if (!(error instanceof ClusterUnreachable)) {
      await cluster.remove({ apiVersion: "v1", kind: "Namespace", name: row.namespace }).catch(() => {});
    }
    if (error instanceof ClusterUnreachable) return failure("cluster-unreachable", message);
    return failure("failed", `Your sandbox could not be created: ${message}`);
  }
  const readyAt = new Date();
  // Only a start still in progress becomes ready: a stop (or the reaper) during the start wins.
  const [ready] = await db
    .update(sandboxes)
    .set({ state: "ready", readyAt, lastActivityAt: readyAt })
    .where(and(eq(sandboxes.id, row.id), eq(sandboxes.state, "provisioning")))
    .returning();
  if (!ready) return notFound();
  onProgress("Ready");
  return { ok: true, sandbox: toSandboxDTO(ready) };
}

/**
 * Returns to an existing sandbox: checks the namespace is still there, repairs the platform
 * objects (idempotent server-side apply) and counts as activity.
 */
export async function resumeSandbox(
  db: Database,
  user: ActingUser,
  sandboxId: string,
  onProgress: OnProgress = () => {},
  deps: SandboxDeps = {},
): Promise<SandboxResult> {
  const row = await ownedSandbox(db, user, sandboxId);
  if (!row || !LIVE_STATES.includes(row.state)) return notFound();
  if (row.state === "provisioning") return { ok: true, sandbox: toSandboxDTO(row) };
  const cluster = clusterOf(deps);
  if (isFailure(cluster)) return cluster;
  try {
    const ns = await cluster.get({ apiVersion: "v1", kind: "Namespace", name: row.namespace });
    if (!ns || (ns.metadata as { deletionTimestamp?: string }).deletionTimestamp) {
      await updateSandbox(db, row.id, { state: "gone", deletedAt: new Date(), error: "The namespace was removed." });
      return failure("not-found", "Your sandbox was removed (it expired or was cleaned up). Start the lab again.");
    }
    await applyPlatform(cluster, row, deps.installation ?? env.ACADEMY_INSTALLATION_ID, onProgress);
  } catch (error) {
    return clusterFailure(error);
  }
  const touched = await updateSandbox(db, row.id, { lastActivityAt: new Date() });
  onProgress("Ready");
  return { ok: true, sandbox: toSandboxDTO(touched) };
}

/** Gives a live sandbox more time (never past 8 hours from its start). */
export async function extendSandbox(
  db: Database,
  user: ActingUser,
  sandboxId: string,
  input: { minutes?: number } = {},
  deps: SandboxDeps = {},
): Promise<SandboxResult> {
  const parsed = ExtendSandboxSchema.safeParse(input);
  if (!parsed.success) return failure("invalid-input", parsed.error.issues[0]!.message);
  const row = await ownedSandbox(db, user, sandboxId);
  if (!row || row.state !== "ready") return notFound();
  const now = Date.now();
  const limit = row.createdAt.getTime() + MAX_LIFETIME_MS;
  const expiresAt = new Date(Math.min(limit, Math.max(row.expiresAt.getTime(), now) + parsed.data.minutes * 60_000));
  if (expiresAt.getTime() <= row.expiresAt.getTime()) {
    return failure("limit-reached", "This sandbox has reached its longest lifetime (8 hours). Save your work and start again.");
  }
  const cluster = clusterOf(deps);
  if (isFailure(cluster)) return cluster;
  const updated = { ...row, expiresAt };
  try {
    // The namespace carries the expiry too, so an operator with kubectl sees it.
    await cluster.apply(stepsFor(updated, deps.installation ?? env.ACADEMY_INSTALLATION_ID)[0]!.objects[0]!);
  } catch (error) {
    return clusterFailure(error);
  }
  const saved = await updateSandbox(db, row.id, { expiresAt, lastActivityAt: new Date() });
  return { ok: true, sandbox: toSandboxDTO(saved) };
}

/** The learner's sandboxes that are starting or running, newest first. */
export async function listSandboxes(db: Database, user: ActingUser): Promise<SandboxDTO[]> {
  const rows = await db
    .select()
    .from(sandboxes)
    .where(and(eq(sandboxes.userId, user.id), inArray(sandboxes.state, LIVE_STATES)));
  return rows.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime()).map(toSandboxDTO);
}

// ---------------------------------------------------------------------------------------------
// Reset and stop

/** Kinds a learner can create, in deletion order (owners before what they own). */
const LEARNER_KINDS: Array<{ apiVersion: string; kind: string }> = [
  { apiVersion: "apps/v1", kind: "Deployment" },
  { apiVersion: "apps/v1", kind: "StatefulSet" },
  { apiVersion: "batch/v1", kind: "CronJob" },
  { apiVersion: "batch/v1", kind: "Job" },
  { apiVersion: "apps/v1", kind: "ReplicaSet" },
  { apiVersion: "v1", kind: "Pod" },
  { apiVersion: "v1", kind: "Service" },
  { apiVersion: "v1", kind: "ConfigMap" },
  { apiVersion: "v1", kind: "Secret" },
];

async function deleteAll(cluster: KubeClient, namespace: string, apiVersion: string, kind: string): Promise<void> {
  // kube-root-ca.crt is put in every namespace by Kubernetes itself.
  const fieldSelector = kind === "ConfigMap" ? "metadata.name!=kube-root-ca.crt" : undefined;
  const collection = await cluster.pathFor({ apiVersion, kind, namespace });
  try {
    await cluster.request("DELETE", collection, {
      query: { fieldSelector, propagationPolicy: "Background" },
      retry: true,
    });
  } catch (error) {
    // Not every kind supports delete-collection; fall back to one by one.
    if (!(error instanceof KubeApiError) || error.status !== 405) throw error;
    const items = await cluster.list(apiVersion, kind, { namespace, fieldSelector });
    await Promise.all(items.map((o) => cluster.remove({ apiVersion, kind, name: o.metadata.name, namespace })));
  }
}

/** Deletes everything the learner made in the sandbox and restores the platform objects. */
export async function resetSandbox(
  db: Database,
  user: ActingUser,
  sandboxId: string,
  onProgress: OnProgress = () => {},
  deps: SandboxDeps = {},
): Promise<SandboxResult> {
  const row = await ownedSandbox(db, user, sandboxId);
  if (!row || row.state !== "ready") return notFound();
  const cluster = clusterOf(deps);
  if (isFailure(cluster)) return cluster;
  try {
    onProgress("Deleting your objects…");
    for (const { apiVersion, kind } of LEARNER_KINDS) await deleteAll(cluster, row.namespace, apiVersion, kind);
    onProgress("Waiting for pods to stop…");
    const deadline = Date.now() + 30_000;
    while ((await cluster.list("v1", "Pod", { namespace: row.namespace })).length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    onProgress("Restoring sandbox settings…");
    await applyPlatform(cluster, row, deps.installation ?? env.ACADEMY_INSTALLATION_ID, () => {});
  } catch (error) {
    return clusterFailure(error);
  }
  const saved = await updateSandbox(db, row.id, { lastActivityAt: new Date() });
  onProgress("Ready");
  return { ok: true, sandbox: toSandboxDTO(saved) };
}

type TeardownResult = { gone: true } | { gone: false; detail: string };

/** Deletes the namespace and waits for it to disappear; says why when it is stuck. */
async function teardown(
  db: Database,
  cluster: KubeClient,
  row: SandboxRow,
  timeoutMs: number,
  reason: string | null,
): Promise<TeardownResult> {
  await updateSandbox(db, row.id, { state: "deleting", error: reason });
  await cluster.remove({ apiVersion: "v1", kind: "Namespace", name: row.namespace });
  const deadline = Date.now() + timeoutMs;
  let last: KubeObject | null = null;
  for (let delay = 100; ; delay = Math.min(delay * 2, 1000)) {
    last = await cluster.get({ apiVersion: "v1", kind: "Namespace", name: row.namespace });
    if (!last) {
      await updateSandbox(db, row.id, { state: "gone", deletedAt: new Date() });
      return { gone: true };
    }
    if (Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, delay));
  }
  const conditions =
    ((last as { status?: { conditions?: Array<{ type: string; status: string; message?: string }> } }).status
      ?.conditions ?? [])
      .filter((c) => c.status === "True" && c.message)
      .map((c) => `${c.type}: ${c.message}`)
      .join("; ") || "the namespace controller has not said why yet";
  const detail = `Namespace ${row.namespace} is still Terminating after ${Math.round(timeoutMs / 1000)}s (${conditions}).`;
  await updateSandbox(db, row.id, { error: detail });
  return { gone: false, detail };
}

/** Stops a sandbox: deletes its namespace and everything in it, and waits until it is gone. */
export async function stopSandbox(
  db: Database,
  user: ActingUser,
  sandboxId: string,
  onProgress: OnProgress = () => {},
  deps: SandboxDeps = {},
): Promise<SandboxResult> {
  const row = await ownedSandbox(db, user, sandboxId);
  if (!row || row.state === "gone") return notFound();
  const cluster = clusterOf(deps);
  if (isFailure(cluster)) return cluster;
  onProgress("Deleting your sandbox…");
  let result: TeardownResult;
  try {
    result = await teardown(db, cluster, row, deps.terminationTimeoutMs ?? 120_000, null);
  } catch (error) {
    return clusterFailure(error);
  }
  if (!result.gone) {
    return failure("stuck-terminating", `${result.detail} It will be removed in the background; you can start a new sandbox meanwhile.`);
  }
  onProgress("Stopped");
  const [saved] = await db.select().from(sandboxes).where(eq(sandboxes.id, row.id));
  return { ok: true, sandbox: toSandboxDTO(saved!) };
}

// ---------------------------------------------------------------------------------------------
// The learner's objects and credentials

export type ObjectResult = {
  document: number;
  line: number;
  kind: string;
  name: string;
} & (
  | { outcome: "applied" }
  | { outcome: "rejected"; message: string; field?: string; quota?: string; error: "ManifestRejected" | "SandboxQuotaExceeded" }
);

export type ApplyResult =
  | { ok: true; results: ObjectResult[]; applied: number; rejected: number }
  | (SandboxFailure & { problems?: InputProblem[] });

/**
 * Applies learner-submitted YAML/JSON to their sandbox AS THE LEARNER (impersonating their
 * service account), so RBAC, Pod Security and quota judge it exactly as they would judge kubectl.
 * Each object gets its own result; one refusal does not stop the others.
 */
export async function applyLearnerManifests(
  db: Database,
  user: ActingUser,
  sandboxId: string,
  text: string,
  deps: SandboxDeps = {},
): Promise<ApplyResult> {
  const row = await ownedSandbox(db, user, sandboxId);
  if (!row || !LIVE_STATES.includes(row.state)) return notFound();
  if (row.state !== "ready") return failure("not-ready", "Your sandbox is still starting. Wait for “Ready”, then apply again.");
  const size = ManifestTextSchema.safeParse(text);
  if (!size.success) return failure("invalid-input", size.error.issues[0]!.message);
  const parsed = parseLearnerManifests(text, row.namespace);
  if (!parsed.ok) {
    return { ...failure("invalid-input", parsed.problems.map((p) => p.message).join("\n")), problems: parsed.problems };
  }
  const cluster = clusterOf(deps);
  if (isFailure(cluster)) return cluster;
  const learner = learnerClient(cluster, row.namespace);
  const results: ObjectResult[] = [];
  for (const item of parsed.objects) {
    const where = { document: item.document, line: item.line, kind: item.kind, name: item.name };
    try {
      await learner.apply(item.object as KubeObject, {
        context: { document: item.document, kind: item.kind, name: item.name },
      });
      results.push({ ...where, outcome: "applied" });
    } catch (error) {
      const mapped = asManifestError(error, { document: item.document, kind: item.kind, name: item.name });
      if (mapped instanceof SandboxQuotaExceeded) {
        results.push({ ...where, outcome: "rejected", error: "SandboxQuotaExceeded", message: mapped.message, quota: mapped.quota });
      } else if (mapped instanceof ManifestRejected) {
        results.push({ ...where, outcome: "rejected", error: "ManifestRejected", message: mapped.message, field: mapped.field });
      } else {
        return clusterFailure(mapped);
      }
    }
  }
  await updateSandbox(db, row.id, { lastActivityAt: new Date() });
  const applied = results.filter((r) => r.outcome === "applied").length;
  return { ok: true, results, applied, rejected: results.length - applied };
}

export type KubeconfigResult = { ok: true; kubeconfig: string; expiresAt: Date } | SandboxFailure;

/**
 * A kubeconfig for the learner's own kubectl: a short-lived TokenRequest token for the
 * `learner` service account, scoped to the sandbox namespace; it expires with the sandbox at the latest.
 */
export async function learnerKubeconfig(
  db: Database,
  user: ActingUser,
  sandboxId: string,
  options: { ttlSeconds?: number } = {},
  deps: SandboxDeps = {},
): Promise<KubeconfigResult> {
  const row = await ownedSandbox(db, user, sandboxId);
  if (!row || row.state !== "ready") return notFound();
  const cluster = clusterOf(deps);
  if (isFailure(cluster)) return cluster;
  const untilExpiry = Math.floor((row.expiresAt.getTime() - Date.now()) / 1000);
  // The API server's minimum token lifetime is 10 minutes.
  const expirationSeconds = Math.max(600, Math.min(options.ttlSeconds ?? 3600, untilExpiry));
  let token: { status: { token: string; expirationTimestamp: string } };
  try {
    token = await cluster.request("POST", `/api/v1/namespaces/${row.namespace}/serviceaccounts/${LEARNER_SERVICE_ACCOUNT}/token`, {
      body: { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", spec: { expirationSeconds } },
    });
  } catch (error) {
    return clusterFailure(error);
  }
  const kc = cluster.kubeConfig;
  const source = kc.getCurrentCluster()!;
  const caData = source.caData ?? (source.caFile ? fs.readFileSync(source.caFile).toString("base64") : undefined);
  const name = `academy-${row.namespace}`;
  const kubeconfig = stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name,
        cluster: {
          server: cluster.server,
          ...(caData ? { "certificate-authority-data": caData } : {}),
          ...(source.skipTLSVerify ? { "insecure-skip-tls-verify": true } : {}),
        },
      },
    ],
    users: [{ name: `learner@${row.namespace}`, user: { token: token.status.token } }],
    contexts: [{ name, context: { cluster: name, user: `learner@${row.namespace}`, namespace: row.namespace } }],
    "current-context": name,
  });
  await updateSandbox(db, row.id, { lastActivityAt: new Date() });
  return { ok: true, kubeconfig, expiresAt: new Date(token.status.expirationTimestamp) };
}

// ---------------------------------------------------------------------------------------------
// Background work: expiry and drift

async function inBatches<T, R>(items: T[], size: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(size, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++]!;
        results.push(await work(item));
      }
    }),
  );
  return results;
}

export type ReapResult = { reaped: string[]; stuck: Array<{ namespace: string; detail: string }> };

/**
 * Deletes sandboxes past their expiry, or idle for longer than ACADEMY_SANDBOX_IDLE_MINUTES,
 * as of `now`. Run on a timer; safe to run concurrently with itself.
 */
export async function reap(db: Database, now: Date = new Date(), deps: SandboxDeps = {}): Promise<ReapResult> {
  const cluster = deps.cluster ?? adminClient();
  const idleBefore = new Date(now.getTime() - env.ACADEMY_SANDBOX_IDLE_MINUTES * 60_000);
  const due = await db
    .select()
    .from(sandboxes)
    .where(
      and(
        eq(sandboxes.state, "ready"),
        or(lte(sandboxes.expiresAt, now), lt(sandboxes.lastActivityAt, idleBefore)),
      ),
    );
  const result: ReapResult = { reaped: [], stuck: [] };
  await inBatches(due, 16, async (row) => {
    const why = row.expiresAt <= now ? "The sandbox expired." : "The sandbox was idle for too long.";
    const outcome = await teardown(db, cluster, row, deps.terminationTimeoutMs ?? 120_000, why);
    if (outcome.gone) result.reaped.push(row.namespace);
    else result.stuck.push({ namespace: row.namespace, detail: outcome.detail });
  });
  return result;
}

export type ReconcileResult = { deletedNamespaces: string[]; markedGone: string[]; markedFailed: string[] };

/**
 * Brings the database and the cluster back in step, e.g. after the cluster was unreachable:
 * a namespace of this installation without a live record is deleted; a live record whose
 * namespace is missing is marked gone; a start that never finished is marked failed.
 */
export async function reconcile(db: Database, deps: SandboxDeps = {}, now: Date = new Date()): Promise<ReconcileResult> {
  const cluster = deps.cluster ?? adminClient();
  const installation = labelValue(deps.installation ?? env.ACADEMY_INSTALLATION_ID);
  const namespaces = await cluster.list("v1", "Namespace", {
    labelSelector: `${MANAGED_SELECTOR},${INSTALLATION_LABEL}=${installation}`,
  });
  const onCluster = new Map(namespaces.map((n) => [n.metadata.name, n]));
  const result: ReconcileResult = { deletedNamespaces: [], markedGone: [], markedFailed: [] };

  const interruptedBefore = new Date(now.getTime() - PROVISIONING_GRACE_MS);
  const interrupted = await db
    .update(sandboxes)
    .set({ state: "failed", error: "Starting the sandbox was interrupted. Start the lab again." })
    .where(and(eq(sandboxes.state, "provisioning"), lt(sandboxes.createdAt, interruptedBefore)))
    .returning({ namespace: sandboxes.namespace });
  result.markedFailed.push(...interrupted.map((r) => r.namespace));

  const names = [...onCluster.keys()];
  const tracked = await db
    .select()
    .from(sandboxes)
    .where(or(inArray(sandboxes.state, ["provisioning", "ready", "deleting"]), names.length ? inArray(sandboxes.namespace, names) : sql`false`));
  const byNamespace = new Map(tracked.map((r) => [r.namespace, r]));

  for (const [name, ns] of onCluster) {
    const row = byNamespace.get(name);
    if (row && LIVE_STATES.includes(row.state)) continue;
    if (!(ns.metadata as { deletionTimestamp?: string }).deletionTimestamp) {
      await cluster.remove({ apiVersion: "v1", kind: "Namespace", name });
      result.deletedNamespaces.push(name);
    }
  }
  for (const row of tracked) {
    if (onCluster.has(row.namespace) || row.state === "gone" || row.state === "failed") continue;
    // A start in progress may not have created its namespace yet.
    if (row.state === "provisioning" && row.createdAt >= interruptedBefore) continue;
    await updateSandbox(db, row.id, {
      state: "gone",
      deletedAt: now,
      error: row.state === "deleting" ? row.error : "The sandbox's namespace no longer exists.",
    });
    result.markedGone.push(row.namespace);
  }
  return result;
}
