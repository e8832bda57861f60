// Organisations, their scoping and the builder's versions, on both databases.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { eq } from "drizzle-orm";
import { ForbiddenError } from "@/lib/auth/authorize";
import type { DatabaseHandle } from "@/lib/db/client";
import { assessmentInvites, assessments, assessmentVersions, users } from "@/lib/db/schema";
import { getLab } from "@/lib/labs/registry";
import { DATABASE_KINDS, openTestDatabase } from "@/tests/support/databases";
import { assessmentLabOptions, createAssessment, getAssessment, listAssessments, updateAssessment } from "./assessments";
import { createInvites } from "./invites";
import {
  addColleague,
  addOrganisationMember,
  createOrganisation,
  getOrganisation,
  listColleagues,
  listOrganisations,
  removeOrganisationMember,
  reviewerScope,
} from "./organisations";
import { builderInput, createOrganisationWithReviewer, createUser, TWO_LABS } from "./test-helpers";

describe.each(DATABASE_KINDS)("organisations and assessments on %s", (kind) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await handle?.close();
  });

  test("an admin creates an organisation and assigns reviewers; others may not", async () => {
    const db = handle.db;
    const admin = await createUser(db, "admin");
    const learner = await createUser(db, "learner");
    const reviewer = await createUser(db, "reviewer");
    await expect(createOrganisation(db, reviewer, { name: "Acme" })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(listOrganisations(db, null)).rejects.toBeInstanceOf(ForbiddenError);
    expect(await createOrganisation(db, admin, { name: "  " })).toMatchObject({ ok: false, code: "invalid-input", error: expect.stringContaining("must not be empty") });

    const created = await createOrganisation(db, admin, { name: "Acme Hiring" });
    if (!created.ok) throw new Error(created.error);
    const org = created.organisation;
    expect(await addOrganisationMember(db, admin, org.id, learner.email.toUpperCase())).toMatchObject({ ok: true, promoted: true, member: { role: "reviewer" } });
    const [row] = await db.select({ role: users.role }).from(users).where(eq(users.id, learner.id));
    expect(row?.role).toBe("reviewer");
    expect(await addOrganisationMember(db, admin, org.id, reviewer.email)).toMatchObject({ ok: true, promoted: false });
    expect(await addOrganisationMember(db, admin, org.id, reviewer.email)).toMatchObject({ ok: false, code: "already-member" });
    expect(await addOrganisationMember(db, admin, org.id, "nobody@example.com")).toMatchObject({ ok: false, code: "not-found", error: expect.stringContaining("sign up first") });
    expect(await addOrganisationMember(db, admin, "no-such-org", reviewer.email)).toMatchObject({ ok: false, code: "not-found" });

    const listed = (await listOrganisations(db, admin)).find((o) => o.id === org.id);
    expect(listed).toMatchObject({ name: "Acme Hiring", members: 2 });
    const detail = await getOrganisation(db, admin, org.id);
    expect(detail?.members.map((m) => m.userId).sort()).toEqual([learner.id, reviewer.id].sort());

    expect(await removeOrganisationMember(db, admin, org.id, reviewer.id)).toEqual({ ok: true });
    expect(await removeOrganisationMember(db, admin, org.id, reviewer.id)).toMatchObject({ ok: false, code: "not-found" });
    expect(await reviewerScope(db, reviewer)).toMatchObject({ ok: false, code: "no-organisation" });
  });

  test("a reviewer adds a colleague into their own organisation; one organisation per reviewer; instructors are left to admins", async () => {
    const db = handle.db;
    const a = await createOrganisationWithReviewer(db);
    const b = await createOrganisationWithReviewer(db);
    const colleague = await createUser(db, "learner");
    const instructor = await createUser(db, "instructor");
    const outsider = await createUser(db, "learner");

    expect(await addColleague(db, a.reviewer, colleague.email)).toMatchObject({ ok: true, promoted: true });
    expect(await addColleague(db, a.reviewer, b.reviewer.email)).toMatchObject({ ok: false, code: "other-organisation" });
    expect(await addColleague(db, a.reviewer, instructor.email)).toMatchObject({ ok: false, code: "role-conflict" });
    expect(await addColleague(db, a.reviewer, "not an email")).toMatchObject({ ok: false, code: "invalid-input" });
    await expect(addColleague(db, outsider, colleague.email)).rejects.toBeInstanceOf(ForbiddenError);

    const colleagues = await listColleagues(db, { id: colleague.id, role: "reviewer" });
    if (!colleagues.ok) throw new Error(colleagues.error);
    expect(colleagues.organisation.id).toBe(a.organisationId);
    expect(colleagues.members.map((m) => m.email).sort()).toEqual([a.reviewer.email, colleague.email].sort());
  });

  test("the builder stores a snapshot of each lab from the catalogue, in order, and validates every field", async () => {
    const db = handle.db;
    const { reviewer } = await createOrganisationWithReviewer(db);
    expect(assessmentLabOptions().map((l) => l.id)).toEqual(expect.arrayContaining([...TWO_LABS]));

    const created = await createAssessment(db, reviewer, builderInput());
    if (!created.ok) throw new Error(created.error);
    expect(created.change).toBe("created");
    const lab = getLab(TWO_LABS[0])!;
    expect(created.assessment.current).toMatchObject({ number: 1 });
    expect(created.assessment.current.settings.labs).toEqual([
      { labId: TWO_LABS[0], weight: 2, title: lab.title, minutes: lab.minutes, points: lab.totalPoints },
      expect.objectContaining({ labId: TWO_LABS[1], weight: 1 }),
    ]);
    expect(created.assessment.current.settings).toMatchObject({ showResults: true, showHints: false, inviteValidityDays: 7 });

    const bad = await createAssessment(
      db,
      reviewer,
      builderInput({
        title: "",
        labs: [
          { labId: TWO_LABS[0], weight: 0 },
          { labId: TWO_LABS[0], weight: 1 },
        ],
        timeLimitMinutes: 2,
        passMarkPercent: 101,
        inviteValidityDays: "x" as unknown as number,
      }),
    );
    expect(bad).toMatchObject({
      ok: false,
      code: "invalid-input",
      fieldErrors: {
        title: expect.stringContaining("must not be empty"),
        "labs.0.weight": "The weight must be at least 1.",
        "labs.1.labId": expect.stringContaining("already lab 1"),
        timeLimitMinutes: "The time limit must be at least 5.",
        passMarkPercent: "The pass mark must be at most 100.",
        inviteValidityDays: "Invite validity must be a number.",
      },
    });
    expect(await createAssessment(db, reviewer, builderInput({ labs: [] }))).toMatchObject({ fieldErrors: { labs: "Add at least one lab." } });
    expect(await createAssessment(db, reviewer, builderInput({ labs: [{ labId: "no-such-lab", weight: 1 }] }))).toMatchObject({
      fieldErrors: { "labs.0.labId": expect.stringContaining('no lab "no-such-lab"') },
    });
    expect(await createAssessment(db, reviewer, builderInput({ title: "two\nlines" }))).toMatchObject({ fieldErrors: { title: "The title must be one line of text." } });
  });

  test("editing without candidates changes the version in place; with candidates it makes a new one; the old stays as it was", async () => {
    const db = handle.db;
    const { reviewer } = await createOrganisationWithReviewer(db);
    const created = await createAssessment(db, reviewer, builderInput());
    if (!created.ok) throw new Error(created.error);
    const id = created.assessment.id;

    const inPlace = await updateAssessment(db, reviewer, id, builderInput({ title: "Renamed" }));
    expect(inPlace).toMatchObject({ ok: true, change: "updated", assessment: { title: "Renamed", versions: 1, current: { number: 1 } } });
    expect(await updateAssessment(db, reviewer, id, builderInput({ title: "Renamed" }))).toMatchObject({ ok: true, change: "unchanged" });

    const invited = await createInvites(db, reviewer, id, [{ name: "Ada", email: "ada@example.com" }]);
    expect(invited).toMatchObject({ ok: true, versionNumber: 1 });

    const edited = await updateAssessment(db, reviewer, id, builderInput({ title: "Renamed", timeLimitMinutes: 120, labs: [{ labId: TWO_LABS[1], weight: 1 }] }));
    expect(edited).toMatchObject({ ok: true, change: "new-version", assessment: { versions: 2, candidates: 1, current: { number: 2 } } });
    // Version 2 has nobody yet: the next edit changes it in place.
    expect(await updateAssessment(db, reviewer, id, builderInput({ title: "Renamed", timeLimitMinutes: 100 }))).toMatchObject({ change: "updated", assessment: { versions: 2 } });

    const versions = await db.select().from(assessmentVersions).where(eq(assessmentVersions.assessmentId, id)).orderBy(assessmentVersions.number);
    expect(versions.map((v) => [v.number, v.settings.timeLimitMinutes, v.settings.labs.length])).toEqual([
      [1, 90, 2],
      [2, 100, 2],
    ]);
    const next = await createInvites(db, reviewer, id, [{ name: "Bob", email: "bob@example.com" }]);
    expect(next).toMatchObject({ ok: true, versionNumber: 2 });
  });

  test("a reviewer sees only their organisation's assessments: other ids are not found, a learner is forbidden", async () => {
    const db = handle.db;
    const a = await createOrganisationWithReviewer(db);
    const b = await createOrganisationWithReviewer(db);
    const learner = await createUser(db, "learner");
    const lonely = await createUser(db, "reviewer");
    const ofA = await createAssessment(db, a.reviewer, builderInput({ title: "A's" }));
    if (!ofA.ok) throw new Error(ofA.error);

    expect(await getAssessment(db, a.reviewer, ofA.assessment.id)).toMatchObject({ ok: true, assessment: { title: "A's" } });
    expect(await getAssessment(db, b.reviewer, ofA.assessment.id)).toMatchObject({ ok: false, code: "not-found" });
    expect(await updateAssessment(db, b.reviewer, ofA.assessment.id, builderInput({ title: "hijacked" }))).toMatchObject({ ok: false, code: "not-found" });
    expect(await createInvites(db, b.reviewer, ofA.assessment.id, [{ name: "X", email: "x@example.com" }])).toMatchObject({ ok: false, code: "not-found" });
    await expect(getAssessment(db, learner, ofA.assessment.id)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(listAssessments(db, learner)).rejects.toBeInstanceOf(ForbiddenError);
    expect(await listAssessments(db, lonely)).toMatchObject({ ok: false, code: "no-organisation" });

    const listA = await listAssessments(db, a.reviewer);
    const listB = await listAssessments(db, b.reviewer);
    if (!listA.ok || !listB.ok) throw new Error("list failed");
    expect(listA.assessments.map((x) => x.title)).toEqual(["A's"]);
    expect(listB.assessments).toEqual([]);
    expect((await getAssessment(db, a.reviewer, ofA.assessment.id)).ok).toBe(true);
  });
});

// PGlite runs one transaction at a time, so the race exists only on PostgreSQL; this runs there.
describe("versions and invites at the same moment on postgres", () => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await openTestDatabase("postgres");
  });
  afterAll(async () => {
    await handle?.close();
  });

  test("a save waits for an invite being made, then sees it and makes a new version instead of changing the invited one", { timeout: 30_000 }, async () => {
    const db = handle.db;
    const { reviewer } = await createOrganisationWithReviewer(db);
    const created = await createAssessment(db, reviewer, builderInput({ title: "Before" }));
    if (!created.ok) throw new Error(created.error);
    const id = created.assessment.id;
    let save: ReturnType<typeof updateAssessment> | undefined;
    let settled = false;
    // Hold the lock an invite batch takes, and start a save while it is held.
    await db.transaction(async (tx) => {
      await tx.select().from(assessments).where(eq(assessments.id, id)).for("update");
      save = updateAssessment(db, reviewer, id, builderInput({ title: "After" }));
      void save.then(() => (settled = true));
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(settled).toBe(false);
      await tx.insert(assessmentInvites).values({
        id: randomUUID(),
        assessmentId: id,
        versionId: created.assessment.current.id,
        name: "Ada",
        email: "ada@example.com",
        tokenHash: randomUUID(),
        expiresAt: new Date(Date.now() + 86_400_000),
      });
    });
    expect(await save).toMatchObject({ ok: true, change: "new-version", assessment: { current: { number: 2 } } });
    const [v1] = await db.select().from(assessmentVersions).where(eq(assessmentVersions.id, created.assessment.current.id));
    expect(v1?.settings.title).toBe("Before");
  });
});
