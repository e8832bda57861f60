// A lab's setup objects (frontmatter `setup:`, docs/decisions/015-lab-setup-objects.md): manifests
// the sandbox starts with, applied at start and again after a reset, never on resume. They go
// through the learner's own path (parsed by learner-input.ts, applied by applyObjectsAsLearner as
// the learner's service account), so RBAC, Pod Security, the quota and the admission policies
// judge them exactly as they judge the learner's objects, and the learner owns them afterwards:
// the same field manager as the editor's Apply, plus the annotation `kubectl apply` keeps, so a
// fix by editor, `kubectl apply`, `kubectl edit` or `kubectl patch` replaces what setup wrote.
import "server-only";
import { BrandedError } from "@/lib/branded-error";
import { learnerClient, type KubeClient } from "@/lib/k8s/client";
import { parseLearnerManifests, type LearnerObject } from "./learner-input";
import { applyObjectsAsLearner, type ObjectVerdict } from "./learner-apply";
import type { OnProgress } from "./results";
import type { SetupManifest } from "./schema";

export type { SetupManifest } from "./schema";

/** What `kubectl apply` (client-side) compares the learner's file with to know what they removed. */
export const LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration";

/** A setup object could not be read or was refused: a fault in the lab, not the learner's. */
export class SetupRefused extends BrandedError {
  static override readonly brand = "SetupRefused";
  override name = "SetupRefused";
}

/**
 * The objects of every setup manifest, parsed for `namespace`, each carrying the annotation
 * `kubectl apply` would have written (the object as applied, without the annotation itself).
 * Throws SetupRefused naming the file and document when one does not parse.
 */
export function setupObjects(setup: readonly SetupManifest[], namespace: string): LearnerObject[] {
  return setup.flatMap(({ file, text }) => {
    const parsed = parseLearnerManifests(text, namespace);
    if (!parsed.ok) throw new SetupRefused(`${file}: ${parsed.problems.map((p) => p.message).join("; ")}`);
    return parsed.objects.map((item) => {
      const metadata = item.object.metadata;
      const annotations = { ...((metadata.annotations as Record<string, string> | undefined) ?? {}), [LAST_APPLIED_ANNOTATION]: JSON.stringify(item.object) };
      return { ...item, object: { ...item.object, metadata: { ...metadata, annotations } } };
    });
  });
}

const FORBIDDEN = /is forbidden: User .* cannot /;

/**
 * Applies the lab's setup objects to the sandbox as the learner, saying what it creates. Right
 * after a start the API server's authorizer may not have seen the learner's new RoleBinding yet
 * (a few hundred ms), so RBAC refusals are tried again for `rbacWaitMs`; any other refusal throws
 * SetupRefused with the API server's words.
 */
export async function applySetup(
  cluster: KubeClient,
  namespace: string,
  setup: readonly SetupManifest[],
  onProgress: OnProgress,
  rbacWaitMs = 10_000,
): Promise<void> {
  if (setup.length === 0) return;
  let pending = setupObjects(setup, namespace);
  onProgress(`Setting up the lab: ${pending.map((o) => `${o.kind} ${o.name}`).join(", ")}…`);
  const learner = learnerClient(cluster, namespace);
  const deadline = Date.now() + rbacWaitMs;
  for (;;) {
    const verdicts: ObjectVerdict[] = await applyObjectsAsLearner(learner, pending);
    const refused = verdicts.filter((v) => v.refusal);
    if (refused.length === 0) return;
    const onlyRbac = refused.every((v) => FORBIDDEN.test(v.refusal!.message));
    if (!onlyRbac || Date.now() > deadline) {
      const first = refused[0]!;
      throw new SetupRefused(`${first.item.kind} "${first.item.name}" was refused: ${first.refusal!.message}`);
    }
    pending = refused.map((v) => v.item);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
