// The grader: runs a lab's checks on the learner's files as stored in the database and on their
// namespace as the grader's read-only identity sees it, then stores the attempt. Nothing the
// learner sends is used except through those two sources; a check that crashes or hangs becomes
// a "check error" for that check, never an exception out of gradeAttempt.
// One file on purpose: rate limit, lock, run, store is one transaction read top to bottom.
import "server-only";
import { createHash, randomUUID } from "node:crypto";
import { and, desc, eq, gt, lt } from "drizzle-orm";
import { z } from "zod";
import { runImage } from "@/lib/builds/run-image";
import { beginImageBuild, type BuildDeps } from "@/lib/builds/service";
import { builtinKind } from "@/lib/checks/kinds";
import { isWorkspacePod } from "@/lib/checks/live";
import type { AnyObject, CheckContext, CheckOutcome, DryRunOutcome, ImageBuildVerdict, ReadOnlyCluster } from "@/lib/checks/types";
import type { Database } from "@/lib/db/client";
import { labAttempts, labGradingLocks, type StoredCheckResult } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { CLUSTER_UNREACHABLE, reportServerError } from "@/lib/http/server-error";
import { ClusterUnreachable, KubeApiError, ManifestRejected, adminClient, graderClient, learnerClient, type KubeClient } from "@/lib/k8s/client";
import type { CheckDefinition } from "@/lib/labs/define";
import { currentFiles, filesSha256 } from "@/lib/labs/files";
import { checkNeedsCluster, checkTimeoutMs, getLab, publicChecks, type Lab, type LabOptions, type PublicCheck } from "@/lib/labs/registry";
import { DEFAULT_CHECK_TIMEOUT_MS, LabIdSchema } from "@/lib/labs/schema";
import { applyObjectsAsLearner } from "@/lib/sandbox/learner-apply";
import { parseLearnerManifests } from "@/lib/sandbox/learner-input";
import { readySandboxForLab } from "@/lib/sandbox/queries";
import { attemptKeyring, keyringOf, type AttemptKeyring } from "./attempt-keys";
import { appendAttempt, completedStepsOf, toAttemptDTO, type AttemptDTO, type CheckResultDTO } from "./attempts";
import { staticCheckRunner, type StaticCheckRunner } from "./check-worker-host";
import { liveSandbox } from "./live-sandbox";
import { attemptOutcome, gradingPlan } from "./steps";
import { runWaiting, type CheckWaiting, type WaitOptions } from "./waiting";

export { DEFAULT_CHECK_TIMEOUT_MS };

/**
 * Streamed to the page while grading: the list first, then one result per check in order, then the
 * attempt; a check that waits (`waitFor`) reports each run that did not pass yet as `waiting`.
 */
export type GradingEvent =
  | { type: "started"; labId: string; checks: PublicCheck[] }
  | { type: "waiting"; index: number; total: number; waiting: CheckWaiting }
  | { type: "check"; index: number; total: number; result: CheckResultDTO }
  | { type: "done"; attempt: AttemptDTO };

export type OnGradingEvent = (event: GradingEvent) => void;

export type GradeFailureCode = "not-found" | "rate-limited" | "already-running" | "no-sandbox" | "cluster-unreachable";
/** `unlocked`: the lab step this attempt unlocked (its setup is due, lib/grading/step-setup.ts), or null. */
export type GradeResult = { ok: true; attempt: AttemptDTO; unlocked: string | null } | { ok: false; code: GradeFailureCode; error: string; retryAt?: Date };

export type RateLimit = { minIntervalMs: number; maxPerWindow: number; windowMs: number };
export const DEFAULT_RATE_LIMIT: RateLimit = { minIntervalMs: 5_000, maxPerWindow: 30, windowMs: 10 * 60_000 };

export type GradingDeps = LabOptions & {
  /** Admin client the grader and learner identities are derived from (default: adminClient()). */
  cluster?: KubeClient;
  rateLimit?: RateLimit | null;
  /** Attempt signing keys (default: ACADEMY_ATTEMPT_KEYS, lib/grading/attempt-keys.ts). */
  keys?: AttemptKeyring;
  /** One signing key with id "test" (tests); `keys` wins when both are given. */
  key?: Buffer;
  now?: () => Date;
  /** A grading lock older than this is considered abandoned (process died). */
  staleLockMs?: number;
  /** The image registry build pods push to (default: ACADEMY_BUILD_REGISTRY, or the real node's relay). */
  imageRegistry?: string;
};

const OutcomeSchema = z.object({
  status: z.enum(["pass", "fail", "error"]),
  message: z.string().max(4000),
  details: z.array(z.string().max(2000)).max(100).optional(),
});

// ---------------------------------------------------------------------------------------------
// The cluster, as checks see it

/** Read-only view through the grader identity; each object/list is fetched once per attempt. */
export function readOnlyCluster(admin: KubeClient, namespace: string): ReadOnlyCluster {
  const grader = graderClient(admin, namespace);
  const memo = new Map<string, Promise<unknown>>();
  // A fresh read (a check waiting for a condition) asks again and leaves the snapshot alone.
  const once = <T>(key: string, load: () => Promise<T>, fresh = false): Promise<T> => {
    if (fresh) return load();
    if (!memo.has(key)) memo.set(key, load());
    return memo.get(key) as Promise<T>;
  };
  return {
    namespace,
    get: (ref, options = {}) =>
      once(`get ${ref.apiVersion} ${ref.kind} ${ref.name}`, async () =>
        ((await grader.get({ ...ref, namespace })) as AnyObject | null),
      options.fresh),
    list: (apiVersion, kind, options = {}) =>
      once(`list ${apiVersion} ${kind} ${options.labelSelector ?? ""}`, async () => {
        const items = (await grader.list(apiVersion, kind, { namespace, labelSelector: options.labelSelector })) as unknown as AnyObject[];
        // The learner's terminal is the platform's pod: no check counts or judges it.
        return kind === "Pod" ? items.filter((pod) => !isWorkspacePod(pod)) : items;
      },
      options.fresh),
  };
}

// Dry-run answers by namespace and exact text, for a minute. A learner pressing Check again while
// a rollout finishes sends the same bytes to the same namespace; asking the API server again costs
// a server-side apply each time (the most expensive part of grading) for the same answer. Any
// edit changes the key. See docs/decisions/006-grading.md.
const DRY_RUN_TTL_MS = 60_000;
const DRY_RUN_CACHE_MAX = 5_000;
const dryRunCache = new Map<string, { expires: number; outcome: Promise<DryRunOutcome> }>();

/** Server-side dry-run of manifest text with the learner's own rights. */
export function learnerDryRun(admin: KubeClient, namespace: string, options: { cache?: boolean } = {}): (text: string) => Promise<DryRunOutcome> {
  const learner = learnerClient(admin, namespace);
  const run = async (text: string): Promise<DryRunOutcome> => {
    const parsed = parseLearnerManifests(text, namespace);
    if (!parsed.ok) return { ok: false, problems: parsed.problems.map((p) => p.message) };
    const verdicts = await applyObjectsAsLearner(learner, parsed.objects, { dryRun: true, parallel: true });
    const results = verdicts.map(({ item, refusal }) => {
      const where = { document: item.document, line: item.line, kind: item.kind, name: item.name };
      if (!refusal) return { ...where, ok: true };
      return { ...where, ok: false, message: refusal.apiMessage, field: refusal instanceof ManifestRejected ? refusal.field : undefined };
    });
    return { ok: true, results };
  };
  if (options.cache === false) return run;
  return (text) => {
    const key = `${admin.server}\0${namespace}\0${createHash("sha256").update(text).digest("hex")}`;
    const now = Date.now();
    const hit = dryRunCache.get(key);
    if (hit && hit.expires > now) return hit.outcome;
    const outcome = run(text);
    dryRunCache.delete(key);
    dryRunCache.set(key, { expires: now + DRY_RUN_TTL_MS, outcome });
    if (dryRunCache.size > DRY_RUN_CACHE_MAX) dryRunCache.delete(dryRunCache.keys().next().value!);
    // Errors (cluster unreachable, …) and RBAC refusals (a new sandbox's RoleBinding may not be
    // effective yet) are not remembered.
    outcome.then(
      (o) => {
        if (o.ok && o.results.some((r) => !r.ok && /is forbidden: User .* cannot /.test(r.message ?? ""))) dryRunCache.delete(key);
      },
      () => dryRunCache.delete(key),
    );
    return outcome;
  };
}

/**
 * The lab's image build for the checks of one attempt: built once, on first use, like "Build
 * image" (the same queue), without the per-user build limit (grading has its own).
 */
export function imageBuildOnce(db: Database, user: { id: string }, labId: string, deps: BuildDeps): () => Promise<ImageBuildVerdict> {
  let pending: Promise<ImageBuildVerdict> | null = null;
  return () => {
    pending ??= (async (): Promise<ImageBuildVerdict> => {
      const begun = await beginImageBuild(db, user, labId, { ...deps, skipRateLimit: true });
      if (!begun.ok) return { ok: false, error: begun.error, details: [], platform: begun.code !== "already-building" };
      const result = await begun.run(() => {});
      if (!result.ok) return { ok: false, error: result.error, details: [], platform: true };
      if ("failed" in result) {
        const { error, details, line, reason } = result.failed;
        return { ok: false, error, details, ...(line ? { line } : {}), ...(reason === "unknown" || reason === "push" ? { platform: true } : {}) };
      }
      return { ok: true, image: result.image, digest: result.digest, durationMs: result.durationMs };
    })();
    return pending;
  };
}

/** The image capabilities of one attempt's checks: the build (once) and runs of what it built. */
function builtImageChecks(db: Database, user: { id: string }, labId: string, deps: BuildDeps): Pick<CheckEnvironment, "buildImage" | "runBuiltImage"> {
  const buildImage = imageBuildOnce(db, user, labId, deps);
  return {
    buildImage,
    async runBuiltImage(request) {
      const built = await buildImage();
      if (!built.ok) return { ok: false, error: built.error, details: built.details, platform: built.platform };
      return runImage(deps.cluster ?? adminClient(), {
        id: randomUUID().slice(0, 12),
        installation: env.ACADEMY_INSTALLATION_ID,
        image: built.image,
        ...request,
      });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Running checks

export type CheckEnvironment = Omit<CheckContext, "signal">;

function errorText(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}${error.stack ? `\n${error.stack}` : ""}`;
  return String(error);
}

async function runOne(check: CheckDefinition, env: CheckEnvironment, defaultTimeoutMs: number, worker: StaticCheckRunner, wait: WaitOptions): Promise<StoredCheckResult> {
  const started = performance.now();
  const kindSpec = check.kind === "custom" ? undefined : builtinKind(check.kind);
  // A kind with work longer than a minute (an image build) brings its own limit.
  const timeoutMs = checkTimeoutMs(check, defaultTimeoutMs);
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const base = { id: check.id, title: check.title, points: check.points };
  const finish = (outcome: CheckOutcome, internal?: string): StoredCheckResult => {
    const passed = outcome.status === "pass";
    return {
      ...base,
      status: outcome.status,
      earned: passed ? check.points : 0,
      message: outcome.message,
      ...(outcome.details?.length ? { details: outcome.details } : {}),
      ...(passed ? {} : { hints: [...check.hints] }),
      durationMs: Math.round(performance.now() - started),
      ...(internal ? { internal } : {}),
    };
  };
  const timedOut = () =>
    finish(
      { status: "error", message: `This check did not finish within ${Math.round(timeoutMs / 1000)} s and was stopped. Check again; if it keeps happening, tell your instructor.` },
      `timeout after ${timeoutMs} ms`,
    );
  // Static built-in kinds read only files: they run in a worker thread with a hard kill at the
  // timeout, off the event loop (docs/decisions/006-grading.md, "Isolation").
  if (check.kind !== "custom" && !checkNeedsCluster(check) && !kindSpec?.inProcess) {
    const ran = await worker.run({ labId: env.labId, kind: check.kind, params: (check as { params?: unknown }).params ?? {}, files: { ...env.files } }, timeoutMs);
    if (ran.ok) {
      const outcome = OutcomeSchema.safeParse(ran.outcome);
      if (outcome.success) return finish(outcome.data);
      return finish(
        { status: "error", message: "This check could not be graded because of a problem in the lab itself. Your instructor has been told; the other checks are not affected." },
        `check returned an invalid outcome: ${outcome.error.message}`,
      );
    }
    if (ran.timedOut) return timedOut();
    return finish(
      { status: "error", message: "This check could not run because of an error on our side, not in your work. Check again; if it keeps happening, tell your instructor." },
      ran.error,
    );
  }
  try {
    const ctx: CheckContext = { ...env, files: Object.freeze({ ...env.files }), signal: controller.signal };
    const work = (async (): Promise<CheckOutcome> => {
      if (checkNeedsCluster(check) && !ctx.cluster) {
        return { status: "fail", message: "This check looks at your sandbox, and there is none. Start the sandbox, apply your files, then check again." };
      }
      let run: (c: CheckContext) => Promise<CheckOutcome>;
      if (check.kind === "custom") run = check.run;
      else {
        const kind = builtinKind(check.kind);
        if (!kind) throw new Error(`Unknown check kind "${check.kind}"`);
        const params = kind.params.safeParse((check as { params?: unknown }).params ?? {});
        if (!params.success) throw new Error(`Invalid params for ${check.kind}: ${params.error.message}`);
        run = (c) => kind.run(params.data, c);
      }
      // A check that waits runs again while it fails, up to its bound (lib/grading/waiting.ts).
      return check.waitFor ? runWaiting(run, ctx, check.waitFor, wait) : run(ctx);
    })();
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), timeoutMs);
    });
    const raced = await Promise.race([work, timeout]);
    if (raced === "timeout") {
      controller.abort();
      work.catch(() => {});
      return timedOut();
    }
    const outcome = OutcomeSchema.safeParse(raced);
    if (!outcome.success) {
      return finish(
        { status: "error", message: "This check could not be graded because of a problem in the lab itself. Your instructor has been told; the other checks are not affected." },
        `check returned an invalid outcome: ${outcome.error.message}`,
      );
    }
    return finish(outcome.data);
  } catch (error) {
    if (error instanceof ClusterUnreachable) {
      return finish({ status: "error", message: "The cluster could not be reached while checking this. Wait a minute and check again." }, errorText(error));
    }
    if (error instanceof KubeApiError && error.status === 403) {
      return finish({ status: "error", message: "The grader was not allowed to read what this check needs. Your instructor has been told." }, errorText(error));
    }
    return finish(
      { status: "error", message: "This check could not run because of an error on our side, not in your work. Check again; if it keeps happening, tell your instructor." },
      errorText(error),
    );
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Runs every check of the lab concurrently (they share one read-only cluster view; the static
 * built-in ones take turns in one worker thread) and reports results in definition order as soon
 * as each one and all before it are done.
 */
export async function runChecks(
  lab: Pick<Lab, "checks">,
  env: CheckEnvironment,
  onResult: (index: number, result: StoredCheckResult) => void = () => {},
  options: { timeoutMs?: number; onWaiting?: (index: number, waiting: CheckWaiting) => void; waitIntervalMs?: number } = {},
): Promise<StoredCheckResult[]> {
  const worker = staticCheckRunner();
  try {
    const pending = lab.checks.map((check, index) =>
      runOne(check, env, options.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS, worker, {
        onWaiting: options.onWaiting && ((waiting) => options.onWaiting!(index, waiting)),
        intervalMs: options.waitIntervalMs,
      }),
    );
    const results: StoredCheckResult[] = [];
    for (const [index, promise] of pending.entries()) {
      const result = await promise;
      results.push(result);
      onResult(index, result);
    }
    return results;
  } finally {
    await worker.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Attempts

function safeEmit(on: OnGradingEvent | undefined, event: GradingEvent): void {
  try {
    on?.(event);
  } catch {
    // The page went away; grading and storing the attempt carry on.
  }
}

function waitText(ms: number, at: Date): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  const when = seconds < 90 ? `${seconds} s` : `${Math.ceil(seconds / 60)} min`;
  return `${when} (at ${at.toISOString().slice(11, 19)} UTC)`;
}

async function rateLimited(db: Database, userId: string, limit: RateLimit, now: Date): Promise<GradeResult | null> {
  const recent = await db
    .select({ createdAt: labAttempts.createdAt })
    .from(labAttempts)
    .where(and(eq(labAttempts.userId, userId), gt(labAttempts.createdAt, new Date(now.getTime() - limit.windowMs))))
    .orderBy(desc(labAttempts.createdAt))
    .limit(limit.maxPerWindow);
  const latest = recent[0]?.createdAt;
  if (latest && now.getTime() - latest.getTime() < limit.minIntervalMs) {
    const retryAt = new Date(latest.getTime() + limit.minIntervalMs);
    return { ok: false, code: "rate-limited", retryAt, error: `You just checked. You can check again in ${waitText(retryAt.getTime() - now.getTime(), retryAt)}.` };
  }
  if (recent.length >= limit.maxPerWindow) {
    const retryAt = new Date(recent.at(-1)!.createdAt.getTime() + limit.windowMs);
    return {
      ok: false,
      code: "rate-limited",
      retryAt,
      error: `You have checked ${recent.length} times in the last ${Math.round(limit.windowMs / 60_000)} minutes, the most allowed. You can check again in ${waitText(retryAt.getTime() - now.getTime(), retryAt)}; meanwhile read the hints of the failing checks.`,
    };
  }
  return null;
}

async function acquireLock(db: Database, userId: string, labId: string, now: Date, staleMs: number): Promise<{ token: string } | { startedAt: Date }> {
  const token = randomUUID();
  const rows = await db
    .insert(labGradingLocks)
    .values({ userId, labId, token, startedAt: now })
    .onConflictDoUpdate({
      target: [labGradingLocks.userId, labGradingLocks.labId],
      set: { token, startedAt: now },
      setWhere: lt(labGradingLocks.startedAt, new Date(now.getTime() - staleMs)),
    })
    .returning({ token: labGradingLocks.token });
  if (rows[0]?.token === token) return { token };
  const [held] = await db
    .select({ startedAt: labGradingLocks.startedAt })
    .from(labGradingLocks)
    .where(and(eq(labGradingLocks.userId, userId), eq(labGradingLocks.labId, labId)));
  return { startedAt: held?.startedAt ?? now };
}

/**
 * Grades the learner's current work on a lab and stores the attempt. Expected refusals (rate
 * limit, a grading already running, no sandbox) are returned as values with a message.
 */
export async function gradeAttempt(
  db: Database,
  user: { id: string },
  labId: string,
  onProgress?: OnGradingEvent,
  deps: GradingDeps = {},
): Promise<GradeResult> {
  const now = deps.now?.() ?? new Date();
  const id = LabIdSchema.safeParse(labId);
  const lab = id.success ? getLab(id.data, deps) : null;
  if (!lab) return { ok: false, code: "not-found", error: "This lab does not exist." };

  const limit = deps.rateLimit === undefined ? DEFAULT_RATE_LIMIT : deps.rateLimit;
  if (limit) {
    const refused = await rateLimited(db, user.id, limit, now);
    if (refused) return refused;
  }
  const lock = await acquireLock(db, user.id, lab.id, now, deps.staleLockMs ?? 5 * 60_000);
  if ("startedAt" in lock) {
    const seconds = Math.max(0, Math.round((now.getTime() - lock.startedAt.getTime()) / 1000));
    return {
      ok: false,
      code: "already-running",
      error: `A check is already running for this lab (started ${seconds} s ago). Wait for its results, then check again.`,
    };
  }
  try {
    // A lab with steps grades its current step only (lib/grading/steps.ts); read under the lock.
    const plan = gradingPlan(lab, lab.steps.length ? await completedStepsOf(db, user, lab.id) : []);
    const needsCluster = plan.checks.some(checkNeedsCluster);
    let namespace: string | null = null;
    let admin: KubeClient | null = null;
    if (needsCluster) {
      const sandbox = await readySandboxForLab(db, user, lab.id, now);
      if (!sandbox) {
        return {
          ok: false,
          code: "no-sandbox",
          error: "This lab is graded on your sandbox, and you have none running. Start the sandbox, apply your files, then check again.",
        };
      }
      namespace = sandbox.namespace;
      try {
        admin = deps.cluster ?? adminClient();
      } catch (error) {
        if (error instanceof ClusterUnreachable) return { ok: false, code: "cluster-unreachable", error: reportServerError(CLUSTER_UNREACHABLE, "grading: the cluster cannot be reached", error).error };
        throw error;
      }
    }
    const files = await currentFiles(db, user.id, lab);
    const env: CheckEnvironment = {
      labId: lab.id,
      files,
      namespace,
      cluster: admin && namespace ? readOnlyCluster(admin, namespace) : null,
      dryRunAsLearner: admin && namespace ? learnerDryRun(admin, namespace) : null,
      live: admin && namespace ? liveSandbox(admin, namespace) : null,
      ...(lab.build ? builtImageChecks(db, user, lab.id, { cluster: deps.cluster, root: deps.root, registry: deps.registry, imageRegistry: deps.imageRegistry }) : {}),
    };
    safeEmit(onProgress, { type: "started", labId: lab.id, checks: publicChecks(plan) });
    const started = performance.now();
    const results = await runChecks(
      plan,
      env,
      (index, result) => {
        const { internal: _internal, ...shown } = result;
        safeEmit(onProgress, { type: "check", index, total: plan.checks.length, result: shown });
      },
      { onWaiting: (index, waiting) => safeEmit(onProgress, { type: "waiting", index, total: plan.checks.length, waiting }) },
    );
    const outcome = attemptOutcome(lab, plan, results);
    const row = await appendAttempt(
      db,
      {
        userId: user.id,
        labId: lab.id,
        filesSha256: filesSha256(files),
        results,
        score: outcome.score,
        maxScore: lab.totalPoints,
        completed: outcome.completed,
        step: outcome.step,
        completedSteps: outcome.completedSteps,
        durationMs: Math.round(performance.now() - started),
        createdAt: new Date(now.getTime()),
      },
      deps.keys ?? (deps.key ? keyringOf({ test: deps.key }) : attemptKeyring()),
    );
    const attempt = toAttemptDTO(row);
    safeEmit(onProgress, { type: "done", attempt });
    return { ok: true, attempt, unlocked: outcome.unlocked };
  } finally {
    await db
      .delete(labGradingLocks)
      .where(and(eq(labGradingLocks.userId, user.id), eq(labGradingLocks.labId, lab.id), eq(labGradingLocks.token, lock.token)));
  }
}
