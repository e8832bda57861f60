// lib/builds owns learner image builds: a lab's "Build image" (and the image.builds check) builds
// the learner's Dockerfile and files with buildah in a Job on the cluster's real node, queued in
// the database (queue.ts), and pushes the image to the Academy registry under the learner's own
// path. Decision record: docs/decisions/010-learner-image-builds.md.
//
// This file is the facade routes and checks call: one build, from refusal checks to the outcome,
// reported as events while it runs.
import "server-only";
import { randomBytes } from "node:crypto";
import type { ActingUser } from "@/lib/auth/acting-user";
import type { Database } from "@/lib/db/client";
import { env } from "@/lib/env";
import { CLUSTER_UNREACHABLE } from "@/lib/http/server-error";
import { adminClient, ClusterUnreachable, type KubeClient } from "@/lib/k8s/client";
import { currentFiles } from "@/lib/labs/files";
import { getLab, type LabOptions } from "@/lib/labs/registry";
import { takeUserLimit, type RateLimited } from "@/lib/rate-limit/limits";
import type { Failure } from "@/lib/result";
import { DEFAULT_BUILD_LIMITS, learnerImageRef, learnerRepository, type BuildLimits } from "./manifests";
import type { BuildEvent } from "./events";
import type { BuildFailure } from "./outcome";

export type { BuildEvent } from "./events";
import { claimSlot, enqueueBuild, finishBuild, heartbeat } from "./queue";
import { nodeRegistryAddress, runBuild } from "./runner";

export const LEARNER_IMAGE_TAG = "latest";

export type BuildResult =
  | { ok: true; image: string; digest: string; durationMs: number }
  | { ok: true; failed: BuildFailure; durationMs: number }
  | Failure<"cluster-unreachable">;

export type BuildDeps = LabOptions & {
  cluster?: KubeClient;
  installation?: string;
  concurrency?: number;
  /** The image registry as build pods reach it (default: ACADEMY_BUILD_REGISTRY, or the real node's relay). */
  imageRegistry?: string;
  limits?: BuildLimits;
  /** How often a queued build asks for a slot. */
  pollMs?: number;
  heartbeatMs?: number;
  /** Skip the per-user build limit (the image.builds check: grading has its own limit). */
  skipRateLimit?: boolean;
};

/** The files of the lab inside its build context, by path relative to it. */
export function buildContext(files: Readonly<Record<string, string>>, context: string): Record<string, string> {
  if (context === ".") return { ...files };
  const prefix = `${context}/`;
  return Object.fromEntries(Object.entries(files).flatMap(([p, text]) => (p.startsWith(prefix) ? [[p.slice(prefix.length), text]] : [])));
}

export type BuildRun = (onEvent: (event: BuildEvent) => void) => Promise<BuildResult>;

/**
 * Queues a build of the learner's image of a lab. Refusals (no such lab, no build, the rate
 * limit, a build already queued or running) come back before anything runs, so a route can
 * answer them with a status; `run` then waits for a slot and builds, reporting each step. A
 * build that fails is a result too (`failed`, with the reason in words).
 */
export async function beginImageBuild(
  db: Database,
  user: ActingUser,
  labId: string,
  deps: BuildDeps = {},
): Promise<{ ok: true; run: BuildRun } | Failure<"not-found" | "no-build" | "already-building"> | RateLimited> {
  const lab = getLab(labId, deps);
  if (!lab) return { ok: false, code: "not-found", error: "This lab does not exist." };
  const build = lab.build;
  if (!build) return { ok: false, code: "no-build", error: "This lab builds no image." };
  if (!deps.skipRateLimit) {
    const limited = await takeUserLimit(db, "build", user.id);
    if (!limited.ok) return limited;
  }
  const installation = deps.installation ?? env.ACADEMY_INSTALLATION_ID;
  const limits = deps.limits ?? { ...DEFAULT_BUILD_LIMITS, deadlineSeconds: env.ACADEMY_BUILD_DEADLINE_SECONDS };
  const files = await currentFiles(db, user.id, lab);
  const repository = learnerRepository(installation, user.id, build.image);
  const id = randomBytes(6).toString("hex");
  const queued = await enqueueBuild(db, { id, userId: user.id, labId: lab.id, image: `${repository}:${LEARNER_IMAGE_TAG}` });
  if (!queued.ok) return queued;

  const run: BuildRun = async (listener) => {
    // A page that went away stops listening; the build carries on and its outcome is recorded.
    const onEvent = (event: BuildEvent) => {
      try {
        listener(event);
      } catch {
        // the stream is closed
      }
    };
    const started = Date.now();
    const beat = setInterval(() => void heartbeat(db, id).catch(() => {}), deps.heartbeatMs ?? 10_000);
    try {
      const cluster = deps.cluster ?? adminClient();
      let position = 0;
      for (;;) {
        const claim = await claimSlot(db, id, deps.concurrency ?? env.ACADEMY_BUILD_CONCURRENCY);
        if (claim.claimed) break;
        if (claim.position !== position) {
          position = claim.position;
          onEvent({ type: "queued", position: claim.position, running: claim.running });
        }
        await new Promise((resolve) => setTimeout(resolve, deps.pollMs ?? 1000));
      }
      onEvent({ type: "started" });
      const registry = deps.imageRegistry ?? env.ACADEMY_BUILD_REGISTRY ?? (await nodeRegistryAddress(cluster));
      if (!registry) {
        const outcome: BuildFailure = {
          ok: false,
          reason: "unknown",
          error: "Image builds need the cluster's real node, and this cluster has none right now. Tell your instructor.",
          details: [],
        };
        await finishBuild(db, id, outcome);
        const { ok: _ok, ...failed } = outcome;
        onEvent({ type: "failed", durationMs: Date.now() - started, ...failed });
        return { ok: true, failed: outcome, durationMs: Date.now() - started };
      }
      const outcome = await runBuild(
        cluster,
        {
          id,
          installation,
          context: buildContext(files, build.context),
          dockerfile: build.context === "." ? build.dockerfile : build.dockerfile.slice(build.context.length + 1),
          dockerfileText: files[build.dockerfile] ?? "",
          repository,
          tag: LEARNER_IMAGE_TAG,
          registry,
          limits,
        },
        { onPhase: (words) => onEvent({ type: "progress", words }), onLog: (line) => onEvent({ type: "log", line }) },
      );
      await finishBuild(db, id, outcome);
      const durationMs = Date.now() - started;
      if (outcome.ok) {
        const image = learnerImageRef(repository, LEARNER_IMAGE_TAG);
        onEvent({ type: "done", image, digest: outcome.digest, durationMs, buildSeconds: outcome.buildSeconds });
        return { ok: true, image, digest: outcome.digest, durationMs };
      }
      const { ok: _ok, ...failed } = outcome;
      onEvent({ type: "failed", durationMs, ...failed });
      return { ok: true, failed: outcome, durationMs };
    } catch (error) {
      await finishBuild(db, id, { ok: false, reason: "unknown", error: "The build stopped on a platform error.", details: [] }).catch(() => {});
      if (error instanceof ClusterUnreachable) return { ok: false, code: "cluster-unreachable", error: CLUSTER_UNREACHABLE };
      throw error;
    } finally {
      clearInterval(beat);
    }
  };
  return { ok: true, run };
}
