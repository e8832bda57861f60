// lib/sandbox owns learner sandboxes: one Kubernetes namespace per learner and lab, with its guard
// rails, lifetime and the learner's own objects. By job: lifecycle.ts (this file), platform.ts
// (the platform objects on the cluster), learner-apply.ts, kubeconfig.ts, upkeep.ts (reap and
// reconcile), queries.ts (rows and the DTO), access.ts (the ownership + cluster preamble),
// results.ts (failure codes), manifests.ts (pure builders), policies.ts (cluster-wide admission
// policies), profiles.ts (size profiles), admin.ts (the admin page).
//
// This file is the sandbox state machine, kept in the `sandboxes` table and on the cluster
// together: start (provisioning -> ready), resume, extend, reset and stop (deleting -> gone). Every
// function takes the acting user, acts only on that user's sandbox and returns expected failures
// as values. One file on purpose: the transitions share the state table and must be read together.
import "server-only";
import { randomUUID } from "node:crypto";
import { and, eq, inArray } from "drizzle-orm";
import type { ActingUser } from "@/lib/auth/acting-user";
import type { Database } from "@/lib/db/client";
import { SANDBOX_STATES, sandboxes, users, type SandboxRow } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { CLUSTER_UNREACHABLE, reportServerError } from "@/lib/http/server-error";
import { ClusterUnreachable, KubeApiError, type KubeClient, type KubeObject } from "@/lib/k8s/client";
import { isFailure } from "@/lib/result";
import { clusterOf, installationOf, ownedSandboxOnCluster } from "./access";
import { sandboxNamespaceName } from "./manifests";
import { applyPlatform, sandboxNamespace } from "./platform";
import { LIVE_STATES, toSandboxDTO, updateSandbox } from "./queries";
import { clusterFailure, failure, notFound, type OnProgress, type SandboxDeps, type SandboxResult } from "./results";
import { ExtendSandboxSchema, SetupSchema, StartSandboxSchema, type SetupManifest, type StartSandboxInput } from "./schema";
import { applySetup, SetupRefused } from "./setup";

/** Extending never keeps a sandbox beyond this age. */
const MAX_LIFETIME_MS = 8 * 60 * 60_000;

// ---------------------------------------------------------------------------------------------
// Start, resume, extend

/**
 * Starts a sandbox for `user` and a lab, or resumes the one they already have for it: the choice
 * is made here, inside the transaction that also enforces the per-learner cap, so two starts at
 * once cannot both create one. The database row comes first (state "provisioning"), so a start
 * interrupted half-way is found and cleaned up by `reconcile`.
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
  const { labId, sizeProfile, placement, setup, ttlMinutes = env.ACADEMY_SANDBOX_TTL_MINUTES } = parsed.data;
  const cluster = clusterOf(deps);
  if (isFailure(cluster)) return cluster;

  const claimed = await db.transaction(async (tx) => {
    // Locking the learner's row serialises their concurrent starts, so the cap holds.
    await tx.select({ id: users.id }).from(users).where(eq(users.id, user.id)).for("update");
    // A sandbox still being deleted (its namespace stuck Terminating) holds cluster resources
    // until it is gone, so it counts toward the cap like a running one.
    const held = await tx
      .select()
      .from(sandboxes)
      .where(and(eq(sandboxes.userId, user.id), inArray(sandboxes.state, [...LIVE_STATES, "deleting"])));
    const live = held.filter((s) => s.state !== "deleting");
    const existing = live.find((s) => s.labId === labId);
    if (existing) return { existing };
    if (held.length >= env.ACADEMY_SANDBOX_MAX_PER_LEARNER) {
      const stuck = held.filter((s) => s.state === "deleting");
      return {
        limit: failure(
          "limit-reached",
          `You already have ${held.length} sandboxes ${stuck.length ? "" : "running "}(${held.map((s) => s.labId).join(", ")}). ` +
            (stuck.length
              ? `${stuck.map((s) => s.labId).join(", ")} ${stuck.length === 1 ? "is still being deleted (its namespace is" : "are still being deleted (their namespaces are"} ` +
                `stuck Terminating) and ${stuck.length === 1 ? "counts" : "count"} toward your limit until gone. `
              : "") +
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
        placement,
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
    await applyPlatform(cluster, row, installationOf(deps), onProgress);
    await applySetup(cluster, row.namespace, setup, onProgress);
  } catch (error) {
    // The learner (and the sandbox row, which the lab page shows) get words and a request id;
    // what the cluster said is in the server log under that id.
    const unreachable = error instanceof ClusterUnreachable;
    const { error: message } = reportServerError(
      unreachable
        ? CLUSTER_UNREACHABLE
        : error instanceof SetupRefused
          ? "The lab's starting objects could not be created in your sandbox: the lab itself is at fault, not your work."
          : "Your sandbox could not be created; start it again in a moment.",
      `creating sandbox ${row.namespace} failed`,
      error,
    );
    await updateSandbox(db, row.id, { state: "failed", error: message });
    // Remove what was built; if the cluster is gone, reconcile does it when it is back.
    if (!unreachable) {
      await cluster.remove({ apiVersion: "v1", kind: "Namespace", name: row.namespace }).catch(() => {});
    }
    return failure(unreachable ? "cluster-unreachable" : "failed", message);
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
 * objects (idempotent server-side apply) and counts as activity. A sandbox still starting is
 * returned as it is (another request is starting it).
 */
export async function resumeSandbox(
  db: Database,
  user: ActingUser,
  sandboxId: string,
  onProgress: OnProgress = () => {},
  deps: SandboxDeps = {},
): Promise<SandboxResult> {
  const owned = await ownedSandboxOnCluster(db, user, sandboxId, deps, { states: LIVE_STATES });
  if (!owned.ok) return owned;
  const { row, cluster } = owned;
  if (row.state === "provisioning") return { ok: true, sandbox: toSandboxDTO(row) };
  try {
    const ns = await cluster.get({ apiVersion: "v1", kind: "Namespace", name: row.namespace });
    if (!ns || (ns.metadata as { deletionTimestamp?: string }).deletionTimestamp) {
      await updateSandbox(db, row.id, { state: "gone", deletedAt: new Date(), error: "The namespace was removed." });
      return failure("not-found", "Your sandbox was removed (it expired or was cleaned up). Start the lab again.");
    }
    await applyPlatform(cluster, row, installationOf(deps), onProgress);
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
  const now = Date.now();
  const extendedExpiry = (row: SandboxRow) =>
    new Date(Math.min(row.createdAt.getTime() + MAX_LIFETIME_MS, Math.max(row.expiresAt.getTime(), now) + parsed.data.minutes * 60_000));
  const owned = await ownedSandboxOnCluster(db, user, sandboxId, deps, {
    states: ["ready"],
    refuse: (row) =>
      extendedExpiry(row).getTime() <= row.expiresAt.getTime()
        ? failure("limit-reached", "This sandbox has reached its longest lifetime (8 hours). Save your work and start again.")
        : null,
  });
  if (!owned.ok) return owned;
  const { row, cluster } = owned;
  const expiresAt = extendedExpiry(row);
  try {
    // The namespace carries the expiry too, so an operator with kubectl sees it.
    await cluster.apply(sandboxNamespace({ ...row, expiresAt }, installationOf(deps)));
  } catch (error) {
    return clusterFailure(error);
  }
  const saved = await updateSandbox(db, row.id, { expiresAt, lastActivityAt: new Date() });
  return { ok: true, sandbox: toSandboxDTO(saved) };
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

/**
 * Deletes everything the learner made in the sandbox, restores the platform objects and applies
 * the lab's setup objects again (`setup`, as at the start), so a reset is a fresh start.
 */
export async function resetSandbox(
  db: Database,
  user: ActingUser,
  sandboxId: string,
  onProgress: OnProgress = () => {},
  deps: SandboxDeps = {},
  options: { setup?: readonly SetupManifest[] } = {},
): Promise<SandboxResult> {
  const setup = SetupSchema.safeParse(options.setup ?? []);
  if (!setup.success) return failure("invalid-input", setup.error.issues[0]!.message);
  const owned = await ownedSandboxOnCluster(db, user, sandboxId, deps, { states: ["ready"] });
  if (!owned.ok) return owned;
  const { row, cluster } = owned;
  try {
    onProgress("Deleting your objects…");
    for (const { apiVersion, kind } of LEARNER_KINDS) await deleteAll(cluster, row.namespace, apiVersion, kind);
    onProgress("Waiting for pods to stop…");
    const deadline = Date.now() + 30_000;
    while ((await cluster.list("v1", "Pod", { namespace: row.namespace })).length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    onProgress("Restoring sandbox settings…");
    await applyPlatform(cluster, row, installationOf(deps), () => {});
    await applySetup(cluster, row.namespace, setup.data, onProgress);
  } catch (error) {
    if (error instanceof SetupRefused) {
      return failure("failed", reportServerError("The lab's starting objects could not be created again: the lab itself is at fault, not your work.", `resetting sandbox ${row.namespace} failed`, error).error);
    }
    return clusterFailure(error);
  }
  const saved = await updateSandbox(db, row.id, { lastActivityAt: new Date() });
  onProgress("Ready");
  return { ok: true, sandbox: toSandboxDTO(saved) };
}

/**
 * Applies more setup objects to the learner's ready sandbox, as the start does (applySetup: as the
 * learner, the editor's field manager): a lab step's setup when the step unlocks
 * (docs/lab-format.md, "Steps"). Nothing of the learner's is deleted.
 */
export async function applySandboxSetup(
  db: Database,
  user: ActingUser,
  sandboxId: string,
  setupManifests: readonly SetupManifest[],
  onProgress: OnProgress = () => {},
  deps: SandboxDeps = {},
): Promise<SandboxResult> {
  const setup = SetupSchema.safeParse(setupManifests);
  if (!setup.success) return failure("invalid-input", setup.error.issues[0]!.message);
  const owned = await ownedSandboxOnCluster(db, user, sandboxId, deps, { states: ["ready"] });
  if (!owned.ok) return owned;
  const { row, cluster } = owned;
  try {
    await applySetup(cluster, row.namespace, setup.data, onProgress);
  } catch (error) {
    if (error instanceof SetupRefused) {
      return failure("failed", reportServerError("The next step's starting objects could not be created: the lab itself is at fault, not your work.", `setting up a step in sandbox ${row.namespace} failed`, error).error);
    }
    return clusterFailure(error);
  }
  const saved = await updateSandbox(db, row.id, { lastActivityAt: new Date() });
  return { ok: true, sandbox: toSandboxDTO(saved) };
}

export type TeardownResult = { gone: true } | { gone: false; detail: string };

/** Deletes the namespace and waits for it to disappear; says why when it is stuck. Stop and the reaper use it. */
export async function teardown(
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

/** A sandbox can be stopped in any state but gone (a failed or stuck one too). */
const NOT_GONE = SANDBOX_STATES.filter((state) => state !== "gone");

/** How long stop waits for a namespace to disappear unless told otherwise. */
export const DEFAULT_TERMINATION_TIMEOUT_MS = 120_000;

/** Stops a sandbox: deletes its namespace and everything in it, and waits until it is gone. */
export async function stopSandbox(
  db: Database,
  user: ActingUser,
  sandboxId: string,
  onProgress: OnProgress = () => {},
  deps: SandboxDeps = {},
): Promise<SandboxResult> {
  const owned = await ownedSandboxOnCluster(db, user, sandboxId, deps, { states: NOT_GONE });
  if (!owned.ok) return owned;
  const { row, cluster } = owned;
  onProgress("Deleting your sandbox…");
  let result: TeardownResult;
  try {
    result = await teardown(db, cluster, row, deps.terminationTimeoutMs ?? DEFAULT_TERMINATION_TIMEOUT_MS, null);
  } catch (error) {
    return clusterFailure(error);
  }
  if (!result.gone) {
    return failure("stuck-terminating", `${result.detail} It will be removed in the background, and counts toward your sandbox limit until then.`);
  }
  onProgress("Stopped");
  const [saved] = await db.select().from(sandboxes).where(eq(sandboxes.id, row.id));
  return { ok: true, sandbox: toSandboxDTO(saved!) };
}
