import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { DatabaseHandle } from "@/lib/db/client";
import { eq } from "drizzle-orm";
import { createAssessment } from "@/lib/assessments/assessments";
import { createInvites } from "@/lib/assessments/invites";
import { builderInput, createOrganisationWithReviewer } from "@/lib/assessments/test-helpers";
import { assessmentInvites, labAttempts, labFileRevisions, labGradingLocks, users } from "@/lib/db/schema";
import { DATABASE_KINDS, openTestDatabase } from "@/tests/support/databases";
import { FILE_HISTORY, currentFiles, fileHistory, filesSha256, revisionContent, saveLabFile, saveLabFiles } from "./files";
import { getLab } from "./registry";

const LAB = "deploy-the-model";
const A = "k8s/deployment.yaml";
const B = "k8s/service.yaml";
const KEEP = FILE_HISTORY.keepNewest;

describe.each(DATABASE_KINDS)("file history on %s", (kind) => {
  let handle: DatabaseHandle;
  const lab = getLab(LAB)!;
  const newUser = async () => {
    const id = randomUUID();
    await handle.db.insert(users).values({ id, email: `${id}@example.com`, name: "Learner" });
    return { id };
  };
  const save = async (user: { id: string }, path: string, content: string) => {
    const result = await saveLabFile(handle.db, user, { labId: LAB, path, content });
    if (!result.ok) throw new Error(result.error);
    // Distinct timestamps, as saves by a person have.
    await new Promise((resolve) => setTimeout(resolve, 2));
  };
  const revisionsOf = async (user: { id: string }, path: string) =>
    (await handle.db.select().from(labFileRevisions))
      .filter((r) => r.userId === user.id && r.path === path)
      .map((r) => r.revision)
      .sort((a, b) => a - b);
  /** An attempt of the files as they are now, as the grader records it (only their hash). */
  let seq = 0;
  const recordAttempt = async (user: { id: string }) => {
    const files = await currentFiles(handle.db, user.id, lab);
    seq += 1;
    await handle.db.insert(labAttempts).values({
      userId: user.id,
      labId: LAB,
      seq,
      filesSha256: filesSha256(files),
      results: [],
      score: 0,
      maxScore: 10,
      completed: false,
      durationMs: 1,
      createdAt: new Date(),
      prevHash: null,
      hash: `test-${seq}`,
    });
    return files;
  };
  const reconstruct = async (user: { id: string }, revisions: Record<string, number>) => {
    const files = await currentFiles(handle.db, randomUUID(), lab); // the starter
    for (const [path, revision] of Object.entries(revisions)) {
      const result = await revisionContent(handle.db, user, LAB, path, revision);
      if (!result.ok) throw new Error(result.error);
      files[path] = result.revision.content;
    }
    return files;
  };

  beforeAll(async () => {
    handle = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await handle?.close();
  });

  test("the history comes a page of metadata at a time, newest first, and a revision's text on demand", async () => {
    const user = await newUser();
    for (let i = 1; i <= 12; i++) await save(user, A, `# version ${i}\n${"x".repeat(i)}\n`);
    const first = await fileHistory(handle.db, user, LAB, A);
    if (!first.ok) throw new Error(first.error);
    expect(first.revisions.map((r) => r.revision)).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3]);
    expect(first.revisions[0]).toEqual({ revision: 12, sha256: expect.any(String), source: "save", createdAt: expect.any(Date), bytes: Buffer.byteLength("# version 12\n" + "x".repeat(12) + "\n") });
    expect(first.revisions[0]).not.toHaveProperty("content");
    expect(first.nextCursor).toBe(3);
    const second = await fileHistory(handle.db, user, LAB, A, { before: first.nextCursor });
    expect(second).toMatchObject({ ok: true, nextCursor: null });
    expect(second.ok && second.revisions.map((r) => r.revision)).toEqual([2, 1]);
    expect(await fileHistory(handle.db, user, LAB, A, { limit: 5 })).toMatchObject({ nextCursor: 8 });
    expect(await fileHistory(handle.db, user, LAB, A, { limit: 10_000 })).toMatchObject({ nextCursor: null });

    expect(await revisionContent(handle.db, user, LAB, A, 7)).toMatchObject({ ok: true, revision: { revision: 7, content: "# version 7\nxxxxxxx\n" } });
    expect(await revisionContent(handle.db, user, LAB, A, 99)).toMatchObject({ ok: false, code: "not-found" });
    expect(await fileHistory(handle.db, user, LAB, A, { before: -1 })).toMatchObject({ ok: false, code: "invalid-input" });
    // Another learner's history is not reachable.
    const other = await newUser();
    expect(await revisionContent(handle.db, other, LAB, A, 7)).toMatchObject({ ok: false, code: "not-found" });
  });

  test(`each file keeps its newest ${KEEP} revisions; older ones are deleted on save`, async () => {
    const user = await newUser();
    for (let i = 1; i <= KEEP + 10; i++) await save(user, A, `# a ${i}\n`);
    await save(user, B, "# b 1\n");
    expect(await revisionsOf(user, A)).toEqual(Array.from({ length: KEEP }, (_, i) => i + 11));
    expect(await revisionsOf(user, B)).toEqual([1]);
    expect(await revisionContent(handle.db, user, LAB, A, 3)).toMatchObject({ ok: false, code: "not-found", error: expect.stringContaining("no longer kept") });
  });

  test("every revision an attempt graded is kept, however many saves follow, and the graded files can be rebuilt", async () => {
    const user = await newUser();
    await save(user, A, "# a 1\n");
    await save(user, A, "# a 2\n");
    await save(user, B, "# b 1\n");
    const graded = await recordAttempt(user); // A r2 + B r1
    // A multi-file save graded too.
    const both = await saveLabFiles(handle.db, user, LAB, [
      { path: A, content: "# a 3\n" },
      { path: B, content: "# b 2\n" },
    ]);
    expect(both.ok).toBe(true);
    const gradedBoth = await recordAttempt(user); // A r3 + B r2
    for (let i = 4; i <= KEEP + 15; i++) await save(user, A, `# a ${i}\n`);
    for (let i = 3; i <= KEEP + 5; i++) await save(user, B, `# b ${i}\n`);

    const keptA = await revisionsOf(user, A);
    const keptB = await revisionsOf(user, B);
    expect(keptA).toEqual([2, 3, ...Array.from({ length: KEEP }, (_, i) => i + 16)]);
    expect(keptB).toEqual([1, 2, ...Array.from({ length: KEEP }, (_, i) => i + 6)]);
    expect(keptA).not.toContain(1);
    const rebuilt = await reconstruct(user, { [A]: 2, [B]: 1 });
    expect(filesSha256(rebuilt)).toBe(filesSha256(graded));
    expect(filesSha256(await reconstruct(user, { [A]: 3, [B]: 2 }))).toBe(filesSha256(gradedBoth));
  });

  test("an attempt of the untouched starter files keeps no revision", async () => {
    const user = await newUser();
    await recordAttempt(user); // the starter, nothing saved
    for (let i = 1; i <= KEEP + 3; i++) await save(user, A, `# a ${i}\n`);
    expect(await revisionsOf(user, A)).toEqual(Array.from({ length: KEEP }, (_, i) => i + 4));
  });

  test("nothing is deleted while a grading runs: it may have read files no attempt names yet", async () => {
    const user = await newUser();
    for (let i = 1; i <= KEEP; i++) await save(user, A, `# a ${i}\n`);
    await handle.db.insert(labGradingLocks).values({ userId: user.id, labId: LAB, token: "t", startedAt: new Date() });
    for (let i = KEEP + 1; i <= KEEP + 5; i++) await save(user, A, `# a ${i}\n`);
    expect(await revisionsOf(user, A)).toHaveLength(KEEP + 5);
    await handle.db.delete(labGradingLocks);
    await save(user, A, "# after the grading\n");
    expect(await revisionsOf(user, A)).toHaveLength(KEEP);
  });

  test("an assessment candidate keeps every revision: the reviewer's replay shows all of them", { timeout: 30_000 }, async () => {
    const { reviewer } = await createOrganisationWithReviewer(handle.db);
    const created = await createAssessment(handle.db, reviewer, builderInput());
    if (!created.ok) throw new Error(created.error);
    const invited = await createInvites(handle.db, reviewer, created.assessment.id, [{ name: "Cand", email: `${randomUUID()}@example.com` }]);
    if (!invited.ok) throw new Error(invited.error);
    const candidate = await newUser();
    await handle.db
      .update(assessmentInvites)
      .set({ candidateUserId: candidate.id, startedAt: new Date(), status: "started" })
      .where(eq(assessmentInvites.id, invited.invites[0]!.id));
    const learner = await newUser();
    for (let i = 1; i <= KEEP + 5; i++) {
      await save(candidate, A, `# a ${i}\n`);
      await save(learner, A, `# a ${i}\n`);
    }
    expect(await revisionsOf(candidate, A)).toEqual(Array.from({ length: KEEP + 5 }, (_, i) => i + 1));
    expect(await revisionsOf(learner, A)).toHaveLength(KEEP);
  });
});
