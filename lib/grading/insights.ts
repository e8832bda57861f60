// Instructor view data: per lab, how many attempts and learners, how many completed, which checks
// fail most often, and the latest check errors (with the details learners never see). Computed in
// SQL from the stored attempts; only instructors and admins may call it. `resultsVerification`
// says, per lab, whether the stored attempts are intact (lib/grading/attempts.ts), so an
// instructor never reads numbers from a record that was tampered with without being told.
import "server-only";
import { sql } from "drizzle-orm";
import { assertRole } from "@/lib/auth/authorize";
import type { UserDTO } from "@/lib/auth/users";
import type { Database } from "@/lib/db/client";
import { getLab } from "@/lib/labs/registry";
import { attemptKeyring, type AttemptKeyring } from "./attempt-keys";
import { EVERYONE, verifyAttemptChain } from "./attempts";

export type CheckFailureStat = { id: string; title: string; failures: number; errors: number; attempts: number; failureRate: number };

export type LabInsight = {
  labId: string;
  title: string;
  attempts: number;
  learners: number;
  completedLearners: number;
  /** completedLearners / learners, 0–1. */
  completionRate: number;
  /** Checks by how often they did not pass, most first. */
  failingChecks: CheckFailureStat[];
  /** The latest check errors (crashes, timeouts), for fixing labs. */
  recentErrors: Array<{ checkId: string; at: Date; message: string; internal: string | null }>;
};

type Row = Record<string, unknown>;

async function rowsOf(db: Database, query: ReturnType<typeof sql>): Promise<Row[]> {
  const result = (await db.execute(query)) as unknown as Row[] | { rows: Row[] };
  return Array.isArray(result) ? result : result.rows;
}

const num = (v: unknown) => Number(v ?? 0);

/** Insights for one lab, or every lab with attempts. Throws ForbiddenError for anyone but instructors and admins. */
export async function labInsights(db: Database, actor: Pick<UserDTO, "role"> | null, labId?: string): Promise<LabInsight[]> {
  assertRole(actor, "instructor");
  // Assessment candidates' attempts (decision 017) belong to their reports, not to the course's numbers.
  const learnersOnly = sql`a.user_id not in (select id from users where role = 'candidate')`;
  const onLab = labId ? sql`where a.lab_id = ${labId} and ${learnersOnly}` : sql`where ${learnersOnly}`;
  const totals = await rowsOf(
    db,
    sql`select a.lab_id, count(*) as attempts, count(distinct a.user_id) as learners,
               count(distinct a.user_id) filter (where a.completed) as completed_learners
        from lab_attempts a ${onLab} group by a.lab_id order by a.lab_id`,
  );
  const checks = await rowsOf(
    db,
    sql`select a.lab_id, r->>'id' as check_id, max(r->>'title') as title, count(*) as attempts,
               count(*) filter (where r->>'status' = 'fail') as failures,
               count(*) filter (where r->>'status' = 'error') as errors
        from lab_attempts a cross join lateral jsonb_array_elements(a.results) as r ${onLab}
        group by a.lab_id, r->>'id'`,
  );
  const errors = await rowsOf(
    db,
    sql`select * from (
          select a.lab_id, r->>'id' as check_id, a.created_at, r->>'message' as message, r->>'internal' as internal,
                 row_number() over (partition by a.lab_id order by a.created_at desc, a.id desc) as n
          from lab_attempts a cross join lateral jsonb_array_elements(a.results) as r
          ${onLab} and r->>'status' = 'error'
        ) e where e.n <= 10 order by e.created_at desc`,
  );
  return totals.map((t) => {
    const id = String(t.lab_id);
    const learners = num(t.learners);
    const completedLearners = num(t.completed_learners);
    let title = id;
    try {
      title = getLab(id)?.title ?? id;
    } catch {
      // a broken lab still gets its numbers
    }
    return {
      labId: id,
      title,
      attempts: num(t.attempts),
      learners,
      completedLearners,
      completionRate: learners === 0 ? 0 : completedLearners / learners,
      failingChecks: checks
        .filter((c) => c.lab_id === id)
        .map((c) => {
          const failures = num(c.failures);
          const errorCount = num(c.errors);
          const attempts = num(c.attempts);
          return { id: String(c.check_id), title: String(c.title ?? c.check_id), failures, errors: errorCount, attempts, failureRate: attempts === 0 ? 0 : (failures + errorCount) / attempts };
        })
        .filter((c) => c.failures + c.errors > 0)
        .sort((a, b) => b.failures + b.errors - (a.failures + a.errors) || a.id.localeCompare(b.id)),
      recentErrors: errors
        .filter((e) => e.lab_id === id)
        .map((e) => ({ checkId: String(e.check_id), at: e.created_at instanceof Date ? e.created_at : new Date(String(e.created_at)), message: String(e.message ?? ""), internal: e.internal == null ? null : String(e.internal) })),
    };
  });
}

/** What went wrong, without naming learners (the CLI `npm run attempts:verify` names them). */
export type VerificationProblem = { seq: number; reason: string };

export type LabVerification = { ok: boolean; problems: VerificationProblem[] };

export type ResultsVerification = {
  ok: boolean;
  attempts: number;
  chains: number;
  /** Problems that concern every lab (the checkpoint missing or changed). */
  general: VerificationProblem[];
  /** Labs with problems; a lab that is not listed verified. */
  byLab: Record<string, VerificationProblem[]>;
};

/** Verifies every stored attempt, head and the checkpoint. Throws ForbiddenError for anyone but instructors and admins. */
export async function resultsVerification(
  db: Database,
  actor: Pick<UserDTO, "role"> | null,
  keys: AttemptKeyring = attemptKeyring(),
): Promise<ResultsVerification> {
  assertRole(actor, "instructor");
  const report = await verifyAttemptChain(db, {}, keys);
  const general: VerificationProblem[] = [];
  const byLab: Record<string, VerificationProblem[]> = {};
  for (const p of report.problems) {
    const problem = { seq: p.seq, reason: p.reason };
    if (p.labId === EVERYONE) general.push(problem);
    else (byLab[p.labId] ??= []).push(problem);
  }
  return { ok: report.ok, attempts: report.attempts, chains: report.chains, general, byLab };
}

/** The status of one lab's results, as the instructor pages show it. */
export function labVerification(verification: ResultsVerification, labId: string): LabVerification {
  const problems = [...verification.general, ...(verification.byLab[labId] ?? [])];
  return { ok: problems.length === 0, problems };
}
