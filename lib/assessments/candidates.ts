// The candidates of one assessment side by side (issue 11, part 8): the sortable, filterable list,
// the comparison of 2–4 candidates, the score distribution and the CSV export. Scoped like the rest
// of lib/assessments: a learner gets ForbiddenError, another organisation's assessment `not-found`.
//
// The report (report.ts) reads one candidate's whole history; doing that 500 times for a list
// would be 500 × 4 queries and every revision's size. The list needs far less: the last attempt of
// each (candidate, lab), read for all candidates at once with DISTINCT ON, and the invites with
// their versions. Scores use the same arithmetic as the report (report-model.ts), so a list row and
// the report agree. Time used is wall-clock time from Start to submission (or the deadline, or
// now), capped at the time limit: the list does not read the recorded actions. Sorting, filtering
// and paging happen here on the computed rows; the URL's search params are parsed by ListQuerySchema.
import "server-only";
import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "@/lib/db/client";
import { assessmentInvites, assessments, assessmentVersions, labAttempts } from "@/lib/db/schema";
import { failure, type Failure } from "@/lib/result";
import { csvField } from "./invite-csv";
import { inviteStatus, type InviteStatus } from "./invites";
import { isScope, reviewerScope, type Actor } from "./organisations";
import { passes, weightedPercent } from "./report-model";
import { PAGE_SIZE } from "./schema";
import { assessmentSimilarity } from "./similarity-run";

export type CandidateCheckDTO = { id: string; title: string; status: "pass" | "fail" | "error"; earned: number; points: number };
export type CandidateLabDTO = {
  labId: string;
  title: string;
  weight: number;
  /** The last attempt's score; null when the candidate never checked this lab. */
  earned: number | null;
  max: number | null;
  percent: number | null;
  attempts: number;
  /** The last attempt's checks; empty in listCandidates, which shows totals only. */
  checks: CandidateCheckDTO[];
};
export type CandidateRowDTO = {
  inviteId: string;
  name: string;
  email: string;
  status: InviteStatus;
  versionNumber: number;
  passMarkPercent: number;
  startedAt: Date | null;
  submittedAt: Date | null;
  /** Weighted total 0–100 (unrounded); null before Start (nothing to score). */
  percent: number | null;
  /** Only for submitted candidates: work in progress has not passed or failed yet. */
  passed: boolean | null;
  /** Start to submission, deadline or now, at most the time limit; null before Start. */
  timeUsedMs: number | null;
  labs: CandidateLabDTO[];
  /** How many similarity flags: another candidate, and the published solution. */
  flags: { similarity: number; solution: number };
};
/** A lab column of the list and the CSV: every lab of any version the candidates took. */
export type LabColumnDTO = { labId: string; title: string; checks: Array<{ id: string; title: string }> };

export const SORT_KEYS = ["name", "status", "score", "time", "flags", "submitted"] as const;
export const STATUS_FILTERS = ["invited", "expired", "revoked", "started", "grading", "submitted"] as const;

const one = <T extends z.ZodTypeAny>(schema: T) => z.preprocess((v) => (Array.isArray(v) ? v[0] : v), schema);
/** The list's URL search params; anything unusable falls back to the default instead of failing the page. */
export const ListQuerySchema = z.object({
  sort: one(z.enum(SORT_KEYS)).catch("name"),
  dir: one(z.enum(["asc", "desc"])).catch("asc"),
  status: one(z.enum(STATUS_FILTERS).optional()).catch(undefined),
  result: one(z.enum(["pass", "fail"]).optional()).catch(undefined),
  flagged: one(z.enum(["1"]).optional()).catch(undefined),
  q: one(z.string().trim().max(200).optional()).catch(undefined),
  page: one(z.coerce.number().int().min(1).max(1_000_000)).catch(1),
});
export type ListQuery = z.output<typeof ListQuerySchema>;

export type HistogramBin = { from: number; to: number; count: number };
export type CandidateListDTO = {
  rows: CandidateRowDTO[];
  labs: LabColumnDTO[];
  /** Candidates matching the filters, and in the assessment. */
  total: number;
  all: number;
  page: number;
  pages: number;
  pageSize: number;
  query: ListQuery;
  /** Scores of the submitted candidates among those matching the filters, in ten bins of 10 points. */
  distribution: HistogramBin[];
  passMarkPercent: number;
};

const NOT_FOUND = failure("not-found", "There is no such assessment in your organisation.");
const USER_CHUNK = 500;
const MAX_COMPARED = 4;

type Loaded = { rows: CandidateRowDTO[]; labs: LabColumnDTO[]; passMarkPercent: number };

/** Every candidate of the assessment with scores, in three queries plus the (cached) similarity run. */
async function loadCandidates(db: Database, actor: Actor, assessmentId: string, now: Date, withChecks: boolean): Promise<{ ok: true; loaded: Loaded } | Failure<"not-found" | "no-organisation">> {
  const scope = await reviewerScope(db, actor);
  if (!isScope(scope)) return scope;
  const [assessment] = await db
    .select({ id: assessments.id, currentVersion: assessments.currentVersion })
    .from(assessments)
    .where(and(eq(assessments.id, assessmentId), eq(assessments.organisationId, scope.organisationId)))
    .limit(1);
  if (!assessment) return NOT_FOUND;
  // The versions once each, not a copy of their settings per invite: parsing 500 JSON documents is most of a query's time.
  const [inviteRows, versions] = await Promise.all([
    db.select().from(assessmentInvites).where(eq(assessmentInvites.assessmentId, assessment.id)).orderBy(asc(assessmentInvites.createdAt), asc(assessmentInvites.id)),
    db.select({ id: assessmentVersions.id, number: assessmentVersions.number, settings: assessmentVersions.settings }).from(assessmentVersions).where(eq(assessmentVersions.assessmentId, assessment.id)),
  ]);
  const versionById = new Map(versions.map((v) => [v.id, v]));
  const invites = inviteRows.flatMap((invite) => {
    const version = versionById.get(invite.versionId);
    return version ? [{ invite, versionNumber: version.number, settings: version.settings }] : [];
  });
  const current = versions.find((v) => v.number === assessment.currentVersion);

  const userIds = invites.flatMap((i) => (i.invite.candidateUserId ? [i.invite.candidateUserId] : []));
  const labIds = [...new Set(invites.flatMap((i) => i.settings.labs.map((l) => l.labId)))];
  // The last attempt of each (user, lab): DISTINCT ON keeps the first row of each group in this order.
  const last = new Map<string, { score: number; maxScore: number; seq: number; results: (typeof labAttempts.$inferSelect)["results"] | null }>();
  for (let i = 0; i < userIds.length && labIds.length; i += USER_CHUNK) {
    const rows = await db
      .selectDistinctOn([labAttempts.userId, labAttempts.labId], {
        userId: labAttempts.userId,
        labId: labAttempts.labId,
        seq: labAttempts.seq,
        score: labAttempts.score,
        maxScore: labAttempts.maxScore,
        // Each attempt's checks are a JSON document: only the comparison and the CSV show them.
        results: withChecks ? labAttempts.results : sql<null>`null`,
      })
      .from(labAttempts)
      .where(and(inArray(labAttempts.userId, userIds.slice(i, i + USER_CHUNK)), inArray(labAttempts.labId, labIds)))
      .orderBy(labAttempts.userId, labAttempts.labId, desc(labAttempts.seq));
    for (const row of rows) last.set(`${row.userId}\n${row.labId}`, row);
  }

  const similarity = invites.some((i) => i.invite.submittedAt) ? await assessmentSimilarity(db, actor, assessment.id) : null;
  const flags = similarity?.ok ? similarity.similarity.flags : {};

  // Columns: the current version's labs first, then those only older versions had; checks in the order graded.
  const columns = new Map<string, LabColumnDTO>();
  for (const lab of current?.settings.labs ?? []) columns.set(lab.labId, { labId: lab.labId, title: lab.title, checks: [] });
  for (const { settings } of [...invites].sort((a, b) => b.versionNumber - a.versionNumber)) {
    for (const lab of settings.labs) if (!columns.has(lab.labId)) columns.set(lab.labId, { labId: lab.labId, title: lab.title, checks: [] });
  }

  const rows = invites.map(({ invite, versionNumber, settings }): CandidateRowDTO => {
    const labs = settings.labs.map((snapshot): CandidateLabDTO => {
      const attempt = invite.candidateUserId ? last.get(`${invite.candidateUserId}\n${snapshot.labId}`) : undefined;
      const column = columns.get(snapshot.labId)!;
      const checks = (attempt?.results ?? []).map((r) => ({ id: r.id, title: r.title, status: r.status, earned: r.earned, points: r.points }));
      for (const check of checks) if (!column.checks.some((c) => c.id === check.id)) column.checks.push({ id: check.id, title: check.title });
      return {
        labId: snapshot.labId,
        title: snapshot.title,
        weight: snapshot.weight,
        earned: attempt?.score ?? null,
        max: attempt?.maxScore ?? null,
        percent: attempt ? (attempt.maxScore ? (100 * attempt.score) / attempt.maxScore : 0) : null,
        attempts: attempt?.seq ?? 0,
        checks,
      };
    });
    const started = invite.startedAt;
    const limitMs = settings.timeLimitMinutes * 60_000;
    const end = invite.submittedAt ?? now;
    const percent = started ? weightedPercent(labs.map((l) => ({ labId: l.labId, weight: l.weight, earned: l.earned, max: l.max }))) : null;
    const own = flags[invite.id] ?? [];
    return {
      inviteId: invite.id,
      name: invite.name,
      email: invite.email,
      status: inviteStatus(invite, now),
      versionNumber,
      passMarkPercent: settings.passMarkPercent,
      startedAt: started,
      submittedAt: invite.submittedAt,
      percent,
      passed: invite.submittedAt && percent !== null ? passes(percent, settings.passMarkPercent) : null,
      timeUsedMs: started ? Math.max(0, Math.min(limitMs, end.getTime() - started.getTime())) : null,
      labs,
      flags: { similarity: own.filter((f) => f.kind === "candidate").length, solution: own.filter((f) => f.kind === "solution").length },
    };
  });
  return { ok: true, loaded: { rows, labs: [...columns.values()], passMarkPercent: current?.settings.passMarkPercent ?? 0 } };
}

const STATUS_ORDER: Record<InviteStatus, number> = { invited: 0, expired: 1, revoked: 2, started: 3, grading: 4, submitted: 5 };
const flagCount = (r: CandidateRowDTO) => r.flags.similarity + r.flags.solution;

/** Missing values (no score yet, not started) sort last in both directions, so the top of a "best first" list is real scores. */
function compareRows(key: ListQuery["sort"], dir: ListQuery["dir"]) {
  const value = (r: CandidateRowDTO): number | string | null => {
    switch (key) {
      case "name":
        return r.name.toLocaleLowerCase("en");
      case "status":
        return STATUS_ORDER[r.status];
      case "score":
        return r.percent;
      case "time":
        return r.timeUsedMs;
      case "flags":
        return flagCount(r);
      case "submitted":
        return r.submittedAt?.getTime() ?? null;
    }
    return null;
  };
  const sign = dir === "asc" ? 1 : -1;
  return (a: CandidateRowDTO, b: CandidateRowDTO): number => {
    const x = value(a);
    const y = value(b);
    if (x === null || y === null) return x === y ? a.name.localeCompare(b.name, "en") : x === null ? 1 : -1;
    const order = typeof x === "string" ? x.localeCompare(y as string, "en") : x - (y as number);
    return order !== 0 ? sign * order : a.name.localeCompare(b.name, "en") || a.inviteId.localeCompare(b.inviteId);
  };
}

/** Ten bins of 10 points; 100 goes in the last. */
export function histogram(percents: readonly number[]): HistogramBin[] {
  const bins = Array.from({ length: 10 }, (_, i) => ({ from: i * 10, to: i * 10 + 10, count: 0 }));
  for (const p of percents) bins[Math.min(9, Math.max(0, Math.floor(p / 10)))]!.count++;
  return bins;
}

export async function listCandidates(
  db: Database,
  actor: Actor,
  assessmentId: string,
  params: unknown,
  now: Date = new Date(),
): Promise<{ ok: true; list: CandidateListDTO } | Failure<"not-found" | "no-organisation">> {
  const query = ListQuerySchema.parse(params ?? {});
  const result = await loadCandidates(db, actor, assessmentId, now, false);
  if (!result.ok) return result;
  const { rows, labs, passMarkPercent } = result.loaded;
  const needle = query.q?.toLocaleLowerCase("en");
  const matching = rows.filter(
    (r) =>
      (!query.status || r.status === query.status) &&
      (!query.result || r.passed === (query.result === "pass")) &&
      (!query.flagged || flagCount(r) > 0) &&
      (!needle || r.name.toLocaleLowerCase("en").includes(needle) || r.email.toLocaleLowerCase("en").includes(needle)),
  );
  matching.sort(compareRows(query.sort, query.dir));
  const pages = Math.max(1, Math.ceil(matching.length / PAGE_SIZE));
  const page = Math.min(query.page, pages);
  return {
    ok: true,
    list: {
      rows: matching.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE),
      labs,
      total: matching.length,
      all: rows.length,
      page,
      pages,
      pageSize: PAGE_SIZE,
      query: { ...query, page },
      distribution: histogram(matching.flatMap((r) => (r.submittedAt && r.percent !== null ? [r.percent] : []))),
      passMarkPercent,
    },
  };
}

const CompareSchema = z
  .array(z.string().min(1).max(100))
  .transform((ids) => [...new Set(ids)])
  .pipe(z.array(z.string()).min(2).max(MAX_COMPARED));

/** 2–4 candidates in the order asked, with the lab columns of any of them. */
export async function compareCandidates(
  db: Database,
  actor: Actor,
  assessmentId: string,
  inviteIds: unknown,
  now: Date = new Date(),
): Promise<{ ok: true; candidates: CandidateRowDTO[]; labs: LabColumnDTO[] } | Failure<"not-found" | "no-organisation" | "invalid-input">> {
  const ids = CompareSchema.safeParse(typeof inviteIds === "string" ? [inviteIds] : inviteIds);
  if (!ids.success) {
    // Scope first, so a learner is refused before being told how to pick candidates.
    const scope = await reviewerScope(db, actor);
    if (!isScope(scope)) return scope;
    return failure("invalid-input", `Pick 2 to ${MAX_COMPARED} candidates to compare: tick them in the candidates list, then press Compare.`);
  }
  const result = await loadCandidates(db, actor, assessmentId, now, true);
  if (!result.ok) return result;
  const byId = new Map(result.loaded.rows.map((r) => [r.inviteId, r]));
  const candidates = ids.data.map((id) => byId.get(id));
  if (candidates.some((c) => !c)) return failure("not-found", "At least one of these candidates is not in this assessment: go back to the list and pick again.");
  const taken = new Set(candidates.flatMap((c) => c!.labs.map((l) => l.labId)));
  return { ok: true, candidates: candidates as CandidateRowDTO[], labs: result.loaded.labs.filter((l) => taken.has(l.labId)) };
}

const round1 = (n: number | null) => (n === null ? "" : (Math.round(n * 10) / 10).toFixed(1));
const iso = (d: Date | null) => (d ? d.toISOString() : "");

/** One row per candidate, every lab's score and every check's points; fields quoted and defused like the invite CSV. */
export async function candidatesCsv(
  db: Database,
  actor: Actor,
  assessmentId: string,
  now: Date = new Date(),
): Promise<{ ok: true; csv: string; rows: number } | Failure<"not-found" | "no-organisation">> {
  const result = await loadCandidates(db, actor, assessmentId, now, true);
  if (!result.ok) return result;
  const { rows, labs } = result.loaded;
  const header = [
    "name",
    "email",
    "status",
    "version",
    "started",
    "submitted",
    "time_used_minutes",
    "score_percent",
    "passed",
    "similarity_flags",
    "solution_flags",
    ...labs.flatMap((lab) => [`${lab.labId} percent`, `${lab.labId} earned`, `${lab.labId} max`, ...lab.checks.map((c) => `${lab.labId}/${c.id}`)]),
  ];
  const lines = rows.map((r) => {
    const mine = new Map(r.labs.map((l) => [l.labId, l]));
    return [
      r.name,
      r.email,
      r.status,
      String(r.versionNumber),
      iso(r.startedAt),
      iso(r.submittedAt),
      r.timeUsedMs === null ? "" : round1(r.timeUsedMs / 60_000),
      round1(r.percent),
      r.passed === null ? "" : r.passed ? "yes" : "no",
      String(r.flags.similarity),
      String(r.flags.solution),
      ...labs.flatMap((lab) => {
        const l = mine.get(lab.labId);
        const checks = new Map((l?.checks ?? []).map((c) => [c.id, c]));
        return [round1(l?.percent ?? null), l?.earned === null || !l ? "" : String(l.earned), l?.max === null || !l ? "" : String(l.max), ...lab.checks.map((c) => (checks.has(c.id) ? String(checks.get(c.id)!.earned) : ""))];
      }),
    ];
  });
  const csv = [header, ...lines].map((cells) => cells.map(csvField).join(",")).join("\r\n") + "\r\n";
  return { ok: true, csv, rows: rows.length };
}
