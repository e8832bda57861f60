// The candidate's session on both databases: Start makes one hidden user and one clock however
// often it is pressed, binds the link to the browser that pressed it, and the gate then refuses
// every change after the deadline or the submission (nothing stored). Submit grades each lab on
// the frozen files (static labs: no cluster needed), is safe to repeat and to race, and the sweep
// submits whoever runs out of time. Candidates get no password sign-in and no place in user lists.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { DatabaseHandle } from "@/lib/db/client";
import { assessmentInvites, labAttempts, labFiles, users } from "@/lib/db/schema";
import { currentFiles, saveLabFiles } from "@/lib/labs/files";
import { getLab } from "@/lib/labs/registry";
import { changeRole, listUsers, verifyCredentials } from "@/lib/auth/users";
import {
  applyLabFiles,
  beginLabImageBuild,
  beginLabSandboxChange,
  changeLabSandbox,
  checkLab,
  extendLabSandbox,
  labKubeconfig,
  labWorkloads,
  labWorkspace,
  resetWorkspaceFile,
  saveWorkspaceFile,
  syncWorkspaceFiles,
} from "@/lib/workspace";
import { gradeAttempt } from "@/lib/grading/grader";
import { labInsights } from "@/lib/grading/insights";
import { liveSandboxForLab } from "@/lib/sandbox/queries";
import { fakeCluster } from "@/lib/sandbox/test-helpers";
import { labNamespace } from "@/lib/terminal/workspace";
import { appliesOf } from "@/lib/workspace/applies";
import { DATABASE_KINDS, openTestDatabase } from "@/tests/support/databases";
import { createAssessment } from "./assessments";
import { candidateSessionFor, startAssessment, submitAssessment, sweepAssessmentDeadlines } from "./candidate-session";
import { assessmentGate, onDeadlinePassed } from "./gate";
import { inviteCandidate, listInvites, resetInvite, revokeInvite } from "./invites";
import { addColleague } from "./organisations";
import { builderInput, createOrganisationWithReviewer, createUser, type TestUser } from "./test-helpers";
import { tokenFromLink } from "./tokens";

const STATIC_LABS = ["design-the-prediction-api", "containerise-the-model"] as const;
const MINUTE = 60_000;
const key = randomBytes(32);
const deps = { grading: { key } };
const solution = fs.readFileSync(path.join(process.cwd(), "labs", "design-the-prediction-api", "solution/openapi.yaml"), "utf8");

describe.each(DATABASE_KINDS)("the candidate's session on %s", (kind) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await openTestDatabase(kind);
  }, 60_000);
  afterAll(async () => {
    await handle?.close();
  }, 60_000);

  /** An invite to a 30-minute assessment of the two static labs; its token and id. */
  async function invite(reviewer?: TestUser, labs: readonly string[] = STATIC_LABS) {
    const db = handle.db;
    const owner = reviewer ?? (await createOrganisationWithReviewer(db)).reviewer;
    const created = await createAssessment(db, owner, builderInput({ labs: labs.map((labId) => ({ labId, weight: 1 })), timeLimitMinutes: 30 }));
    if (!created.ok) throw new Error(created.error);
    const made = await inviteCandidate(db, owner, created.assessment.id, { name: "Cand Idate", email: `c-${randomBytes(3).toString("hex")}@example.com` });
    if (!made.ok) throw new Error(made.error);
    return { reviewer: owner, token: tokenFromLink(made.invites[0]!.link)!, inviteId: made.invites[0]!.id };
  }

  async function inviteRow(id: string) {
    const [row] = await handle.db.select().from(assessmentInvites).where(eq(assessmentInvites.id, id));
    return row!;
  }

  async function started(now = new Date()) {
    const made = await invite();
    const start = await startAssessment(handle.db, made.token, null, now);
    if (!start.ok) throw new Error(start.error);
    return { ...made, userId: start.userId, secret: start.bindingSecret!, deadlineAt: start.deadlineAt, user: { id: start.userId } };
  }

  test("Start makes one hidden candidate user and fixes the deadline on the server", async () => {
    const { token, inviteId } = await invite();
    const now = new Date();
    const start = await startAssessment(handle.db, token, null, now);
    expect(start).toMatchObject({ ok: true, sessionVersion: 0, deadlineAt: new Date(now.getTime() + 30 * MINUTE), bindingSecret: expect.any(String) });
    if (!start.ok) return;
    const [user] = await handle.db.select().from(users).where(eq(users.id, start.userId));
    expect(user).toMatchObject({ role: "candidate", name: "Cand Idate", passwordHash: null });
    expect(user!.email).toMatch(/@candidates\.invalid$/);
    const row = await inviteRow(inviteId);
    expect(row).toMatchObject({ status: "started", startedAt: now, deadlineAt: start.deadlineAt, candidateUserId: start.userId });
    // Only the secret's hash is stored.
    expect(row.bindingHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(start.bindingSecret!);
  });

  test("Start again in the same browser continues: same user, the clock not restarted", async () => {
    const { token, inviteId } = await invite();
    const first = await startAssessment(handle.db, token, null, new Date(Date.now() - 10 * MINUTE));
    if (!first.ok) throw new Error(first.error);
    const again = await startAssessment(handle.db, token, first.bindingSecret, new Date());
    expect(again).toMatchObject({ ok: true, userId: first.userId, deadlineAt: first.deadlineAt, bindingSecret: null });
    expect((await inviteRow(inviteId)).startedAt).toEqual((await inviteRow(inviteId)).startedAt);
    const candidates = await handle.db.select().from(users).where(eq(users.name, "Cand Idate"));
    expect(candidates.filter((u) => u.id === first.userId)).toHaveLength(1);
  });

  test("a started invite whose hidden user was deleted is never restarted", async () => {
    const { token, inviteId, userId, secret } = await started();
    const before = await inviteRow(inviteId);
    await handle.db.delete(users).where(eq(users.id, userId));
    expect(await startAssessment(handle.db, token, secret)).toMatchObject({ ok: false, code: "closed", error: expect.stringContaining("reset your link") });
    const after = await inviteRow(inviteId);
    expect(after.startedAt).toEqual(before.startedAt);
    expect(after.deadlineAt).toEqual(before.deadlineAt);
  });

  test("two Starts at once (a double click, two tabs) make one user and one clock", async () => {
    const { token, inviteId } = await invite();
    const results = await Promise.all([startAssessment(handle.db, token, null), startAssessment(handle.db, token, null), startAssessment(handle.db, token, null)]);
    const bound = results.filter((r) => r.ok);
    expect(bound).toHaveLength(1);
    // The others carried no binding cookie yet: told it is bound elsewhere (a reload in the same browser continues).
    expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.code)).toEqual(["other-browser", "other-browser"]);
    const row = await inviteRow(inviteId);
    expect(row.candidateUserId).toBe(bound[0]!.ok && bound[0]!.userId);
    const hidden = await handle.db.select().from(users).where(eq(users.role, "candidate"));
    expect(hidden.filter((u) => u.email.includes(row.candidateUserId!))).toHaveLength(1);
  });

  test("another browser (no or a wrong binding cookie) is refused with what to do", async () => {
    const { token, inviteId, userId, secret } = await started();
    for (const presented of [null, "not-the-secret", secret.slice(1)]) {
      expect(await startAssessment(handle.db, token, presented)).toMatchObject({ ok: false, code: "other-browser", error: expect.stringContaining("reset your link") });
    }
    const pages = (binding: string | undefined, signedInUserId: string | null) => candidateSessionFor(handle.db, token, { binding: () => binding, signedInUserId });
    expect(await pages(undefined, null)).toMatchObject({ ok: false, code: "other-browser" });
    expect(await pages("wrong", userId)).toMatchObject({ ok: false, code: "other-browser" });
    expect(await pages(secret, null)).toMatchObject({ ok: false, code: "signed-out" });
    expect(await pages(secret, userId)).toMatchObject({ ok: true, state: "in-progress", session: { inviteId, userId, status: "started" } });
  });

  test("an expired, revoked or reset link cannot start; a reset ends the old browser's session", async () => {
    const expired = await invite();
    const later = new Date(Date.now() + 8 * 24 * 60 * MINUTE);
    expect(await startAssessment(handle.db, expired.token, null, later)).toMatchObject({ ok: false, code: "expired" });

    const revoked = await invite();
    await revokeInvite(handle.db, revoked.reviewer, revoked.inviteId);
    expect(await startAssessment(handle.db, revoked.token, null)).toMatchObject({ ok: false, code: "revoked" });

    const first = await started();
    const [before] = await handle.db.select().from(users).where(eq(users.id, first.userId));
    const reset = await resetInvite(handle.db, first.reviewer, first.inviteId);
    if (!reset.ok) throw new Error(reset.error);
    expect(await startAssessment(handle.db, first.token, first.secret)).toMatchObject({ ok: false, code: "unknown" });
    const [after] = await handle.db.select().from(users).where(eq(users.id, first.userId));
    expect(after!.sessionVersion).toBe(before!.sessionVersion + 1);
    // The old hidden user may change nothing any more; the new link starts afresh in any browser.
    expect(await assessmentGate(handle.db, first.user, STATIC_LABS[0])).toMatchObject({ ok: false, code: "assessment-closed" });
    const again = await startAssessment(handle.db, tokenFromLink(reset.created.link)!, null);
    expect(again).toMatchObject({ ok: true });
    expect(again.ok && again.userId).not.toBe(first.userId);
  });

  test("the gate: learners pass; a candidate only on its own labs, before the deadline", async () => {
    const learner = await createUser(handle.db, "learner");
    expect(await assessmentGate(handle.db, learner, "deploy-the-model")).toEqual({ ok: true });
    const { user, deadlineAt } = await started();
    expect(await assessmentGate(handle.db, user, STATIC_LABS[0])).toEqual({ ok: true });
    expect(await assessmentGate(handle.db, user, "deploy-the-model")).toMatchObject({ ok: false, code: "not-found", error: "This lab is not part of your assessment." });
    const justBefore = new Date(deadlineAt.getTime() - 1);
    expect(await assessmentGate(handle.db, user, STATIC_LABS[0], { now: justBefore })).toEqual({ ok: true });
    expect(await assessmentGate(handle.db, user, STATIC_LABS[0], { now: deadlineAt })).toMatchObject({
      ok: false,
      code: "assessment-closed",
      error: expect.stringContaining("The assessment's time is up"),
    });
  });

  test("a request refused for the deadline asks for the submission at once (the lazy half of the automatic submission)", async () => {
    const asked: string[] = [];
    onDeadlinePassed((inviteId) => asked.push(inviteId));
    try {
      const { user, inviteId, deadlineAt } = await started();
      await assessmentGate(handle.db, user, STATIC_LABS[0], { now: new Date(deadlineAt.getTime() - 1) });
      expect(asked).toEqual([]);
      // A save before the deadline passes and asks nothing.
      expect(await saveWorkspaceFile(handle.db, user, { labId: STATIC_LABS[0], path: "openapi.yaml", content: solution })).toMatchObject({ ok: true });
      await assessmentGate(handle.db, user, STATIC_LABS[0], { now: deadlineAt });
      expect(asked).toEqual([inviteId]);
      await submitAssessment(handle.db, inviteId, { deps });
      await assessmentGate(handle.db, user, STATIC_LABS[0]);
      expect(asked).toEqual([inviteId]);
    } finally {
      onDeadlinePassed(null);
    }
  }, 60_000);

  test("every lab entry point refuses a candidate after the submission, and stores nothing", async () => {
    const { user, inviteId } = await started();
    const lab = STATIC_LABS[0];
    expect(await saveWorkspaceFile(handle.db, user, { labId: lab, path: "openapi.yaml", content: "openapi: 3.1.0\n" })).toMatchObject({ ok: true });
    const submitted = await submitAssessment(handle.db, inviteId, { deps });
    expect(submitted).toMatchObject({ ok: true, already: false });
    const filesBefore = await handle.db.select().from(labFiles).where(eq(labFiles.userId, user.id));
    const attemptsBefore = await handle.db.select().from(labAttempts).where(eq(labAttempts.userId, user.id));
    const closed = { ok: false, code: "assessment-closed", error: expect.stringMatching(/^The assessment's time is up: your work was submitted at /) };

    expect(await saveWorkspaceFile(handle.db, user, { labId: lab, path: "openapi.yaml", content: solution })).toMatchObject(closed);
    expect(await resetWorkspaceFile(handle.db, user, lab, "openapi.yaml")).toMatchObject(closed);
    expect(await checkLab(handle.db, user, lab, undefined, { key, rateLimit: null })).toMatchObject(closed);
    expect(await beginLabImageBuild(handle.db, user, "containerise-the-model")).toMatchObject(closed);
    // The sandbox entry points refuse before looking for a sandbox or a cluster.
    expect(await beginLabSandboxChange(handle.db, user, lab, "start")).toMatchObject(closed);
    expect(await applyLabFiles(handle.db, user, lab)).toMatchObject(closed);
    expect(await labKubeconfig(handle.db, user, lab)).toMatchObject(closed);
    expect(await extendLabSandbox(handle.db, user, lab)).toMatchObject(closed);
    expect(await labWorkloads(handle.db, user, lab)).toMatchObject(closed);
    expect(await labWorkspace(handle.db, user, lab)).toMatchObject(closed);
    expect(await syncWorkspaceFiles(handle.db, user, lab)).toMatchObject(closed);
    expect(await labNamespace(handle.db, user, lab)).toMatchObject(closed);

    expect(await handle.db.select().from(labFiles).where(eq(labFiles.userId, user.id))).toEqual(filesBefore);
    expect(await handle.db.select().from(labAttempts).where(eq(labAttempts.userId, user.id))).toEqual(attemptsBefore);
  }, 60_000);

  test("after the deadline, before any sweep, a save is refused and nothing is stored", async () => {
    const { user } = await started(new Date(Date.now() - 31 * MINUTE));
    const result = await saveWorkspaceFile(handle.db, user, { labId: STATIC_LABS[0], path: "openapi.yaml", content: solution });
    expect(result).toMatchObject({ ok: false, code: "assessment-closed", error: expect.stringContaining("The assessment's time is up (the deadline was") });
    expect(await handle.db.select().from(labFiles).where(eq(labFiles.userId, user.id))).toEqual([]);
  });

  test("Submit grades each lab on the frozen files and records the time; a second submit is answered with the first", async () => {
    const { user, inviteId, token, secret } = await started();
    expect(await saveWorkspaceFile(handle.db, user, { labId: STATIC_LABS[0], path: "openapi.yaml", content: solution })).toMatchObject({ ok: true });
    const now = new Date();
    const result = await submitAssessment(handle.db, inviteId, { now, deps });
    expect(result).toMatchObject({
      ok: true,
      already: false,
      submittedAt: now,
      labs: [
        { labId: STATIC_LABS[0], score: 100, maxScore: 100, error: null, attemptId: expect.any(Number) },
        { labId: STATIC_LABS[1], score: expect.any(Number), error: null },
      ],
    });
    const row = await inviteRow(inviteId);
    expect(row).toMatchObject({ status: "submitted", submittedAt: now, submission: { reason: "candidate" } });
    // The final attempt graded exactly the stored files.
    const [attempt] = await handle.db.select().from(labAttempts).where(eq(labAttempts.id, result.ok ? result.labs[0]!.attemptId! : -1));
    expect(attempt!.userId).toBe(user.id);
    const again = await submitAssessment(handle.db, inviteId, { deps });
    expect(again).toMatchObject({ ok: true, already: true, submittedAt: now });
    expect(await handle.db.select().from(labAttempts).where(eq(labAttempts.userId, user.id))).toHaveLength(2);
    // The link now says it was used.
    expect(await startAssessment(handle.db, token, secret)).toMatchObject({ ok: false, code: "used" });
  }, 60_000);

  test("two submits at once: one grades, the other is told it is in progress or gets the result", async () => {
    const { user, inviteId } = await started();
    const results = await Promise.all([submitAssessment(handle.db, inviteId, { deps }), submitAssessment(handle.db, inviteId, { deps })]);
    const graded = results.filter((r) => r.ok && !r.already);
    expect(graded).toHaveLength(1);
    const other = results.find((r) => r !== graded[0])!;
    expect(other.ok ? other.already : other.code).toBe(other.ok ? true : "in-progress");
    // One final attempt per lab, not two.
    expect(await handle.db.select().from(labAttempts).where(eq(labAttempts.userId, user.id))).toHaveLength(STATIC_LABS.length);
  }, 60_000);

  test("a lab with a sandbox and no cluster: the final grading records why it could not run", async () => {
    const made = await invite(undefined, ["deploy-the-model", "design-the-prediction-api"]);
    const start = await startAssessment(handle.db, made.token, null);
    if (!start.ok) throw new Error(start.error);
    const result = await submitAssessment(handle.db, made.inviteId, { deps });
    expect(result).toMatchObject({
      ok: true,
      labs: [
        { labId: "deploy-the-model", attemptId: null, error: expect.stringMatching(/^The final grading could not run: /) },
        { labId: "design-the-prediction-api", error: null },
      ],
    });
    expect((await inviteRow(made.inviteId)).status).toBe("submitted");
  }, 60_000);

  test("the deadline passing during an apply: the apply admitted before it runs to its end and is recorded, the next is refused, and the submission grades what it left, then stops the sandbox", async () => {
    const lab = "deploy-the-model";
    const made = await invite(undefined, [lab]);
    const start = await startAssessment(handle.db, made.token, null);
    if (!start.ok) throw new Error(start.error);
    const user = { id: start.userId };
    const cluster = fakeCluster();
    // A cluster that takes its time over each object, so the deadline passes in the middle of the apply.
    let deadline = 0;
    const slow: typeof cluster = {
      ...cluster,
      async apply(object) {
        if (Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, deadline - Date.now() + 20));
        return cluster.apply(object);
      },
      impersonate: () => slow,
    };
    const sandboxDeps = { cluster: slow, installation: `unit-deadline-${kind}`, terminationTimeoutMs: 500 };
    const started = await changeLabSandbox(handle.db, user, lab, "start", () => {}, sandboxDeps);
    if (!started.ok || !started.sandbox) throw new Error(started.ok ? "no sandbox" : started.error);
    const solutionFiles = getLab(lab)!.files.filter((f) => f.apply);
    for (const f of solutionFiles) {
      const text = fs.readFileSync(path.join(process.cwd(), "labs", lab, "solution", f.path), "utf8");
      expect(await saveWorkspaceFile(handle.db, user, { labId: lab, path: f.path, content: text })).toMatchObject({ ok: true });
    }

    // The deadline is 300 ms away when the apply is admitted; its objects land after it.
    const deadlineAt = new Date(Date.now() + 300);
    await handle.db.update(assessmentInvites).set({ deadlineAt }).where(eq(assessmentInvites.id, made.inviteId));
    deadline = deadlineAt.getTime();
    const applied = await applyLabFiles(handle.db, user, lab, sandboxDeps);
    expect(Date.now()).toBeGreaterThan(deadlineAt.getTime());
    if (!applied.ok) throw new Error(applied.error);
    expect(applied.files.every((f) => f.ok && f.results.every((r) => r.outcome === "applied"))).toBe(true);
    const namespace = started.sandbox.namespace;
    expect(await cluster.get({ apiVersion: "apps/v1", kind: "Deployment", name: "model-server", namespace })).not.toBeNull();
    expect(await appliesOf(handle.db, user.id, [lab])).toHaveLength(1);

    // After it, the next apply and save are refused in words, and nothing more is recorded.
    expect(await applyLabFiles(handle.db, user, lab, sandboxDeps)).toMatchObject({ ok: false, code: "assessment-closed", error: expect.stringContaining("time is up") });
    expect(await saveWorkspaceFile(handle.db, user, { labId: lab, path: "k8s/service.yaml", content: "late" })).toMatchObject({ ok: false, code: "assessment-closed" });
    expect(await appliesOf(handle.db, user.id, [lab])).toHaveLength(1);

    // The submission grades the sandbox as the admitted apply left it, then stops it.
    const submitted = await submitAssessment(handle.db, made.inviteId, { deps: { grading: { ...deps.grading, cluster: slow }, sandbox: sandboxDeps } });
    if (!submitted.ok) throw new Error(submitted.error);
    expect(submitted).toMatchObject({ submittedAt: deadlineAt, labs: [{ labId: lab, attemptId: expect.any(Number), error: null }] });
    const [attempt] = await handle.db.select().from(labAttempts).where(eq(labAttempts.id, submitted.labs[0]!.attemptId!));
    // The checks that read the applied objects pass (the fake cluster runs no pods, so those that need them do not).
    const status = Object.fromEntries(attempt!.results.map((r) => [r.id, r.status]));
    expect([status["two-replicas"], status["settings-from-configmap"], status["threshold-is-probability"]]).toEqual(["pass", "pass", "pass"]);
    expect(await liveSandboxForLab(handle.db, user, lab)).toBeNull();
    expect(await cluster.get({ apiVersion: "apps/v1", kind: "Deployment", name: "model-server", namespace })).toBeNull();
  }, 60_000);

  test("a reset or a revoke of a started invite stops that session's lab environments at once; during the final grading both are refused", async () => {
    const cluster = fakeCluster();
    const sandboxDeps = { cluster, installation: `unit-release-${kind}`, terminationTimeoutMs: 500 };
    const lab = "deploy-the-model";
    for (const change of ["reset", "revoke"] as const) {
      const made = await invite(undefined, [lab]);
      const start = await startAssessment(handle.db, made.token, null);
      if (!start.ok) throw new Error(start.error);
      const user = { id: start.userId };
      const started = await changeLabSandbox(handle.db, user, lab, "start", () => {}, sandboxDeps);
      if (!started.ok || !started.sandbox) throw new Error(started.ok ? "no sandbox" : started.error);
      expect(await liveSandboxForLab(handle.db, user, lab)).not.toBeNull();
      const result = change === "reset" ? await resetInvite(handle.db, made.reviewer, made.inviteId, new Date(), sandboxDeps) : await revokeInvite(handle.db, made.reviewer, made.inviteId, new Date(), sandboxDeps);
      expect(result).toMatchObject({ ok: true });
      expect(await liveSandboxForLab(handle.db, user, lab)).toBeNull();
      expect([...cluster.objects.values()].filter((o) => o.metadata.namespace === started.sandbox!.namespace)).toEqual([]);
    }

    const grading = await started();
    await handle.db.update(assessmentInvites).set({ status: "grading" }).where(eq(assessmentInvites.id, grading.inviteId));
    const listed = await listInvites(handle.db, grading.reviewer, (await inviteRow(grading.inviteId)).assessmentId);
    expect(listed.ok && listed.invites.find((i) => i.id === grading.inviteId)?.status).toBe("grading");
    for (const refused of [await revokeInvite(handle.db, grading.reviewer, grading.inviteId), await resetInvite(handle.db, grading.reviewer, grading.inviteId)]) {
      expect(refused).toMatchObject({ ok: false, code: "conflict", error: expect.stringContaining("being submitted and graded right now") });
    }
  }, 60_000);

  test("the sweep submits candidates whose time is up, once, dated at their deadline", async () => {
    const late = await started(new Date(Date.now() - 45 * MINUTE));
    const onTime = await started();
    const now = new Date();
    const swept = await sweepAssessmentDeadlines(handle.db, { now, deps });
    expect(swept).toContain(late.inviteId);
    expect(swept).not.toContain(onTime.inviteId);
    expect(await inviteRow(late.inviteId)).toMatchObject({ status: "submitted", submittedAt: late.deadlineAt, submission: { reason: "deadline" } });
    expect((await inviteRow(onTime.inviteId)).status).toBe("started");
    // Two sweeps at once, and again later: nothing is submitted twice.
    const [a, b] = await Promise.all([sweepAssessmentDeadlines(handle.db, { now, deps }), sweepAssessmentDeadlines(handle.db, { now, deps })]);
    expect([...a, ...b]).not.toContain(late.inviteId);
    expect(await handle.db.select().from(labAttempts).where(eq(labAttempts.userId, late.userId))).toHaveLength(STATIC_LABS.length);
  }, 60_000);

  test("a submission abandoned in grading (the process died) is finished by a later sweep", async () => {
    const { inviteId, deadlineAt } = await started(new Date(Date.now() - 31 * MINUTE));
    await handle.db.update(assessmentInvites).set({ status: "grading" }).where(eq(assessmentInvites.id, inviteId));
    expect(await submitAssessment(handle.db, inviteId, { deps })).toMatchObject({ ok: false, code: "in-progress" });
    expect(await sweepAssessmentDeadlines(handle.db, { now: new Date(deadlineAt.getTime() + 10 * MINUTE), deps })).not.toContain(inviteId);
    expect(await sweepAssessmentDeadlines(handle.db, { now: new Date(deadlineAt.getTime() + 31 * MINUTE), deps })).toContain(inviteId);
    expect((await inviteRow(inviteId)).status).toBe("submitted");
  }, 60_000);

  test("a candidate has no password sign-in, no place in the user list and no role an admin can change", async () => {
    const { userId } = await started();
    const [row] = await handle.db.select().from(users).where(eq(users.id, userId));
    expect(await verifyCredentials(handle.db, row!.email, "anything at all")).toBeNull();
    const admin = await createUser(handle.db, "admin");
    const listed = await listUsers(handle.db, { ...admin, createdAt: new Date() });
    expect(listed.map((u) => u.id)).not.toContain(userId);
    expect(await changeRole(handle.db, { ...admin, createdAt: new Date() }, userId, "learner")).toMatchObject({ ok: false });
    const learner = await createUser(handle.db, "learner");
    expect(await changeRole(handle.db, { ...admin, createdAt: new Date() }, learner.id, "candidate")).toMatchObject({ ok: false });
  });

  test("candidates count in no course numbers (instructor insights) and cannot be added as a colleague", async () => {
    const { user, inviteId } = await started();
    await submitAssessment(handle.db, inviteId, { deps });
    expect(await handle.db.select().from(labAttempts).where(eq(labAttempts.userId, user.id))).not.toHaveLength(0);
    const learner = await createUser(handle.db, "learner");
    expect(await gradeAttempt(handle.db, learner, STATIC_LABS[1], undefined, { key, rateLimit: null })).toMatchObject({ ok: true });
    const insights = await labInsights(handle.db, { role: "instructor" }, STATIC_LABS[1]);
    // Every other attempt on this lab in this database is a candidate's final grading.
    expect(insights).toEqual([expect.objectContaining({ labId: STATIC_LABS[1], learners: 1, attempts: 1 })]);

    const [row] = await handle.db.select().from(users).where(eq(users.id, user.id));
    const { reviewer } = await createOrganisationWithReviewer(handle.db);
    expect(await addColleague(handle.db, reviewer, row!.email)).toMatchObject({ ok: false, code: "not-found" });
    const [after] = await handle.db.select().from(users).where(eq(users.id, user.id));
    expect(after!.role).toBe("candidate");
  }, 60_000);

  test("files saved before the deadline are what the final grading reads", async () => {
    const { user, inviteId } = await started();
    const lab = getLab(STATIC_LABS[0])!;
    await saveWorkspaceFile(handle.db, user, { labId: lab.id, path: "openapi.yaml", content: solution });
    const frozen = await currentFiles(handle.db, user.id, lab);
    await submitAssessment(handle.db, inviteId, { deps });
    expect(await saveWorkspaceFile(handle.db, user, { labId: lab.id, path: "openapi.yaml", content: "changed: true\n" })).toMatchObject({ ok: false });
    expect(await currentFiles(handle.db, user.id, lab)).toEqual(frozen);
  }, 60_000);
});

// PGlite runs one transaction at a time, so a save and the submission's claim can overlap only on
// PostgreSQL: there the claim must wait for a save in flight, and the final grading must read it.
describe("a save and the submission at the same moment on postgres", () => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await openTestDatabase("postgres");
  }, 60_000);
  afterAll(async () => {
    await handle?.close();
  });

  test("the claim waits for the save holding the invite row; the final grading grades the saved file", { timeout: 60_000 }, async () => {
    const db = handle.db;
    const { reviewer } = await createOrganisationWithReviewer(db);
    const created = await createAssessment(db, reviewer, builderInput({ labs: [{ labId: STATIC_LABS[0], weight: 1 }], timeLimitMinutes: 30 }));
    if (!created.ok) throw new Error(created.error);
    const made = await inviteCandidate(db, reviewer, created.assessment.id, { name: "Racer", email: "racer@example.com" });
    if (!made.ok) throw new Error(made.error);
    const start = await startAssessment(db, tokenFromLink(made.invites[0]!.link)!, null);
    if (!start.ok) throw new Error(start.error);
    const user = { id: start.userId };
    const inviteId = made.invites[0]!.id;

    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inGuard = new Promise<void>((resolve) => (entered = resolve));
    // A save whose gate (FOR SHARE on the invite) has passed, paused before it writes.
    const save = saveLabFiles(db, user, STATIC_LABS[0], [{ path: "openapi.yaml", content: solution }], {
      guard: async (tx) => {
        const gate = await assessmentGate(tx, user, STATIC_LABS[0], { lock: true });
        entered();
        await held;
        return gate;
      },
    });
    await inGuard;
    let claimed = false;
    const submit = submitAssessment(db, inviteId, { deps });
    void submit.then(() => (claimed = true));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const [during] = await db.select().from(assessmentInvites).where(eq(assessmentInvites.id, inviteId));
    expect(during!.status).toBe("started");
    expect(claimed).toBe(false);
    release();
    expect(await save).toMatchObject({ ok: true, files: [{ changed: true }] });
    expect(await submit).toMatchObject({ ok: true, labs: [{ labId: STATIC_LABS[0], score: 100, maxScore: 100 }] });
    // And a save after the claim is refused.
    expect(await saveWorkspaceFile(db, user, { labId: STATIC_LABS[0], path: "openapi.yaml", content: "late: true\n" })).toMatchObject({ ok: false, code: "assessment-closed" });
  });
});
