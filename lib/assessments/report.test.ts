// The candidate report on both databases: a candidate simulated as part 4 will make one (a hidden
// user named by the invite, files saved through lib/labs/files.ts, attempts graded for real on
// labs that need no sandbox), read back by a reviewer: weighted scores and pass or fail, the
// grader's reasons, every revision and its text on demand, the time estimate, the version taken,
// what the browser recorded (time per lab, pastes, times away), the attempt chain verified and then NOT verified once a row is altered in the database, and
// scoping (another organisation: not-found; a learner: ForbiddenError).
import fs from "node:fs";
import path from "node:path";
import { randomBytes, randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ForbiddenError } from "@/lib/auth/authorize";
import type { DatabaseHandle } from "@/lib/db/client";
import { assessmentInvites, assessmentVersions, labAttempts, users } from "@/lib/db/schema";
import { keyringOf } from "@/lib/grading/attempt-keys";
import { gradeAttempt } from "@/lib/grading/grader";
import { saveLabFile } from "@/lib/labs/files";
import { recordApply } from "@/lib/workspace/applies";
import { DATABASE_KINDS, openTestDatabase } from "@/tests/support/databases";
import { createAssessment, updateAssessment } from "./assessments";
import { recordCandidateEvents } from "./events";
import { createInvites } from "./invites";
import { candidateRevisionText, getCandidateReport } from "./report";
import { builderInput, createOrganisationWithReviewer, createUser, type TestUser } from "./test-helpers";

const API = "design-the-prediction-api";
const CI = "ci-pipeline-for-a-model";
const DEPLOY = "deploy-the-model";
const key = randomBytes(32);
const keys = keyringOf({ test: key });
const grading = { key, rateLimit: null };
const read = (lab: string, file: string) => fs.readFileSync(path.join(process.cwd(), "labs", lab, file), "utf8");
const MINUTE = 60_000;

// Each test grades several times; beside other test files on 2 cores that takes more than 5 s.
describe.each(DATABASE_KINDS)("candidate report on %s", { timeout: 60_000 }, (kind) => {
  let handle: DatabaseHandle;
  let reviewer: TestUser;
  let assessmentId: string;
  const input = builderInput({
    labs: [
      { labId: API, weight: 2 },
      { labId: CI, weight: 1 },
    ],
    passMarkPercent: 60,
    timeLimitMinutes: 60,
  });

  /** An invite whose candidate started `minutesAgo` minutes ago as a fresh hidden user. */
  async function startedCandidate(name: string, minutesAgo = 30) {
    const invited = await createInvites(handle.db, reviewer, assessmentId, [{ name, email: `${randomUUID()}@example.com` }]);
    if (!invited.ok) throw new Error(invited.error);
    const user = await createUser(handle.db, "learner", `candidate for ${name}`);
    const startedAt = new Date(Date.now() - minutesAgo * MINUTE);
    await handle.db.update(assessmentInvites).set({ candidateUserId: user.id, startedAt, status: "started" }).where(eq(assessmentInvites.id, invited.invites[0]!.id));
    return { inviteId: invited.invites[0]!.id, user, startedAt };
  }
  async function submit(inviteId: string, at = new Date()) {
    await handle.db.update(assessmentInvites).set({ submittedAt: at, status: "submitted" }).where(eq(assessmentInvites.id, inviteId));
  }
  async function save(user: { id: string }, labId: string, file: string, content: string) {
    const saved = await saveLabFile(handle.db, user, { labId, path: file, content });
    if (!saved.ok) throw new Error(saved.error);
    await new Promise((resolve) => setTimeout(resolve, 2)); // distinct timestamps, as a person's saves have
  }
  async function grade(user: { id: string }, labId: string) {
    const graded = await gradeAttempt(handle.db, user, labId, undefined, grading);
    if (!graded.ok) throw new Error(graded.error);
    return graded.attempt;
  }

  beforeAll(async () => {
    handle = await openTestDatabase(kind);
    ({ reviewer } = await createOrganisationWithReviewer(handle.db));
    const created = await createAssessment(handle.db, reviewer, input);
    if (!created.ok) throw new Error(created.error);
    assessmentId = created.assessment.id;
  });
  afterAll(async () => {
    await handle?.close();
  });

  test("scores: each lab's last attempt over its points, weighted by the version; pass or fail against the pass mark; the grader's reasons", async () => {
    const { inviteId, user } = await startedCandidate("Ada");
    await grade(user, API); // the starter: a low score first
    await save(user, API, "openapi.yaml", read(API, "solution/openapi.yaml"));
    const api = await grade(user, API);
    const ci = await grade(user, CI); // the empty workflow: fails
    await submit(inviteId);

    const result = await getCandidateReport(handle.db, reviewer, assessmentId, inviteId, { keys });
    if (!result.ok) throw new Error(result.error);
    const { report } = result;
    expect(report).toMatchObject({ name: "Ada", status: "submitted", version: { number: 1, currentNumber: 1, passMarkPercent: 60, timeLimitMinutes: 60 } });
    const [apiLab, ciLab] = report.labs;
    expect(apiLab).toMatchObject({ labId: API, weight: 2, score: { earned: api.score, max: api.maxScore, percent: 100 } });
    expect(apiLab!.attempts.map((a) => a.seq)).toEqual([1, 2]);
    expect(apiLab!.attempts[0]!.percent).toBeLessThan(100);
    expect(ciLab).toMatchObject({ labId: CI, weight: 1, score: { earned: ci.score, max: ci.maxScore } });
    const expected = ((2 * api.score) / api.maxScore + ci.score / ci.maxScore) / 3 * 100;
    expect(report.percent).toBeCloseTo(expected, 6);
    expect(report.passed).toBe(expected >= 60);
    // The grader's reasons for the last attempt, check by check.
    expect(ciLab!.checks).toHaveLength(ci.results.length);
    const failed = ciLab!.checks.find((c) => c.status !== "pass")!;
    expect(failed.message).toBe(ci.results.find((r) => r.id === failed.id)!.message);
    expect(failed.message.length).toBeGreaterThan(0);
    expect(apiLab!.checks.every((c) => c.status === "pass" && c.earned === c.points)).toBe(true);
    // Final files against the starter.
    expect(apiLab!.files).toEqual([expect.objectContaining({ path: "openapi.yaml", changed: true, final: read(API, "solution/openapi.yaml"), starter: read(API, "starter/openapi.yaml"), revision: 1 })]);
    expect(ciLab!.files).toEqual([expect.objectContaining({ path: ".github/workflows/ci.yml", changed: false, revision: 0 })]);
    expect(apiLab!.integrity).toEqual({ verified: true, attempts: 2, reason: null });
  });

  test("a candidate who reaches the pass mark passes, one below it fails", async () => {
    const good = await startedCandidate("Grace");
    await save(good.user, API, "openapi.yaml", read(API, "solution/openapi.yaml"));
    const api = await grade(good.user, API);
    await submit(good.inviteId);
    const report = await getCandidateReport(handle.db, reviewer, assessmentId, good.inviteId, { keys });
    if (!report.ok) throw new Error(report.error);
    // Weight 2 of 3 at 100 %, the other lab never checked (0): 66.7 %.
    expect(api.score).toBe(api.maxScore);
    expect(report.report.percent).toBeCloseTo(200 / 3, 6);
    expect(report.report.passed).toBe(true);
    expect(report.report.labs[1]).toMatchObject({ score: null, checks: [], attempts: [] });

    const weak = await startedCandidate("Linus");
    await grade(weak.user, CI);
    await submit(weak.inviteId);
    const failed = await getCandidateReport(handle.db, reviewer, assessmentId, weak.inviteId, { keys });
    if (!failed.ok) throw new Error(failed.error);
    expect(failed.report.percent).toBeLessThan(60);
    expect(failed.report.passed).toBe(false);
  });

  test("every revision is listed (more than a learner keeps), each text loads on demand with the text before it; time per lab is estimated within the session", async () => {
    const { inviteId, user, startedAt } = await startedCandidate("Barbara", 40);
    const texts = Array.from({ length: 25 }, (_, i) => `# draft ${i + 1}\nopenapi: 3.0.3\n`);
    for (const text of texts) await save(user, API, "openapi.yaml", text);
    await save(user, CI, ".github/workflows/ci.yml", "name: ci\n");
    await grade(user, CI);
    const submittedAt = new Date();
    await submit(inviteId, submittedAt);

    const result = await getCandidateReport(handle.db, reviewer, assessmentId, inviteId, { keys });
    if (!result.ok) throw new Error(result.error);
    const [apiLab, ciLab] = result.report.labs;
    expect(apiLab!.revisions.map((r) => r.revision)).toEqual(texts.map((_, i) => i + 1));
    expect(apiLab!.revisions[0]).toMatchObject({ path: "openapi.yaml", source: "save", bytes: Buffer.byteLength(texts[0]!) });
    expect(ciLab!.revisions).toHaveLength(1);

    const first = await candidateRevisionText(handle.db, reviewer, { assessmentId, inviteId, labId: API, path: "openapi.yaml", revision: 1 });
    expect(first).toMatchObject({ ok: true, revision: { content: texts[0], previous: read(API, "starter/openapi.yaml") } });
    const fifth = await candidateRevisionText(handle.db, reviewer, { assessmentId, inviteId, labId: API, path: "openapi.yaml", revision: 5 });
    expect(fifth).toMatchObject({ ok: true, revision: { content: texts[4], previous: texts[3] } });
    expect(await candidateRevisionText(handle.db, reviewer, { assessmentId, inviteId, labId: API, path: "openapi.yaml", revision: 26 })).toMatchObject({ ok: false, code: "not-found" });
    expect(await candidateRevisionText(handle.db, reviewer, { assessmentId, inviteId, labId: API, path: "openapi.yaml", revision: "1; drop" })).toMatchObject({ ok: false, code: "invalid-input" });
    // A lab that is not in this candidate's version.
    expect(await candidateRevisionText(handle.db, reviewer, { assessmentId, inviteId, labId: "deploy-the-model", path: "k8s/service.yaml", revision: 1 })).toMatchObject({ ok: false, code: "not-found" });

    // The estimate shares out the time from Start to submission: all of it, most of it to the lab worked on first.
    expect(apiLab!.estimatedMs + ciLab!.estimatedMs).toBe(submittedAt.getTime() - startedAt.getTime());
    expect(apiLab!.estimatedMs).toBeGreaterThan(39 * MINUTE);
    expect(ciLab!.estimatedMs).toBeGreaterThan(0);
    // Nothing recorded by the browser: the estimate is what the report has, and it says so.
    expect(result.report.timeRecorded).toBe(false);
    expect([apiLab!.recordedMs, ciLab!.recordedMs]).toEqual([null, null]);
    expect(result.report).toMatchObject({ pastes: [], away: [] });
  });

  test("what the browser recorded: time per lab from the heartbeats, and the pastes and times away for the integrity panel", async () => {
    const { inviteId, user, startedAt } = await startedCandidate("Barbara", 30);
    // As Start makes it: a candidate's hidden user with a deadline, so the recorder's gate lets it in.
    await handle.db.update(users).set({ role: "candidate" }).where(eq(users.id, user.id));
    await handle.db.update(assessmentInvites).set({ deadlineAt: new Date(startedAt.getTime() + 60 * MINUTE) }).where(eq(assessmentInvites.id, inviteId));
    const t = (minutes: number) => new Date(startedAt.getTime() + minutes * MINUTE);
    const record = async (labId: string | null, events: unknown[], at: Date) => {
      const recorded = await recordCandidateEvents(handle.db, user, { labId, events }, at);
      if (!recorded.ok) throw new Error(recorded.error);
    };
    await record(API, [{ kind: "active", ms: 60_000 }], t(1));
    await record(API, [{ kind: "paste", chars: 1200, path: "openapi.yaml" }], t(2));
    await record(API, [{ kind: "active", ms: 45_000 }, { kind: "focus-lost" }], t(3));
    await record(API, [{ kind: "focus-back" }], t(7));
    await record(CI, [{ kind: "active", ms: 30_000 }], t(8));
    await record(null, [{ kind: "focus-lost" }], t(9));
    await submit(inviteId, t(10));

    const result = await getCandidateReport(handle.db, reviewer, assessmentId, inviteId, { keys });
    if (!result.ok) throw new Error(result.error);
    const { report } = result;
    expect(report.timeRecorded).toBe(true);
    expect(report.labs.map((l) => [l.labId, l.recordedMs])).toEqual([
      [API, 105_000],
      [CI, 30_000],
    ]);
    expect(report.pastes).toEqual([{ at: t(2), chars: 1200, path: "openapi.yaml", labId: API, labTitle: report.labs[0]!.title }]);
    expect(report.away).toEqual([
      { at: t(3), labId: API, labTitle: report.labs[0]!.title, awayMs: 4 * MINUTE },
      { at: t(9), labId: null, labTitle: null, awayMs: null },
    ]);

    // A reset and a new Start: the earlier session's events stay under the invite but are not this session's.
    await handle.db.update(assessmentInvites).set({ startedAt: t(20), submittedAt: t(25) }).where(eq(assessmentInvites.id, inviteId));
    const restarted = await getCandidateReport(handle.db, reviewer, assessmentId, inviteId, { keys });
    expect(restarted.ok && [restarted.report.timeRecorded, restarted.report.pastes, restarted.report.away]).toEqual([false, [], []]);
  });

  test("a sandbox lab's applies: each with what the cluster accepted and refused, oldest first; labs without a sandbox have none", async () => {
    const created = await createAssessment(handle.db, reviewer, builderInput({ labs: [{ labId: DEPLOY, weight: 1 }, { labId: CI, weight: 1 }] }));
    if (!created.ok) throw new Error(created.error);
    const invited = await createInvites(handle.db, reviewer, created.assessment.id, [{ name: "Dora", email: `${randomUUID()}@example.com` }]);
    if (!invited.ok) throw new Error(invited.error);
    const inviteId = invited.invites[0]!.id;
    const user = await createUser(handle.db, "learner", "candidate for Dora");
    const startedAt = new Date(Date.now() - 20 * MINUTE);
    await handle.db.update(assessmentInvites).set({ candidateUserId: user.id, startedAt, status: "started" }).where(eq(assessmentInvites.id, inviteId));
    const at = (minutes: number) => new Date(startedAt.getTime() + minutes * MINUTE);
    const object = (kind: string, name: string) => ({ document: 1, line: 1, kind, name });
    await recordApply(handle.db, {
      userId: user.id,
      labId: DEPLOY,
      at: at(3),
      durationMs: 900,
      files: [
        { path: "k8s/deployment.yaml", text: "a", results: [{ ...object("Deployment", "model-server"), outcome: "rejected", error: "ManifestRejected", message: "runAsNonRoot is required" }] },
        { path: "k8s/service.yaml", text: "b: [", error: "Line 1: not valid YAML" },
      ],
    });
    await recordApply(handle.db, { userId: user.id, labId: DEPLOY, at: at(9), durationMs: 40, files: [], error: "The cluster could not be reached." });
    await recordApply(handle.db, {
      userId: user.id,
      labId: DEPLOY,
      at: at(12),
      durationMs: 700,
      files: [{ path: "k8s/deployment.yaml", text: "c", results: [{ ...object("Deployment", "model-server"), outcome: "applied" }, { ...object("ConfigMap", "model-config"), outcome: "applied" }] }],
    });

    const result = await getCandidateReport(handle.db, reviewer, created.assessment.id, inviteId, { keys });
    if (!result.ok) throw new Error(result.error);
    const [deploy, ci] = result.report.labs;
    expect([deploy!.sandbox, ci!.sandbox, ci!.applies]).toEqual([true, false, []]);
    expect(deploy!.applies).toEqual([
      {
        at: at(3),
        applied: 0,
        rejected: 1,
        failedFiles: [{ path: "k8s/service.yaml", error: "Line 1: not valid YAML" }],
        firstRefusal: "Deployment model-server: runAsNonRoot is required",
        error: null,
      },
      { at: at(9), applied: 0, rejected: 0, failedFiles: [], firstRefusal: null, error: "The cluster could not be reached." },
      { at: at(12), applied: 2, rejected: 0, failedFiles: [], firstRefusal: null, error: null },
    ]);
  });

  test("the attempt chain: verified while untouched, not verified (with the reason) once a row is altered in the database", async () => {
    const { inviteId, user } = await startedCandidate("Edsger");
    await grade(user, API);
    await grade(user, API);
    await grade(user, CI);
    await submit(inviteId);
    const before = await getCandidateReport(handle.db, reviewer, assessmentId, inviteId, { keys });
    if (!before.ok) throw new Error(before.error);
    expect(before.report.labs.map((l) => l.integrity)).toEqual([
      { verified: true, attempts: 2, reason: null },
      { verified: true, attempts: 1, reason: null },
    ]);

    // Someone who owns the database turns the append-only trigger off and raises the first attempt's score.
    await handle.db.execute(sql`alter table lab_attempts disable trigger lab_attempts_append_only`);
    try {
      await handle.db.update(labAttempts).set({ score: 100 }).where(and(eq(labAttempts.userId, user.id), eq(labAttempts.labId, API), eq(labAttempts.seq, 1)));
    } finally {
      await handle.db.execute(sql`alter table lab_attempts enable trigger lab_attempts_append_only`);
    }
    const after = await getCandidateReport(handle.db, reviewer, assessmentId, inviteId, { keys });
    if (!after.ok) throw new Error(after.error);
    expect(after.report.labs[0]!.integrity).toEqual({ verified: false, attempts: 2, reason: "attempt 1: its content does not match its hash (the row was changed)" });
    expect(after.report.labs[1]!.integrity.verified).toBe(true);
    // Verified with other keys than the ones that signed: not verified either.
    const stranger = await getCandidateReport(handle.db, reviewer, assessmentId, inviteId, { keys: keyringOf({ other: randomBytes(32) }) });
    expect(stranger.ok && stranger.report.labs[1]!.integrity).toMatchObject({ verified: false, reason: expect.stringContaining('key "test"') });
  });

  test("an invite not started yet: nothing done, the starter files, no score; the report names the version the candidate took after an edit", async () => {
    const invited = await createInvites(handle.db, reviewer, assessmentId, [{ name: "Unstarted", email: `${randomUUID()}@example.com` }]);
    if (!invited.ok) throw new Error(invited.error);
    const edited = await updateAssessment(handle.db, reviewer, assessmentId, { ...input, passMarkPercent: 80 });
    expect(edited).toMatchObject({ ok: true });
    const result = await getCandidateReport(handle.db, reviewer, assessmentId, invited.invites[0]!.id, { keys });
    if (!result.ok) throw new Error(result.error);
    expect(result.report).toMatchObject({ status: "invited", startedAt: null, deadline: null, percent: 0, passed: false, version: { number: 1, currentNumber: 2, passMarkPercent: 60 } });
    expect(result.report.labs.every((l) => l.score === null && l.revisions.length === 0 && l.estimatedMs === 0 && l.files.every((f) => !f.changed))).toBe(true);
  });

  test("a lab that has left the catalogue since the version was saved is reported as such, without crashing the report", async () => {
    const { inviteId, user } = await startedCandidate("Retired");
    await grade(user, API);
    const [row] = await handle.db.select({ versionId: assessmentInvites.versionId }).from(assessmentInvites).where(eq(assessmentInvites.id, inviteId));
    const [version] = await handle.db.select().from(assessmentVersions).where(eq(assessmentVersions.id, row!.versionId));
    const settings = { ...version!.settings, labs: [...version!.settings.labs, { labId: "retired-lab", weight: 1, title: "A retired lab", minutes: 10, points: 10 }] };
    await handle.db.update(assessmentVersions).set({ settings }).where(eq(assessmentVersions.id, version!.id));
    try {
      const result = await getCandidateReport(handle.db, reviewer, assessmentId, inviteId, { keys });
      if (!result.ok) throw new Error(result.error);
      expect(result.report.labs.map((l) => [l.labId, l.available])).toEqual([[API, true], [CI, true], ["retired-lab", false]]);
      expect(result.report.labs[2]).toMatchObject({ title: "A retired lab", score: null, files: [], revisions: [], integrity: { verified: true, attempts: 0 } });
    } finally {
      await handle.db.update(assessmentVersions).set({ settings: version!.settings }).where(eq(assessmentVersions.id, version!.id));
    }
  });

  test("scoping: another organisation's reviewer gets not-found, a learner ForbiddenError, a wrong assessment not-found", async () => {
    const { inviteId, user } = await startedCandidate("Hidden");
    await save(user, API, "openapi.yaml", "openapi: 3.0.3\n");
    const other = await createOrganisationWithReviewer(handle.db);
    expect(await getCandidateReport(handle.db, other.reviewer, assessmentId, inviteId, { keys })).toMatchObject({ ok: false, code: "not-found" });
    expect(await candidateRevisionText(handle.db, other.reviewer, { assessmentId, inviteId, labId: API, path: "openapi.yaml", revision: 1 })).toMatchObject({ ok: false, code: "not-found" });
    const theirs = await createAssessment(handle.db, other.reviewer, input);
    if (!theirs.ok) throw new Error(theirs.error);
    // Their own assessment id with our invite id: still nothing.
    expect(await getCandidateReport(handle.db, other.reviewer, theirs.assessment.id, inviteId, { keys })).toMatchObject({ ok: false, code: "not-found" });
    expect(await getCandidateReport(handle.db, reviewer, theirs.assessment.id, inviteId, { keys })).toMatchObject({ ok: false, code: "not-found" });

    const learner = await createUser(handle.db, "learner");
    await expect(getCandidateReport(handle.db, learner, assessmentId, inviteId, { keys })).rejects.toThrow(ForbiddenError);
    await expect(candidateRevisionText(handle.db, learner, { assessmentId, inviteId, labId: API, path: "openapi.yaml", revision: 1 })).rejects.toThrow(ForbiddenError);
    // The candidate's own hidden user is a learner too: no reviewer URL works for it.
    await expect(getCandidateReport(handle.db, { id: user.id, role: "learner" }, assessmentId, inviteId, { keys })).rejects.toThrow(ForbiddenError);
  });
});
