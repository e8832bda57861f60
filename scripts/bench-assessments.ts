// npm run bench:assessments — the reviewer's side of an assessment at scale: 500 candidates × 3
// labs, all submitted, each with the synthetic final files of bench-similarity.ts (saved through
// saveLabFiles, so with revisions) and 1–2 signed attempts per lab (appendAttempt), in a throw-away
// database (in-memory PGlite, or --postgres URL for one created on a server and dropped). Then it
// times the data functions behind the pages, called directly (not over HTTP: a server needs a
// build): listCandidates (the candidates page, similarity cache warm), getCandidateReport (one
// candidate's report, a different candidate each run), assessmentSimilarity from the database
// (cold: the first run of the assessment), and the engine alone through benchSimilarity.
// Last line: one JSON object. Targets: p95 under 300 ms for the list and the report, similarity
// under 30 s.
// Usage: bench-assessments [--candidates 500] [--runs 30] [--postgres URL]
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { eq } from "drizzle-orm";
import { createAssessment } from "@/lib/assessments/assessments";
import { listCandidates } from "@/lib/assessments/candidates";
import { createInvites } from "@/lib/assessments/invites";
import { getCandidateReport } from "@/lib/assessments/report";
import { assessmentSimilarity } from "@/lib/assessments/similarity-run";
import { builderInput, createOrganisationWithReviewer, createUser } from "@/lib/assessments/test-helpers";
import { assessmentInvites } from "@/lib/db/schema";
import { keyringOf } from "@/lib/grading/attempt-keys";
import { appendAttempt } from "@/lib/grading/attempts";
import { saveLabFiles } from "@/lib/labs/files";
import { getLab } from "@/lib/labs/registry";
import { openTestDatabase } from "@/tests/support/databases";
import { BENCH_LABS, benchSimilarity, population, seeded } from "./bench-similarity";

const LIST_TARGET_MS = 300;
const REPORT_TARGET_MS = 300;
const SIMILARITY_TARGET_MS = 30_000;
const MINUTE = 60_000;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function timed(runs: number, run: (i: number) => Promise<unknown>) {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await run(i);
    ms.push(performance.now() - start);
  }
  ms.sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  return { runs, p50: round(percentile(ms, 50)), p95: round(percentile(ms, 95)), max: round(ms.at(-1)!) };
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { candidates: { type: "string", default: "500" }, runs: { type: "string", default: "30" }, postgres: { type: "string" } } });
  const candidates = Number(values.candidates);
  const runs = Number(values.runs);
  if (!Number.isInteger(candidates) || candidates < 2) throw new Error(`--candidates must be a whole number of 2 or more, got ${values.candidates}.`);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a whole number of 1 or more, got ${values.runs}.`);
  const handle = await openTestDatabase(values.postgres ? "postgres" : "pglite", { postgresUrl: values.postgres });
  try {
    const db = handle.db;
    const keys = keyringOf({ bench: randomBytes(32) });
    const random = seeded(7);
    const seedStart = performance.now();
    const { reviewer } = await createOrganisationWithReviewer(db);
    const created = await createAssessment(db, reviewer, builderInput({ labs: BENCH_LABS.map((labId, i) => ({ labId, weight: i + 1 })), timeLimitMinutes: 120 }));
    if (!created.ok) throw new Error(created.error);
    const assessmentId = created.assessment.id;
    const invited = await createInvites(
      db,
      reviewer,
      assessmentId,
      Array.from({ length: candidates }, (_, i) => ({ name: `Candidate ${String(i).padStart(3, "0")}`, email: `candidate-${i}@example.com` })),
    );
    if (!invited.ok) throw new Error(invited.error);
    const labs = BENCH_LABS.map((labId) => ({ lab: getLab(labId)!, population: population(labId, candidates, random) }));
    const now = Date.now();
    for (const [i, invite] of invited.invites.entries()) {
      const user = await createUser(db, "learner", `candidate ${i}`);
      const startedAt = new Date(now - (60 + Math.floor(random() * 60)) * MINUTE);
      await db.update(assessmentInvites).set({ candidateUserId: user.id, startedAt, status: "started" }).where(eq(assessmentInvites.id, invite.id));
      for (const { lab, population: pop } of labs) {
        const files = pop.submissions[i]!.files;
        const editable = lab.files.filter((f) => !f.readonly).map((f) => ({ path: f.path, content: files[f.path] ?? "" }));
        const saved = await saveLabFiles(db, user, lab.id, editable);
        if (!saved.ok) throw new Error(`${lab.id}: ${saved.error}`);
        const tries = random() < 0.4 ? 2 : 1;
        for (let t = 0; t < tries; t++) {
          const results = lab.checks.map((c) => {
            const earned = random() < 0.6 ? c.points : 0;
            return { id: c.id, title: c.title, status: earned === c.points ? ("pass" as const) : ("fail" as const), points: c.points, earned, message: "", durationMs: 1 };
          });
          const score = results.reduce((s, r) => s + r.earned, 0);
          await appendAttempt(
            db,
            { userId: user.id, labId: lab.id, filesSha256: "0".repeat(64), results, score, maxScore: lab.totalPoints, completed: score === lab.totalPoints, durationMs: 5, createdAt: new Date(startedAt.getTime() + (10 + t) * MINUTE) },
            keys,
          );
        }
      }
      await db.update(assessmentInvites).set({ submittedAt: new Date(startedAt.getTime() + 50 * MINUTE), status: "submitted" }).where(eq(assessmentInvites.id, invite.id));
    }
    const seedMs = Math.round(performance.now() - seedStart);
    console.log(`seeded ${candidates} candidates × ${labs.length} labs (files and attempts) in ${seedMs} ms`);

    // The first run of the assessment's similarity is cold (nothing cached); the list reuses it.
    const simStart = performance.now();
    const similarity = await assessmentSimilarity(db, reviewer, assessmentId);
    if (!similarity.ok) throw new Error(similarity.error);
    const similarityDbMs = Math.round(performance.now() - simStart);
    const flagged = Object.keys(similarity.similarity.flags).length;
    console.log(`similarity from the database (cold): ${similarityDbMs} ms; ${flagged} candidates flagged`);

    const sorts = ["score", "name", "time", "flags"] as const;
    const list = await timed(runs, async (i) => {
      const result = await listCandidates(db, reviewer, assessmentId, { sort: sorts[i % sorts.length], dir: "desc", page: String(1 + (i % 10)) });
      if (!result.ok || result.list.all !== candidates) throw new Error("the list did not list every candidate");
    });
    console.log(`candidates list (listCandidates, 50 of ${candidates} a page): p50 ${list.p50} ms, p95 ${list.p95} ms, max ${list.max} ms over ${runs} runs`);
    const report = await timed(runs, async (i) => {
      const inviteId = invited.invites[(i * 17) % candidates]!.id;
      const result = await getCandidateReport(db, reviewer, assessmentId, inviteId, { keys });
      if (!result.ok || !result.report.labs.every((l) => l.integrity.verified)) throw new Error("the report did not verify");
    });
    console.log(`candidate report (getCandidateReport): p50 ${report.p50} ms, p95 ${report.p95} ms, max ${report.max} ms over ${runs} runs`);
    const engine = benchSimilarity({ candidates });
    console.log(`similarity engine alone (benchSimilarity): ${engine.similarityMs} ms for ${candidates} × ${engine.labs} labs`);

    const ok = list.p95 < LIST_TARGET_MS && report.p95 < REPORT_TARGET_MS && similarityDbMs < SIMILARITY_TARGET_MS && engine.similarityMs < SIMILARITY_TARGET_MS;
    console.log(
      JSON.stringify({
        database: values.postgres ? "postgres" : "pglite",
        candidates,
        labs: labs.length,
        seedMs,
        list,
        report,
        similarityDbMs,
        similarityEngineMs: engine.similarityMs,
        flaggedCandidates: flagged,
        targets: { listP95Ms: LIST_TARGET_MS, reportP95Ms: REPORT_TARGET_MS, similarityMs: SIMILARITY_TARGET_MS },
        ok,
      }),
    );
    return 0;
  } finally {
    await handle.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
