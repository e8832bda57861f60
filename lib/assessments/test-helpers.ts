// Set-up shared by the assessments tests: users of a role, an organisation with a reviewer, and a
// valid builder input made of real catalogue labs.
import { randomBytes, randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { assessmentInvites, organisationMembers, organisations, users, type Role } from "@/lib/db/schema";
import type { AttemptKeyring } from "@/lib/grading/attempt-keys";
import { appendAttempt } from "@/lib/grading/attempts";
import type { AssessmentInput } from "./schema";

export type TestUser = { id: string; role: Role; email: string; name: string };

export async function createUser(db: Database, role: Role, name = `${role} ${randomBytes(2).toString("hex")}`): Promise<TestUser> {
  const user = { id: randomUUID(), role, name, email: `${role}-${randomBytes(5).toString("hex")}@example.com` };
  await db.insert(users).values(user);
  return user;
}

/** An organisation with one reviewer in it. */
export async function createOrganisationWithReviewer(db: Database, name = `Org ${randomBytes(2).toString("hex")}`) {
  const organisationId = randomUUID();
  await db.insert(organisations).values({ id: organisationId, name });
  const reviewer = await createUser(db, "reviewer");
  await db.insert(organisationMembers).values({ userId: reviewer.id, organisationId });
  return { organisationId, name, reviewer };
}

export const TWO_LABS = ["deploy-the-model", "containerise-the-model"] as const;

export function builderInput(overrides: Partial<AssessmentInput> = {}): AssessmentInput {
  return {
    title: "Platform engineer, take-home",
    introduction: "Two labs.\n\nWork as you would at work.",
    labs: [
      { labId: TWO_LABS[0], weight: 2 },
      { labId: TWO_LABS[1], weight: 1 },
    ],
    timeLimitMinutes: 90,
    passMarkPercent: 60,
    showResults: true,
    showHints: false,
    inviteValidityDays: 7,
    ...overrides,
  };
}

/** A candidate who pressed Start: a fresh hidden user on the invite, as candidate-session.ts does it. */
export async function startInvite(db: Database, inviteId: string, startedAt: Date): Promise<TestUser> {
  const user = await createUser(db, "learner", `candidate ${inviteId.slice(0, 8)}`);
  await db.update(assessmentInvites).set({ candidateUserId: user.id, startedAt, status: "started" }).where(eq(assessmentInvites.id, inviteId));
  return user;
}

export async function submitInvite(db: Database, inviteId: string, submittedAt: Date): Promise<void> {
  await db.update(assessmentInvites).set({ submittedAt, status: "submitted" }).where(eq(assessmentInvites.id, inviteId));
}

/** A signed attempt (appendAttempt, as the grader stores one) whose checks earned these points. */
export async function recordAttempt(
  db: Database,
  keys: AttemptKeyring,
  userId: string,
  labId: string,
  checks: ReadonlyArray<{ id: string; points: number; earned: number }>,
  createdAt: Date,
): Promise<void> {
  const score = checks.reduce((s, c) => s + c.earned, 0);
  const maxScore = checks.reduce((s, c) => s + c.points, 0);
  await appendAttempt(
    db,
    {
      userId,
      labId,
      filesSha256: "0".repeat(64),
      results: checks.map((c) => ({ id: c.id, title: `Check ${c.id}`, status: c.earned === c.points ? "pass" : "fail", points: c.points, earned: c.earned, message: "", durationMs: 1 })),
      score,
      maxScore,
      completed: score === maxScore,
      durationMs: 5,
      createdAt,
    },
    keys,
  );
}
