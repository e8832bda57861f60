// Similarity of one assessment's candidates (issue 11, part 7, the database side): for each lab
// of the assessment, the final files of every submitted candidate who took it go through the pure
// engine (./similarity, docs/decisions/018-similarity.md) with the lab's starter and published
// solution. Computed on demand and not stored in a table: it is a function of the final files,
// which do not change after submission. 500 candidates × 3 labs take about 1.5 s
// (docs/benchmarks.md), too slow for every view of a report, so the last results are kept in
// memory under a key made of everything they depend on: the submitted candidates (invite, hidden
// user, submission time), when their files last changed, and the options. Any change is a new key.
// Scoped like the rest of lib/assessments.
import "server-only";
import { and, eq, inArray, isNotNull, max } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { assessmentInvites, assessments, assessmentVersions, labFiles } from "@/lib/db/schema";
import { getLab, solutionFiles, starterFiles, type Lab } from "@/lib/labs/registry";
import { failure, type Failure } from "@/lib/result";
import { isScope, reviewerScope, type Actor } from "./organisations";
import { compareSubmissions, SIMILARITY_DEFAULTS, type FileTree, type LineRange, type SimilarityOptions } from "./similarity";

/** One matching passage, oriented from the candidate whose flag it is ("mine") to the other side. */
export type PassageDTO = { minePath: string; mineLines: LineRange; mineText: string; otherPath: string; otherLines: LineRange; otherText: string };

export type SimilarityFlagDTO =
  | { kind: "candidate"; labId: string; labTitle: string; otherInviteId: string; otherName: string; score: number; sharedFingerprints: number; alsoInSolution: number; passages: PassageDTO[] }
  | { kind: "solution"; labId: string; labTitle: string; score: number; sharedFingerprints: number; passages: PassageDTO[] };

export type AssessmentSimilarityDTO = {
  /** Flags per invite id; a candidate with none is absent. */
  flags: Record<string, SimilarityFlagDTO[]>;
  /** Per lab: how many submitted candidates were compared. */
  labs: Array<{ labId: string; title: string; compared: number }>;
  threshold: number;
};

const NOT_FOUND = failure("not-found", "There is no such assessment in your organisation.");
const USER_CHUNK = 500;

/** Results of recent runs by their key (see the header); the oldest goes first. */
const CACHE_ENTRIES = 16;
const cache = new Map<string, AssessmentSimilarityDTO>();

function remember(key: string, value: AssessmentSimilarityDTO): AssessmentSimilarityDTO {
  cache.delete(key);
  cache.set(key, value);
  while (cache.size > CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
  return value;
}

/** The newest change to any of these users' lab files (a save after submission, should one slip through, is a new key). */
async function filesChangedAt(db: Database, userIds: readonly string[]): Promise<number> {
  let newest = 0;
  for (let i = 0; i < userIds.length; i += USER_CHUNK) {
    const [row] = await db.select({ at: max(labFiles.updatedAt) }).from(labFiles).where(inArray(labFiles.userId, userIds.slice(i, i + USER_CHUNK)));
    if (row?.at) newest = Math.max(newest, new Date(row.at).getTime());
  }
  return newest;
}

/** Lines from..to (1-based, inclusive) of a text. */
function linesOf(text: string | undefined, [from, to]: LineRange): string {
  if (text === undefined) return "";
  return text.split("\n").slice(from - 1, to).join("\n");
}

const within = (inner: LineRange, outer: LineRange) => outer[0] <= inner[0] && inner[1] <= outer[1];

/**
 * Passages without those that lie wholly inside another one of the same two files (YAML's sorted
 * keys make the engine report a whole document and pieces of it): the reviewer reads each match once.
 */
function outermost(passages: PassageDTO[]): PassageDTO[] {
  return passages.filter(
    (p, i) =>
      !passages.some(
        (q, j) =>
          j !== i &&
          q.minePath === p.minePath &&
          q.otherPath === p.otherPath &&
          within(p.mineLines, q.mineLines) &&
          within(p.otherLines, q.otherLines) &&
          // Of two identical passages keep the first.
          (j < i || !(within(q.mineLines, p.mineLines) && within(q.otherLines, p.otherLines))),
      ),
  );
}

/** The final editable files of each user for one lab (starter where nothing was saved). */
async function finalFiles(db: Database, lab: Lab, userIds: readonly string[]): Promise<Map<string, Record<string, string>>> {
  const starter = starterFiles(lab);
  const editable = lab.files.filter((f) => !f.readonly).map((f) => f.path);
  const out = new Map(userIds.map((id) => [id, Object.fromEntries(editable.map((p) => [p, starter[p] ?? ""]))]));
  for (let i = 0; i < userIds.length; i += USER_CHUNK) {
    const rows = await db
      .select({ userId: labFiles.userId, path: labFiles.path, content: labFiles.content })
      .from(labFiles)
      .where(and(eq(labFiles.labId, lab.id), inArray(labFiles.userId, userIds.slice(i, i + USER_CHUNK))));
    for (const row of rows) {
      const files = out.get(row.userId);
      if (files && row.path in files) files[row.path] = row.content;
    }
  }
  return out;
}

export async function assessmentSimilarity(
  db: Database,
  actor: Actor,
  assessmentId: string,
  options: SimilarityOptions = {},
): Promise<{ ok: true; similarity: AssessmentSimilarityDTO } | Failure<"not-found" | "no-organisation">> {
  const scope = await reviewerScope(db, actor);
  if (!isScope(scope)) return scope;
  const [assessment] = await db
    .select({ id: assessments.id })
    .from(assessments)
    .where(and(eq(assessments.id, assessmentId), eq(assessments.organisationId, scope.organisationId)))
    .limit(1);
  if (!assessment) return NOT_FOUND;
  // Submitted candidates only: work in progress is still changing, and an unstarted invite has none.
  // The versions once each rather than their settings per candidate (500 JSON documents to parse on every view).
  const [submitted, versions] = await Promise.all([
    db
      .select({
        inviteId: assessmentInvites.id,
        name: assessmentInvites.name,
        userId: assessmentInvites.candidateUserId,
        submittedAt: assessmentInvites.submittedAt,
        versionId: assessmentInvites.versionId,
      })
      .from(assessmentInvites)
      .where(and(eq(assessmentInvites.assessmentId, assessment.id), isNotNull(assessmentInvites.submittedAt), isNotNull(assessmentInvites.candidateUserId)))
      .orderBy(assessmentInvites.id),
    db.select({ id: assessmentVersions.id, settings: assessmentVersions.settings }).from(assessmentVersions).where(eq(assessmentVersions.assessmentId, assessment.id)),
  ]);
  const settingsOf = new Map(versions.map((v) => [v.id, v.settings]));
  const candidates = submitted.flatMap((c) => {
    const settings = settingsOf.get(c.versionId);
    return settings ? [{ ...c, settings }] : [];
  });
  const changed = candidates.length ? await filesChangedAt(db, candidates.map((c) => c.userId!)) : 0;
  const key = JSON.stringify([assessment.id, options, changed, candidates.map((c) => [c.inviteId, c.userId, c.submittedAt?.getTime()])]);
  const known = cache.get(key);
  if (known) return { ok: true, similarity: known };

  // A lab is compared across every version that has it: the same lab is the same task.
  const byLab = new Map<string, { title: string; takers: Array<{ inviteId: string; name: string; userId: string }> }>();
  for (const c of candidates) {
    for (const lab of c.settings.labs) {
      const entry = byLab.get(lab.labId) ?? { title: lab.title, takers: [] };
      entry.takers.push({ inviteId: c.inviteId, name: c.name, userId: c.userId! });
      byLab.set(lab.labId, entry);
    }
  }

  const flags: Record<string, SimilarityFlagDTO[]> = {};
  const add = (inviteId: string, flag: SimilarityFlagDTO) => (flags[inviteId] ??= []).push(flag);
  const labs: AssessmentSimilarityDTO["labs"] = [];
  for (const [labId, { title, takers }] of byLab) {
    const lab = getLab(labId);
    // A lab gone from the catalogue has no starter to discount: comparing would flag the starter.
    if (!lab) continue;
    labs.push({ labId, title, compared: takers.length });
    if (takers.length === 0) continue;
    const files = await finalFiles(db, lab, takers.map((t) => t.userId));
    const trees = new Map<string, FileTree>(takers.map((t) => [t.inviteId, files.get(t.userId)!]));
    const names = new Map(takers.map((t) => [t.inviteId, t.name]));
    const solution = solutionFiles(lab);
    const result = compareSubmissions({
      ...options,
      submissions: takers.map((t) => ({ id: t.inviteId, files: trees.get(t.inviteId)! })),
      starter: starterFiles(lab),
      solution,
    });
    for (const pair of result.pairs) {
      const a = trees.get(pair.a)!;
      const b = trees.get(pair.b)!;
      const common = { kind: "candidate" as const, labId, labTitle: title, score: pair.score, sharedFingerprints: pair.sharedFingerprints, alsoInSolution: pair.alsoInSolution };
      add(pair.a, {
        ...common,
        otherInviteId: pair.b,
        otherName: names.get(pair.b)!,
        passages: outermost(pair.passages.map((p) => ({ minePath: p.aPath, mineLines: p.aLines, mineText: linesOf(a[p.aPath], p.aLines), otherPath: p.bPath, otherLines: p.bLines, otherText: linesOf(b[p.bPath], p.bLines) }))),
      });
      add(pair.b, {
        ...common,
        otherInviteId: pair.a,
        otherName: names.get(pair.a)!,
        passages: outermost(pair.passages.map((p) => ({ minePath: p.bPath, mineLines: p.bLines, mineText: linesOf(b[p.bPath], p.bLines), otherPath: p.aPath, otherLines: p.aLines, otherText: linesOf(a[p.aPath], p.aLines) }))),
      });
    }
    for (const match of result.solutionMatches) {
      const mine = trees.get(match.id)!;
      add(match.id, {
        kind: "solution",
        labId,
        labTitle: title,
        score: match.score,
        sharedFingerprints: match.sharedFingerprints,
        passages: outermost(match.passages.map((p) => ({ minePath: p.aPath, mineLines: p.aLines, mineText: linesOf(mine[p.aPath], p.aLines), otherPath: p.bPath, otherLines: p.bLines, otherText: linesOf(solution[p.bPath], p.bLines) }))),
      });
    }
  }
  return { ok: true, similarity: remember(key, { flags, labs, threshold: options.threshold ?? SIMILARITY_DEFAULTS.threshold }) };
}

/** The flags of one candidate (the report page): the whole assessment is compared, since a pair needs both sides. */
export async function candidateSimilarity(
  db: Database,
  actor: Actor,
  assessmentId: string,
  inviteId: string,
  options: SimilarityOptions = {},
): Promise<{ ok: true; flags: SimilarityFlagDTO[]; threshold: number } | Failure<"not-found" | "no-organisation">> {
  const result = await assessmentSimilarity(db, actor, assessmentId, options);
  if (!result.ok) return result;
  return { ok: true, flags: result.similarity.flags[inviteId] ?? [], threshold: result.similarity.threshold };
}
