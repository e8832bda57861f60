// The learner's own objects: YAML/JSON they submit, applied to their sandbox AS THE LEARNER
// (impersonating their service account), so RBAC, Pod Security and quota judge it exactly as they
// would judge kubectl. `applyObjectsAsLearner` is the one apply-each-object loop: the learner's
// apply uses it for real, the grader's `dryRunAsLearner` with dryRun.
import "server-only";
import type { ActingUser } from "@/lib/auth/acting-user";
import type { Database } from "@/lib/db/client";
import { ManifestRejected, SandboxQuotaExceeded, asManifestError, learnerClient, type KubeClient, type KubeObject } from "@/lib/k8s/client";
import { ownedSandboxOnCluster } from "./access";
import { parseLearnerManifests, type InputProblem, type LearnerObject } from "./learner-input";
import { LIVE_STATES, updateSandbox } from "./queries";
import { clusterFailure, failure, type SandboxDeps, type SandboxFailure } from "./results";
import { ManifestTextSchema } from "./schema";

/** One object's verdict: applied, or refused by the API server (a refusal the learner can fix). */
export type ObjectVerdict = { item: LearnerObject; refusal: SandboxQuotaExceeded | ManifestRejected | null };

/**
 * Applies each parsed object with `learner` (a client acting as the learner) and says, per object,
 * whether the API server took it; one refusal does not stop the others. Any other error (the
 * cluster went away, …) is thrown. Sequential by default, so a quota is charged in document order;
 * `parallel` for dry-runs, where nothing is charged.
 */
export async function applyObjectsAsLearner(
  learner: KubeClient,
  objects: LearnerObject[],
  options: { dryRun?: boolean; parallel?: boolean } = {},
): Promise<ObjectVerdict[]> {
  const applyOne = async (item: LearnerObject): Promise<ObjectVerdict> => {
    const context = { document: item.document, kind: item.kind, name: item.name };
    try {
      await learner.apply(item.object as KubeObject, { ...(options.dryRun ? { dryRun: true } : {}), context });
      return { item, refusal: null };
    } catch (error) {
      const mapped = asManifestError(error, context);
      if (mapped instanceof SandboxQuotaExceeded || mapped instanceof ManifestRejected) return { item, refusal: mapped };
      throw mapped;
    }
  };
  if (options.parallel) return Promise.all(objects.map(applyOne));
  const verdicts: ObjectVerdict[] = [];
  for (const item of objects) verdicts.push(await applyOne(item));
  return verdicts;
}

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

function objectResult({ item, refusal }: ObjectVerdict): ObjectResult {
  const where = { document: item.document, line: item.line, kind: item.kind, name: item.name };
  if (!refusal) return { ...where, outcome: "applied" };
  if (refusal instanceof SandboxQuotaExceeded) {
    return { ...where, outcome: "rejected", error: "SandboxQuotaExceeded", message: refusal.message, quota: refusal.quota };
  }
  return { ...where, outcome: "rejected", error: "ManifestRejected", message: refusal.message, field: refusal.field };
}

/**
 * Applies learner-submitted YAML/JSON to their sandbox as the learner. Each object gets its own
 * result; one refusal does not stop the others.
 */
export async function applyLearnerManifests(
  db: Database,
  user: ActingUser,
  sandboxId: string,
  text: string,
  deps: SandboxDeps = {},
): Promise<ApplyResult> {
  let objects: LearnerObject[] = [];
  const owned = await ownedSandboxOnCluster(db, user, sandboxId, deps, {
    states: LIVE_STATES,
    refuse: (row) => {
      if (row.state !== "ready") return failure("not-ready", "Your sandbox is still starting. Wait for “Ready”, then apply again.");
      const size = ManifestTextSchema.safeParse(text);
      if (!size.success) return failure("invalid-input", size.error.issues[0]!.message);
      const parsed = parseLearnerManifests(text, row.namespace);
      if (!parsed.ok) {
        return { ...failure("invalid-input", parsed.problems.map((p) => p.message).join("\n")), problems: parsed.problems };
      }
      objects = parsed.objects;
      return null;
    },
  });
  if (!owned.ok) return owned;
  const { row, cluster } = owned;
  let results: ObjectResult[];
  try {
    results = (await applyObjectsAsLearner(learnerClient(cluster, row.namespace), objects)).map(objectResult);
  } catch (error) {
    return clusterFailure(error);
  }
  await updateSandbox(db, row.id, { lastActivityAt: new Date() });
  const applied = results.filter((r) => r.outcome === "applied").length;
  return { ok: true, results, applied, rejected: results.length - applied };
}
