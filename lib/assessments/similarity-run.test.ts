// Similarity over one assessment's submitted candidates, on both databases: the final files come
// from lib/labs/files.ts as a candidate saved them. B hands in A's Dockerfile with every name
// renamed and reformatted: flagged on both A's and B's side with the passages oriented to each;
// C wrote their own: no flag; D pasted the published solution in disguise: a solution flag. A
// candidate still working is not compared; other organisations get not-found, learners 403.
import fs from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ForbiddenError } from "@/lib/auth/authorize";
import type { DatabaseHandle } from "@/lib/db/client";
import { assessmentInvites } from "@/lib/db/schema";
import { saveLabFile } from "@/lib/labs/files";
import { DATABASE_KINDS, openTestDatabase } from "@/tests/support/databases";
import { createAssessment } from "./assessments";
import { createInvites } from "./invites";
import { assessmentSimilarity, candidateSimilarity, type PassageDTO } from "./similarity-run";
import { builderInput, createOrganisationWithReviewer, createUser, type TestUser } from "./test-helpers";

const DOCKER = "containerise-the-model";
const API = "design-the-prediction-api";
const fixture = (kind: "independent" | "copied") => fs.readFileSync(path.join(process.cwd(), "lib/assessments/similarity/fixtures", kind, DOCKER, "Dockerfile"), "utf8");

const A_DOCKERFILE = fixture("independent");
/** A's file with its stage, user, group and build argument renamed, spacing changed and a comment added. */
const B_DOCKERFILE = A_DOCKERFILE.replaceAll("PYTHON_VERSION", "PY_TAG")
  .replaceAll(" deps", " builder")
  .replaceAll("=deps", "=builder")
  .replaceAll("model", "svc")
  .replace("WORKDIR /srv", "# where the service lives\nWORKDIR   /srv");
const C_DOCKERFILE = `FROM python:3.12-alpine
RUN adduser -D runner
WORKDIR /opt/service
COPY requirements.txt ./
RUN pip install --no-cache-dir --requirement requirements.txt
COPY app ./app
RUN python -m app.train
USER runner
EXPOSE 8080
ENTRYPOINT ["uvicorn"]
CMD ["app.main:app", "--port", "8080", "--host", "0.0.0.0"]
`;

/** No passage is shown twice: none lies inside another one of the same flag. */
function expectNoNestedPassages(passages: PassageDTO[]) {
  for (const [i, p] of passages.entries()) {
    const inside = passages.some(
      (q, j) => j !== i && q.minePath === p.minePath && q.otherPath === p.otherPath && q.mineLines[0] <= p.mineLines[0] && p.mineLines[1] <= q.mineLines[1] && q.otherLines[0] <= p.otherLines[0] && p.otherLines[1] <= q.otherLines[1],
    );
    expect(inside, `${p.minePath} ${p.mineLines.join("–")} lies inside another passage`).toBe(false);
  }
}

// Saving and comparing beside other test files on 2 cores can take more than 5 s.
describe.each(DATABASE_KINDS)("assessment similarity on %s", { timeout: 60_000 }, (kind) => {
  let handle: DatabaseHandle;
  let reviewer: TestUser;
  let assessmentId: string;
  const ids: Record<string, string> = {};

  async function candidate(name: string, dockerfile: string | null, submitted = true) {
    const invited = await createInvites(handle.db, reviewer, assessmentId, [{ name, email: `${randomUUID()}@example.com` }]);
    if (!invited.ok) throw new Error(invited.error);
    const user = await createUser(handle.db, "learner");
    const inviteId = invited.invites[0]!.id;
    await handle.db
      .update(assessmentInvites)
      .set({ candidateUserId: user.id, startedAt: new Date(Date.now() - 3_600_000), ...(submitted ? { submittedAt: new Date(), status: "submitted" as const } : { status: "started" as const }) })
      .where(eq(assessmentInvites.id, inviteId));
    if (dockerfile !== null) {
      const saved = await saveLabFile(handle.db, user, { labId: DOCKER, path: "Dockerfile", content: dockerfile });
      if (!saved.ok) throw new Error(saved.error);
    }
    ids[name] = inviteId;
  }

  beforeAll(async () => {
    handle = await openTestDatabase(kind);
    ({ reviewer } = await createOrganisationWithReviewer(handle.db));
    const created = await createAssessment(handle.db, reviewer, builderInput({ labs: [{ labId: DOCKER, weight: 1 }, { labId: API, weight: 1 }] }));
    if (!created.ok) throw new Error(created.error);
    assessmentId = created.assessment.id;
    await candidate("A", A_DOCKERFILE);
    await candidate("B", B_DOCKERFILE);
    await candidate("C", C_DOCKERFILE);
    await candidate("D", fixture("copied"));
    await candidate("Still working", A_DOCKERFILE, false);
  });
  afterAll(async () => {
    await handle?.close();
  });

  test("B's renamed copy of A is flagged on both reports with the passages side by side; C is not flagged; D matches the published solution", async () => {
    const result = await assessmentSimilarity(handle.db, reviewer, assessmentId);
    if (!result.ok) throw new Error(result.error);
    const { flags, labs } = result.similarity;
    expect(labs).toEqual([
      { labId: DOCKER, title: expect.any(String), compared: 4 },
      { labId: API, title: expect.any(String), compared: 4 },
    ]);

    const onA = flags[ids.A!]!;
    const onB = flags[ids.B!]!;
    expect(onA).toEqual([expect.objectContaining({ kind: "candidate", labId: DOCKER, otherInviteId: ids.B, otherName: "B" })]);
    expect(onB).toEqual([expect.objectContaining({ kind: "candidate", labId: DOCKER, otherInviteId: ids.A, otherName: "A" })]);
    const [a, b] = [onA[0]!, onB[0]!];
    if (a.kind !== "candidate" || b.kind !== "candidate") throw new Error("expected candidate flags");
    expect(a.score).toBeGreaterThanOrEqual(result.similarity.threshold);
    expect(b.score).toBe(a.score);
    expect(a.passages.length).toBeGreaterThan(0);
    // Each side reads its own file on the left: A's passage is A's text, B's is B's, and they mirror.
    expect(a.passages.map((p) => p.mineText).sort()).toEqual(b.passages.map((p) => p.otherText).sort());
    expect(a.passages.map((p) => p.otherText).sort()).toEqual(b.passages.map((p) => p.mineText).sort());
    for (const passage of a.passages) {
      expect(A_DOCKERFILE).toContain(passage.mineText);
      expect(B_DOCKERFILE).toContain(passage.otherText);
      expect(passage.mineText.split("\n")).toHaveLength(passage.mineLines[1] - passage.mineLines[0] + 1);
    }
    expect(a.passages.some((p) => p.otherText.includes("svc"))).toBe(true);
    for (const flag of Object.values(flags).flat()) expectNoNestedPassages(flag.passages);

    expect(flags[ids.C!]).toBeUndefined();
    expect(flags[ids.D!]).toEqual([expect.objectContaining({ kind: "solution", labId: DOCKER })]);
    const solutionFlag = flags[ids.D!]![0]!;
    expect(solutionFlag.passages.some((p) => p.otherText.includes("/opt/venv"))).toBe(true);
    expect(solutionFlag.passages.some((p) => p.mineText.includes("/opt/env"))).toBe(true);
    // Nobody saved the API lab: the starter everyone shares is never a match.
    expect(Object.values(flags).flat().every((f) => f.labId === DOCKER)).toBe(true);
    // The candidate still working with A's files is not compared until they submit.
    expect(flags[ids["Still working"]!]).toBeUndefined();

    const forB = await candidateSimilarity(handle.db, reviewer, assessmentId, ids.B!);
    expect(forB).toMatchObject({ ok: true, flags: [{ kind: "candidate", otherName: "A" }] });
    // A threshold above the copy's score no longer flags the pair.
    const strict = await assessmentSimilarity(handle.db, reviewer, assessmentId, { threshold: Math.min(1, a.score + 0.01) });
    if (!strict.ok) throw new Error(strict.error);
    expect(a.score).toBeLessThan(1);
    expect(strict.similarity.flags[ids.A!]).toBeUndefined();
    expect(strict.similarity.threshold).toBe(Math.min(1, a.score + 0.01));
  });

  test("results are reused only while nothing they depend on changed: a later submission and a changed file are seen", async () => {
    const first = await assessmentSimilarity(handle.db, reviewer, assessmentId);
    const again = await assessmentSimilarity(handle.db, reviewer, assessmentId);
    expect(first.ok && again.ok && again.similarity).toBe(first.ok && first.similarity);
    // The candidate who was still working submits.
    await handle.db.update(assessmentInvites).set({ submittedAt: new Date(), status: "submitted" }).where(eq(assessmentInvites.id, ids["Still working"]!));
    const submitted = await assessmentSimilarity(handle.db, reviewer, assessmentId);
    if (!submitted.ok) throw new Error(submitted.error);
    expect(submitted.similarity.labs[0]!.compared).toBe(5);
    expect(submitted.similarity.flags[ids["Still working"]!]?.map((f) => f.kind === "candidate" && f.otherName).sort()).toEqual(["A", "B"]);
    // C's file changes (a save that should not happen after submission, but the report must not hide it).
    const [c] = await handle.db.select({ userId: assessmentInvites.candidateUserId }).from(assessmentInvites).where(eq(assessmentInvites.id, ids.C!));
    await new Promise((resolve) => setTimeout(resolve, 5));
    const saved = await saveLabFile(handle.db, { id: c!.userId! }, { labId: DOCKER, path: "Dockerfile", content: A_DOCKERFILE });
    expect(saved.ok).toBe(true);
    const changed = await assessmentSimilarity(handle.db, reviewer, assessmentId);
    expect(changed.ok && changed.similarity.flags[ids.C!]?.length).toBeGreaterThan(0);
  });

  test("YAML copies (whose sorted keys make the engine report a document and pieces of it) show each passage once", async () => {
    const created = await createAssessment(handle.db, reviewer, builderInput({ labs: [{ labId: API, weight: 1 }] }));
    if (!created.ok) throw new Error(created.error);
    const solution = fs.readFileSync(path.join(process.cwd(), "labs", API, "solution/openapi.yaml"), "utf8");
    const names: string[] = [];
    for (const [name, content] of [["Yara", solution], ["Yusuf", solution.replaceAll("churn", "attrition")]] as const) {
      const invited = await createInvites(handle.db, reviewer, created.assessment.id, [{ name, email: `${randomUUID()}@example.com` }]);
      if (!invited.ok) throw new Error(invited.error);
      const user = await createUser(handle.db, "learner");
      await handle.db.update(assessmentInvites).set({ candidateUserId: user.id, startedAt: new Date(), submittedAt: new Date(), status: "submitted" }).where(eq(assessmentInvites.id, invited.invites[0]!.id));
      expect((await saveLabFile(handle.db, user, { labId: API, path: "openapi.yaml", content })).ok).toBe(true);
      names.push(invited.invites[0]!.id);
    }
    const result = await assessmentSimilarity(handle.db, reviewer, created.assessment.id);
    if (!result.ok) throw new Error(result.error);
    const flags = names.flatMap((id) => result.similarity.flags[id] ?? []);
    expect(flags.map((f) => f.kind).sort()).toEqual(["candidate", "candidate", "solution", "solution"]);
    for (const flag of flags) {
      expect(flag.passages.length).toBeGreaterThan(0);
      expectNoNestedPassages(flag.passages);
    }
  });

  test("scoping: another organisation gets not-found, a learner ForbiddenError", async () => {
    const other = await createOrganisationWithReviewer(handle.db);
    expect(await assessmentSimilarity(handle.db, other.reviewer, assessmentId)).toMatchObject({ ok: false, code: "not-found" });
    expect(await candidateSimilarity(handle.db, other.reviewer, assessmentId, ids.A!)).toMatchObject({ ok: false, code: "not-found" });
    await expect(assessmentSimilarity(handle.db, await createUser(handle.db, "learner"), assessmentId)).rejects.toThrow(ForbiddenError);
  });
});
