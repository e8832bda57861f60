// lib/grading runs checks: the grader (grader.ts), stored attempts (attempts.ts), instructor
// insights (insights.ts) and this lab self-test. It imports lib/labs and lib/checks; they never
// import it.
//
// Lab self-test (npm run labs:verify and self-test.cluster.test.ts): for every lab, a fresh learner
// with the SOLUTION saved (and applied to a fresh sandbox when the lab has one) must pass every
// check, and a fresh learner with the STARTER must not complete the lab. It goes through the
// same path as a learner: saved files in the database, the sandbox service, gradeAttempt.
import "server-only";
import { randomBytes, randomUUID } from "node:crypto";
import type { Database } from "@/lib/db/client";
import { users } from "@/lib/db/schema";
import type { KubeClient } from "@/lib/k8s/client";
import { saveLabFiles } from "@/lib/labs/files";
import { listLabs, solutionFiles, starterFiles, type Lab } from "@/lib/labs/registry";
import { applyLearnerManifests, type ApplyResult } from "@/lib/sandbox/learner-apply";
import { startSandbox } from "@/lib/sandbox/lifecycle";
import { removeClusterPolicies } from "@/lib/sandbox/policies";
import type { AttemptDTO } from "./attempts";
import { gradeAttempt } from "./grader";

export type LabVerdict = {
  labId: string;
  checks: number;
  /** Checks the solution passed. */
  passed: number;
  /** Problems: solution checks that did not pass, a starter that completes, setup failures. */
  problems: string[];
};

export type VerifySummary = { labs: number; checks: number; passed: number; failed: number };

export type VerifyOptions = {
  db: Database;
  /** Admin client for labs with a sandbox; labs that need one fail when it is missing. */
  cluster?: KubeClient | null;
  /** Installation id for the sandboxes made here (so reconcile elsewhere leaves them alone). */
  installation?: string;
  labIds?: string[];
  log?: (line: string) => void;
  /** How long to wait for Deployments to become available after applying the solution. */
  rolloutTimeoutMs?: number;
};

async function createLearner(db: Database, tag: string): Promise<{ id: string }> {
  const id = randomUUID();
  await db.insert(users).values({ id, email: `labs-verify-${tag}-${randomBytes(4).toString("hex")}@example.invalid`, name: `labs:verify ${tag}` });
  return { id };
}

type DeploymentStatus = { spec?: { replicas?: number }; status?: { availableReplicas?: number; updatedReplicas?: number } };

async function waitForRollouts(cluster: KubeClient, namespace: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const deployments = (await cluster.list("apps/v1", "Deployment", { namespace })) as unknown as DeploymentStatus[];
    const done = deployments.every((d) => (d.status?.availableReplicas ?? 0) >= (d.spec?.replicas ?? 1) && (d.status?.updatedReplicas ?? 0) >= (d.spec?.replicas ?? 1));
    if (done || Date.now() > deadline) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Applies as the learner, retrying while RBAC refuses: right after a sandbox is created the API
 * server's authorizer may not have seen the new RoleBinding yet (a few hundred ms).
 */
export async function applyAsLearner(apply: () => Promise<ApplyResult>, timeoutMs = 10_000): Promise<ApplyResult> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await apply();
    const forbidden = result.ok && result.results.some((r) => r.outcome === "rejected" && /is forbidden: User .* cannot /.test(r.message));
    if (!forbidden || Date.now() > deadline) return result;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

type Prepared = { namespace: string | null; problems: string[] };

async function prepare(
  options: VerifyOptions,
  lab: Lab,
  learner: { id: string },
  files: Record<string, string>,
  save: boolean,
  waitForRollout: boolean,
): Promise<Prepared> {
  const problems: string[] = [];
  const editable = lab.files.filter((f) => !f.readonly);
  if (save) {
    const saved = await saveLabFiles(options.db, learner, lab.id, editable.map((f) => ({ path: f.path, content: files[f.path]! })));
    if (!saved.ok) return { namespace: null, problems: [`saving the solution failed: ${saved.error}`] };
  }
  if (!lab.sandbox) return { namespace: null, problems };
  if (!options.cluster) return { namespace: null, problems: ["the lab needs a sandbox, but no cluster was given"] };
  const deps = { cluster: options.cluster, installation: options.installation };
  const started = await startSandbox(options.db, learner, { labId: lab.id, sizeProfile: lab.sandbox, placement: lab.workloads, ttlMinutes: lab.ttlMinutes ?? undefined }, () => {}, deps);
  if (!started.ok) return { namespace: null, problems: [`starting the sandbox failed: ${started.error}`] };
  const namespace = started.sandbox.namespace;
  for (const file of lab.files.filter((f) => f.apply)) {
    const applied = await applyAsLearner(() => applyLearnerManifests(options.db, learner, started.sandbox.id, files[file.path]!, deps), save ? 10_000 : 3_000);
    if (save) {
      if (!applied.ok) problems.push(`applying ${file.path} failed: ${applied.error}`);
      else for (const r of applied.results) if (r.outcome === "rejected") problems.push(`${file.path}: ${r.kind} "${r.name}" was rejected: ${r.message}`);
    }
  }
  if (waitForRollout) await waitForRollouts(options.cluster, namespace, options.rolloutTimeoutMs ?? 60_000);
  return { namespace, problems };
}

function failures(attempt: AttemptDTO): string[] {
  return attempt.results.filter((r) => r.status !== "pass").map((r) => `${r.id}: ${r.status} — ${r.message}`);
}

export async function verifyLab(options: VerifyOptions, lab: Lab): Promise<{ verdict: LabVerdict; namespaces: string[] }> {
  const log = options.log ?? (() => {});
  const verdict: LabVerdict = { labId: lab.id, checks: lab.checks.length, passed: 0, problems: [] };
  const namespaces: string[] = [];
  const grade = (learner: { id: string }) => gradeAttempt(options.db, learner, lab.id, undefined, { cluster: options.cluster ?? undefined, rateLimit: null });

  // Solution: must pass every check.
  const solver = await createLearner(options.db, `${lab.id}-solution`);
  const solution = await prepare(options, lab, solver, solutionFiles(lab), true, true);
  if (solution.namespace) namespaces.push(solution.namespace);
  verdict.problems.push(...solution.problems.map((p) => `solution: ${p}`));
  if (solution.problems.length === 0) {
    const graded = await grade(solver);
    if (!graded.ok) verdict.problems.push(`solution: grading refused: ${graded.error}`);
    else {
      verdict.passed = graded.attempt.results.filter((r) => r.status === "pass").length;
      verdict.problems.push(...failures(graded.attempt).map((f) => `solution: ${f}`));
      log(`${lab.id}: solution ${verdict.passed}/${lab.checks.length} checks pass (${graded.attempt.durationMs} ms)`);
    }
  }

  // Starter: must not complete the lab.
  const starter = await createLearner(options.db, `${lab.id}-starter`);
  const prepared = await prepare(options, lab, starter, starterFiles(lab), false, false);
  if (prepared.namespace) namespaces.push(prepared.namespace);
  verdict.problems.push(...prepared.problems.map((p) => `starter: ${p}`));
  const graded = await grade(starter);
  if (!graded.ok) verdict.problems.push(`starter: grading refused: ${graded.error}`);
  else {
    const failing = graded.attempt.results.filter((r) => r.status !== "pass").map((r) => r.id);
    if (graded.attempt.completed) verdict.problems.push("starter: the starter files already complete the lab");
    log(`${lab.id}: starter fails ${failing.length}/${lab.checks.length} checks (${failing.join(", ")})`);
  }
  return { verdict, namespaces };
}

/** Verifies the labs (all by default); namespaces made are deleted before returning. */
export async function verifyLabs(options: VerifyOptions): Promise<{ verdicts: LabVerdict[]; summary: VerifySummary }> {
  const labs = listLabs().filter((lab) => !options.labIds || options.labIds.includes(lab.id));
  const verdicts: LabVerdict[] = [];
  const namespaces: string[] = [];
  try {
    for (const lab of labs) {
      try {
        const result = await verifyLab(options, lab);
        verdicts.push(result.verdict);
        namespaces.push(...result.namespaces);
      } catch (error) {
        verdicts.push({ labId: lab.id, checks: lab.checks.length, passed: 0, problems: [`verification crashed: ${error instanceof Error ? error.stack : String(error)}`] });
      }
    }
  } finally {
    if (options.cluster) {
      await Promise.all(namespaces.map((name) => options.cluster!.remove({ apiVersion: "v1", kind: "Namespace", name }).catch(() => false)));
      // A self-test installation ends with the run: its cluster-wide admission policies go too.
      if (options.installation) await removeClusterPolicies(options.cluster, options.installation).catch(() => undefined);
    }
  }
  const checks = verdicts.reduce((sum, v) => sum + v.checks, 0);
  const passed = verdicts.reduce((sum, v) => sum + v.passed, 0);
  const failed = verdicts.reduce((sum, v) => sum + (v.checks - v.passed), 0) + verdicts.filter((v) => v.problems.some((p) => p.startsWith("starter:"))).length;
  return { verdicts, summary: { labs: verdicts.length, checks, passed, failed } };
}
