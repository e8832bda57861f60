// lib/grading runs checks: the grader (grader.ts), stored attempts (attempts.ts), instructor
// insights (insights.ts) and this lab self-test. It imports lib/labs and lib/checks; they never
// import it.
//
// Lab self-test (npm run labs:verify and self-test.cluster.test.ts): for every lab, a fresh learner
// with the SOLUTION saved (and applied to a fresh sandbox when the lab has one) must pass every
// check, a fresh learner with the STARTER must not complete the lab, and every FIXTURE (a wrong
// submission, lib/labs/fixtures.ts) must fail the checks it names. It goes through the same path
// as a learner: saved files in the database, the sandbox service, gradeAttempt. A lab with steps
// is verified step by step: each step's solution (lib/labs/steps.ts) must complete it, in order,
// with each step's setup applied when it unlocks; a fixture names its step and is submitted there
// after the steps before it were completed.
import "server-only";
import { randomBytes, randomUUID } from "node:crypto";
import type { Database } from "@/lib/db/client";
import { users } from "@/lib/db/schema";
import { REAL_NODE_SELECTOR } from "@/lib/k8s/availability";
import { learnerClient, type KubeClient } from "@/lib/k8s/client";
import { saveLabFiles } from "@/lib/labs/files";
import { fixtureFiles, labFixtures, type LabFixture } from "@/lib/labs/fixtures";
import { SETUP_KINDS } from "@/lib/labs/setup";
import { listLabs, sandboxSetup, solutionFiles, starterFiles, type Lab } from "@/lib/labs/registry";
import { stepSolution } from "@/lib/labs/steps";
import { applyLearnerManifests, type ApplyResult } from "@/lib/sandbox/learner-apply";
import { startSandbox } from "@/lib/sandbox/lifecycle";
import { uninstall } from "@/lib/sandbox/upkeep";
import type { AttemptDTO } from "./attempts";
import { gradeAttempt } from "./grader";
import { applyStepSetup } from "./step-setup";

/** How one fixture went: ran (and failed as expected or not), or skipped and why. */
export type FixtureVerdict = {
  name: string;
  description: string;
  /** Why it did not run (it needs a real node and the cluster has none); null when it ran. */
  skipped: string | null;
  /** True when every `mustFail` check failed and every `mustPass` check passed. */
  failedAsExpected: boolean;
  /** The checks it names (mustFail, mustPass) that failed on it; only those are run. */
  failing: string[];
};

export type LabVerdict = {
  labId: string;
  checks: number;
  /** Checks the solution passed. */
  passed: number;
  /** Problems: solution checks that did not pass, a starter that completes, a fixture a check lets through, setup failures. */
  problems: string[];
  fixtures: FixtureVerdict[];
};

export type VerifySummary = {
  labs: number;
  checks: number;
  passed: number;
  failed: number;
  /** Fixtures graded. */
  fixtures: number;
  /** Fixtures on which every `mustFail` check failed (and every `mustPass` check passed). */
  fixturesFailedAsExpected: number;
  /** Fixtures not run, each named in the output with the reason (e.g. no real node). */
  fixturesSkipped: number;
  /** Names of the fixtures skipped, as `lab/fixture`. */
  skipped: string[];
};

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
  /** The same for a fixture (a wrong submission may never become available). Default 20 s. */
  fixtureRolloutTimeoutMs?: number;
  /** Fixtures graded at once per lab (each has its own sandbox). Default 3; 2 for labs whose pods really run. */
  fixtureConcurrency?: number;
  /**
   * Whether the cluster has a node where pods really run; fixtures with `needs: real-node` are
   * skipped (and reported) without one. Default: asked of the cluster (hasRealNode).
   */
  realNode?: boolean;
};

type NodeStatus = { status?: { conditions?: Array<{ type?: string; status?: string }> } };

/** Whether a Ready node labelled academy.dev/node=real exists; false without a cluster or on any error. */
export async function hasRealNode(cluster: KubeClient | null | undefined): Promise<boolean> {
  if (!cluster) return false;
  try {
    const nodes = (await cluster.list("v1", "Node", { labelSelector: REAL_NODE_SELECTOR })) as unknown as NodeStatus[];
    return nodes.some((n) => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
  } catch {
    return false;
  }
}

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

type StartedSandbox = { id: string; namespace: string };

type SubmitOptions = {
  /** Save the files as the learner's (the starter is what an unsaved learner has already). */
  save: boolean;
  /** Wait this long for Deployments to become available; 0: do not wait. */
  rolloutTimeoutMs: number;
  /** Refused or failed applies are problems (for the solution), or part of the submission (a fixture). */
  applyMustSucceed: boolean;
  /** Lab files not applied (a fixture's deleted files). */
  skipApply?: readonly string[];
  /** Objects deleted as the learner (a fixture's or a step solution's `removeObjects`). */
  removeObjects?: ReadonlyArray<{ kind: string; name: string }>;
  /**
   * When they are deleted: before the files are applied (a lab without steps: the learner deleted
   * setup objects), or after (at a step: the learner applies the step's files, then deletes).
   */
  removeAfterApply?: boolean;
};

/** Starts the learner's sandbox as the lab page does: the lab's setup objects go in with it. */
async function startLabSandbox(options: VerifyOptions, lab: Lab, learner: { id: string }): Promise<{ sandbox: StartedSandbox | null; problems: string[] }> {
  if (!lab.sandbox) return { sandbox: null, problems: [] };
  if (!options.cluster) return { sandbox: null, problems: ["the lab needs a sandbox, but no cluster was given"] };
  const input = { labId: lab.id, sizeProfile: lab.sandbox, placement: lab.workloads, ttlMinutes: lab.ttlMinutes ?? undefined, setup: sandboxSetup(lab, []) };
  const started = await startSandbox(options.db, learner, input, () => {}, { cluster: options.cluster, installation: options.installation });
  if (!started.ok) return { sandbox: null, problems: [`starting the sandbox failed: ${started.error}`] };
  return { sandbox: { id: started.sandbox.id, namespace: started.sandbox.namespace }, problems: [] };
}

/** What a learner does with `files`: save them, apply them to the sandbox (if any), delete objects as in the terminal. */
async function submit(options: VerifyOptions, lab: Lab, learner: { id: string }, sandbox: StartedSandbox | null, files: Record<string, string>, how: SubmitOptions): Promise<string[]> {
  const problems: string[] = [];
  if (how.save) {
    const editable = lab.files.filter((f) => !f.readonly);
    const saved = await saveLabFiles(options.db, learner, lab.id, editable.map((f) => ({ path: f.path, content: files[f.path]! })));
    if (!saved.ok) return [`saving the files failed: ${saved.error}`];
  }
  if (!sandbox || !options.cluster) return problems;
  const deps = { cluster: options.cluster, installation: options.installation };
  // As the learner's `kubectl delete` in the terminal would.
  const learnerKube = learnerClient(options.cluster, sandbox.namespace);
  const remove = async () => {
    for (const { kind, name } of how.removeObjects ?? []) {
      await learnerKube.remove({ apiVersion: SETUP_KINDS[kind]!, kind, name, namespace: sandbox.namespace }).catch((error: unknown) => {
        problems.push(`deleting ${kind} "${name}" as the learner failed: ${error instanceof Error ? error.message : String(error)}`);
      });
    }
  };
  if (!how.removeAfterApply) await remove();
  for (const file of lab.files.filter((f) => f.apply && !how.skipApply?.includes(f.path))) {
    const applied = await applyAsLearner(() => applyLearnerManifests(options.db, learner, sandbox.id, files[file.path]!, deps), how.save ? 10_000 : 3_000);
    if (how.applyMustSucceed) {
      if (!applied.ok) problems.push(`applying ${file.path} failed: ${applied.error}`);
      else for (const r of applied.results) if (r.outcome === "rejected") problems.push(`${file.path}: ${r.kind} "${r.name}" was rejected: ${r.message}`);
    }
  }
  if (how.removeAfterApply) await remove();
  if (how.rolloutTimeoutMs > 0) await waitForRollouts(options.cluster, sandbox.namespace, how.rolloutTimeoutMs);
  return problems;
}

async function prepare(options: VerifyOptions, lab: Lab, learner: { id: string }, files: Record<string, string>, how: SubmitOptions): Promise<Prepared> {
  if (how.save && !lab.sandbox) return { namespace: null, problems: await submit(options, lab, learner, null, files, how) };
  // Saved before the sandbox starts, as a learner who edits first.
  if (how.save) {
    const saved = await submit(options, lab, learner, null, files, how);
    if (saved.length) return { namespace: null, problems: saved };
  }
  const started = await startLabSandbox(options, lab, learner);
  if (!started.sandbox) return { namespace: null, problems: started.problems };
  return { namespace: started.sandbox.namespace, problems: await submit(options, lab, learner, started.sandbox, files, { ...how, save: false }) };
}

function failures(attempt: AttemptDTO): string[] {
  return attempt.results.filter((r) => r.status !== "pass").map((r) => `${r.id}: ${r.status} — ${r.message}`);
}

const grade = (options: VerifyOptions, lab: Lab, learner: { id: string }) =>
  gradeAttempt(options.db, learner, lab.id, undefined, { cluster: options.cluster ?? undefined, rateLimit: null });

/**
 * A lab with steps, as a learner works through it: for each of its first `count` steps, the step's
 * solution (lib/labs/steps.ts) is saved, applied and its objects deleted, then graded; the step
 * must complete, and the next step's setup goes into the sandbox as on the lab page. Stops at the
 * first step that does not complete (the rest could not be reached).
 */
async function walkSteps(options: VerifyOptions, lab: Lab, learner: { id: string }, sandbox: StartedSandbox | null, count: number): Promise<{ problems: string[]; passed: number }> {
  const log = options.log ?? (() => {});
  const problems: string[] = [];
  let passed = 0;
  for (const step of lab.steps.slice(0, count)) {
    const done = stepSolution(lab, step.id);
    const submitted = await submit(options, lab, learner, sandbox, done.files, {
      save: true,
      rolloutTimeoutMs: options.rolloutTimeoutMs ?? 60_000,
      applyMustSucceed: true,
      removeObjects: done.removeObjects,
      removeAfterApply: true,
    });
    problems.push(...submitted.map((p) => `step ${step.id}: ${p}`));
    if (submitted.length) break;
    const graded = await grade(options, lab, learner);
    if (!graded.ok) {
      problems.push(`step ${step.id}: grading refused: ${graded.error}`);
      break;
    }
    const stepPassed = graded.attempt.results.filter((r) => r.status === "pass").length;
    passed += stepPassed;
    log(`${lab.id}: step ${step.id}: solution ${stepPassed}/${step.checks.length} checks pass (${graded.attempt.durationMs} ms)`);
    problems.push(...failures(graded.attempt).map((f) => `step ${step.id}: ${f}`));
    if (graded.attempt.step !== step.id || !graded.attempt.completedSteps.includes(step.id)) {
      problems.push(`step ${step.id}: the step did not complete (graded ${graded.attempt.step ?? "no step"}; completed: ${graded.attempt.completedSteps.join(", ") || "none"})`);
      break;
    }
    if (graded.unlocked) {
      const setup = await applyStepSetup(options.db, learner, lab, graded.unlocked, () => {}, { cluster: options.cluster ?? undefined });
      if (!setup.ok) {
        problems.push(`step ${graded.unlocked}: applying its setup failed: ${setup.error}`);
        break;
      }
    }
  }
  return { problems, passed };
}

export async function verifyLab(options: VerifyOptions, lab: Lab): Promise<{ verdict: LabVerdict; namespaces: string[] }> {
  const log = options.log ?? (() => {});
  const verdict: LabVerdict = { labId: lab.id, checks: lab.checks.length, passed: 0, problems: [], fixtures: [] };
  const namespaces: string[] = [];

  // Solution: must pass every check (step by step, in a lab with steps).
  const solver = await createLearner(options.db, `${lab.id}-solution`);
  if (lab.steps.length) {
    const started = await startLabSandbox(options, lab, solver);
    if (started.sandbox) namespaces.push(started.sandbox.namespace);
    verdict.problems.push(...started.problems.map((p) => `solution: ${p}`));
    if (started.problems.length === 0) {
      const walked = await walkSteps(options, lab, solver, started.sandbox, lab.steps.length);
      verdict.passed = walked.passed;
      verdict.problems.push(...walked.problems.map((p) => `solution: ${p}`));
    }
  } else {
    const solution = await prepare(options, lab, solver, solutionFiles(lab), { save: true, rolloutTimeoutMs: options.rolloutTimeoutMs ?? 60_000, applyMustSucceed: true });
    if (solution.namespace) namespaces.push(solution.namespace);
    verdict.problems.push(...solution.problems.map((p) => `solution: ${p}`));
    if (solution.problems.length === 0) {
      const graded = await grade(options, lab, solver);
      if (!graded.ok) verdict.problems.push(`solution: grading refused: ${graded.error}`);
      else {
        verdict.passed = graded.attempt.results.filter((r) => r.status === "pass").length;
        verdict.problems.push(...failures(graded.attempt).map((f) => `solution: ${f}`));
        log(`${lab.id}: solution ${verdict.passed}/${lab.checks.length} checks pass (${graded.attempt.durationMs} ms)`);
      }
    }
  }

  // Starter: must not complete the lab (with steps: not even its first step).
  const starter = await createLearner(options.db, `${lab.id}-starter`);
  const prepared = await prepare(options, lab, starter, starterFiles(lab), { save: false, rolloutTimeoutMs: 0, applyMustSucceed: false });
  if (prepared.namespace) namespaces.push(prepared.namespace);
  verdict.problems.push(...prepared.problems.map((p) => `starter: ${p}`));
  const graded = await grade(options, lab, starter);
  if (!graded.ok) verdict.problems.push(`starter: grading refused: ${graded.error}`);
  else {
    const failing = graded.attempt.results.filter((r) => r.status !== "pass").map((r) => r.id);
    if (graded.attempt.completed) verdict.problems.push("starter: the starter files already complete the lab");
    else if (graded.attempt.completedSteps.length) verdict.problems.push(`starter: the starter files already complete step ${graded.attempt.completedSteps.join(", ")}`);
    log(`${lab.id}: starter fails ${failing.length}/${graded.attempt.results.length} checks${lab.steps.length ? ` of step ${graded.attempt.step}` : ""} (${failing.join(", ")})`);
  }

  // Fixtures: each wrong submission must fail the checks it names. One that needs pods that
  // really run is skipped without a real node, and in a lab whose sandbox pods are simulated
  // (KWOK marks them Running whatever they do).
  const noRealNode = !(options.realNode ?? (await hasRealNode(options.cluster)))
    ? "needs a real node (pods that really run), and the cluster has none"
    : lab.sandbox && lab.workloads !== "real"
      ? "needs pods that really run, and this lab's sandbox pods are simulated (lab.mdx says `workloads: simulated`)"
      : null;
  const fixtures = labFixtures(lab);
  // Fewer at once where pods really run: the real node's CPUs are the machine's.
  const concurrency = options.fixtureConcurrency ?? (lab.workloads === "real" ? 2 : 3);
  const results = await inBatches(fixtures, concurrency, (fixture) => verifyFixture(options, lab, fixture, noRealNode));
  for (const result of results) {
    verdict.fixtures.push(result.verdict);
    verdict.problems.push(...result.problems);
    namespaces.push(...result.namespaces);
  }
  return { verdict, namespaces };
}

/** Runs `work` on every item, at most `limit` at a time, keeping the order of the results. */
async function inBatches<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/**
 * Grades one fixture as a fresh learner's submission; the problems name the lab, the fixture and
 * the check. `noRealNode` says why pods would not really run here (null: they would).
 */
export async function verifyFixture(
  options: VerifyOptions,
  lab: Lab,
  fixture: LabFixture,
  noRealNode: string | null,
): Promise<{ verdict: FixtureVerdict; problems: string[]; namespaces: string[] }> {
  const log = options.log ?? (() => {});
  const verdict: FixtureVerdict = { name: fixture.name, description: fixture.description, skipped: null, failedAsExpected: false, failing: [] };
  const where = `fixture ${lab.id}/${fixture.name}`;
  if (fixture.needs === "real-node" && noRealNode !== null) {
    verdict.skipped = noRealNode;
    log(`${where} SKIPPED: ${verdict.skipped} (${fixture.description})`);
    return { verdict, problems: [], namespaces: [] };
  }
  const learner = await createLearner(options.db, `${lab.id}-${fixture.name}`);
  const how = { save: true, rolloutTimeoutMs: options.fixtureRolloutTimeoutMs ?? 20_000, applyMustSucceed: false, skipApply: fixture.delete, removeObjects: fixture.removeObjects };
  const prepared = fixture.step ? await prepareAtStep(options, lab, learner, fixture, how) : await prepare(options, lab, learner, fixtureFiles(lab, fixture), how);
  // The sandbox goes as soon as the fixture is graded: on the real node its pods really run.
  const namespaces = prepared.namespace ? [prepared.namespace] : [];
  if (prepared.problems.length > 0) {
    await removeNamespaces(options.cluster, namespaces);
    return { verdict, problems: prepared.problems.map((p) => `${where}: ${p}`), namespaces };
  }
  // Graded through the learner's path with the checks the fixture names: the others say nothing
  // about it, and behaviour checks on pods that never become ready would only spend their timeouts.
  const named = new Set([...fixture.mustFail, ...fixture.mustPass]);
  const registry = { [lab.id]: lab.checks.filter((c) => named.has(c.id)) };
  const graded = await gradeAttempt(options.db, learner, lab.id, undefined, { cluster: options.cluster ?? undefined, rateLimit: null, registry }).finally(() =>
    removeNamespaces(options.cluster, namespaces),
  );
  if (!graded.ok) return { verdict, problems: [`${where}: grading refused: ${graded.error}`], namespaces };
  const problems: string[] = [];
  const byId = new Map(graded.attempt.results.map((r) => [r.id, r]));
  for (const id of fixture.mustFail) {
    const result = byId.get(id);
    if (!result) problems.push(`${where}: check ${id} did not run`);
    else if (result.status === "pass") problems.push(`${where}: check ${id} PASSED, but must fail on "${fixture.description}" — ${result.message}`);
    else if (result.status === "error") problems.push(`${where}: check ${id} must fail, but it could not run (check error) — ${result.message}`);
  }
  for (const id of fixture.mustPass) {
    const result = byId.get(id);
    if (result?.status !== "pass") problems.push(`${where}: check ${id} must pass, but ${result ? `${result.status}s — ${result.message}` : "did not run"}`);
  }
  verdict.failing = graded.attempt.results.filter((r) => r.status !== "pass").map((r) => r.id);
  verdict.failedAsExpected = problems.length === 0;
  log(`${where} ${verdict.failedAsExpected ? "fails as expected" : "DOES NOT fail as expected"}: fails ${verdict.failing.join(", ") || "nothing"} (${graded.attempt.durationMs} ms)`);
  return { verdict, problems, namespaces };
}

/**
 * A fixture of a lab with steps: a fresh learner's sandbox, the steps before the fixture's
 * completed with their solutions, then the fixture submitted at its step (its files applied, then
 * its objects deleted, as a learner at that step would).
 */
async function prepareAtStep(options: VerifyOptions, lab: Lab, learner: { id: string }, fixture: LabFixture, how: SubmitOptions): Promise<Prepared> {
  const started = await startLabSandbox(options, lab, learner);
  if (started.problems.length) return { namespace: null, problems: started.problems };
  const namespace = started.sandbox?.namespace ?? null;
  const before = lab.steps.findIndex((s) => s.id === fixture.step);
  const walked = await walkSteps(options, lab, learner, started.sandbox, before);
  if (walked.problems.length) return { namespace, problems: walked.problems.map((p) => `reaching step ${fixture.step}: ${p}`) };
  return { namespace, problems: await submit(options, lab, learner, started.sandbox, fixtureFiles(lab, fixture), { ...how, removeAfterApply: true }) };
}

/** Namespaces deleted (not waited for); one already gone is fine. */
async function removeNamespaces(cluster: KubeClient | null | undefined, names: readonly string[]): Promise<void> {
  if (!cluster) return;
  await Promise.all(names.map((name) => cluster.remove({ apiVersion: "v1", kind: "Namespace", name }).catch(() => false)));
}

/** Verifies the labs (all by default); each lab's namespaces are deleted when it is done. */
export async function verifyLabs(options: VerifyOptions): Promise<{ verdicts: LabVerdict[]; summary: VerifySummary }> {
  const labs = listLabs().filter((lab) => !options.labIds || options.labIds.includes(lab.id));
  const verdicts: LabVerdict[] = [];
  try {
    for (const lab of labs) {
      try {
        const result = await verifyLab(options, lab);
        verdicts.push(result.verdict);
        // Gone before the next lab starts: on the real node, pods left running slow down the rest.
        await removeNamespaces(options.cluster, result.namespaces);
      } catch (error) {
        verdicts.push({ labId: lab.id, checks: lab.checks.length, passed: 0, problems: [`verification crashed: ${error instanceof Error ? error.stack : String(error)}`], fixtures: [] });
      }
    }
  } finally {
    // A self-test installation ends with the run: whatever it left (a lab that crashed half-way)
    // and its cluster-wide admission policies go too.
    if (options.cluster && options.installation) await uninstall(options.cluster, options.installation).catch(() => undefined);
  }
  const checks = verdicts.reduce((sum, v) => sum + v.checks, 0);
  const passed = verdicts.reduce((sum, v) => sum + v.passed, 0);
  const failed = verdicts.reduce((sum, v) => sum + (v.checks - v.passed), 0) + verdicts.filter((v) => v.problems.some((p) => p.startsWith("starter:"))).length;
  const fixtures = verdicts.flatMap((v) => v.fixtures.map((f) => ({ lab: v.labId, ...f })));
  const ran = fixtures.filter((f) => f.skipped === null);
  return {
    verdicts,
    summary: {
      labs: verdicts.length,
      checks,
      passed,
      failed,
      fixtures: ran.length,
      fixturesFailedAsExpected: ran.filter((f) => f.failedAsExpected).length,
      fixturesSkipped: fixtures.length - ran.length,
      skipped: fixtures.filter((f) => f.skipped !== null).map((f) => `${f.lab}/${f.name}`),
    },
  };
}
