// The candidates list, comparison and CSV export on both databases: candidates with real signed
// attempts (appendAttempt) and files (saveLabFiles), read back sorted, filtered and paged, compared
// side by side, and exported as CSV that is parsed back and checked against the same figures.
// Scoping: another organisation gets not-found, a learner ForbiddenError.
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ForbiddenError } from "@/lib/auth/authorize";
import type { DatabaseHandle } from "@/lib/db/client";
import { keyringOf } from "@/lib/grading/attempt-keys";
import { saveLabFiles } from "@/lib/labs/files";
import { getLab, solutionFiles } from "@/lib/labs/registry";
import { DATABASE_KINDS, openTestDatabase } from "@/tests/support/databases";
import { createAssessment } from "./assessments";
import { candidatesCsv, compareCandidates, histogram, listCandidates } from "./candidates";
import { createInvites, revokeInvite } from "./invites";
import { builderInput, createOrganisationWithReviewer, createUser, recordAttempt, startInvite, submitInvite, TWO_LABS, type TestUser } from "./test-helpers";

const keys = keyringOf({ test: randomBytes(32) });
const MINUTE = 60_000;
const [LAB_A, LAB_B] = TWO_LABS; // weights 2 and 1 in builderInput

/** RFC 4180 as csvField writes it: quoted fields with doubled quotes, CRLF line ends. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      row.push(field);
      field = "";
    } else if (ch === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else field += ch;
  }
  return rows;
}

describe.each(DATABASE_KINDS)("candidates list on %s", { timeout: 60_000 }, (kind) => {
  let handle: DatabaseHandle;
  let reviewer: TestUser;
  let assessmentId: string;
  const now = new Date();
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    handle = await openTestDatabase(kind);
    const db = handle.db;
    ({ reviewer } = await createOrganisationWithReviewer(db));
    const created = await createAssessment(db, reviewer, builderInput());
    if (!created.ok) throw new Error(created.error);
    assessmentId = created.assessment.id;
    // 50 who never started (one page), plus the five below.
    const idle = Array.from({ length: 50 }, (_, i) => ({ name: `Idle ${String(i).padStart(2, "0")}`, email: `idle${i}-${randomUUID()}@example.com` }));
    const named = ["Ada", "Bo", "Cy", "Di", '=HYPERLINK("http://x","Ed")'].map((name) => ({ name, email: `${randomUUID()}@example.com` }));
    const invited = await createInvites(db, reviewer, assessmentId, [...named, ...idle], now);
    if (!invited.ok) throw new Error(invited.error);
    for (const i of invited.invites) ids[i.name] = i.id;

    const at = (minutes: number) => new Date(now.getTime() - minutes * MINUTE);
    // Ada: lab A full, lab B nothing: (2·1 + 1·0)/3 = 66.7 % — pass at 60; 30 minutes.
    const ada = await startInvite(db, ids.Ada!, at(60));
    await recordAttempt(db, keys, ada.id, LAB_A, [{ id: "a1", points: 4, earned: 4 }, { id: "a2", points: 6, earned: 6 }], at(40));
    await recordAttempt(db, keys, ada.id, LAB_B, [{ id: "b1", points: 10, earned: 0 }], at(35));
    // She handed in the published solution of lab A: a solution-match flag.
    const solution = solutionFiles(getLab(LAB_A)!);
    const saved = await saveLabFiles(db, ada, LAB_A, Object.entries(solution).map(([path, content]) => ({ path, content })));
    if (!saved.ok) throw new Error(saved.error);
    await submitInvite(db, ids.Ada!, at(30));
    // Bo: lab A 2/10, lab B 10/10: (0.4 + 1)/3 = 46.7 % — fail; 60 minutes.
    const bo = await startInvite(db, ids.Bo!, at(80));
    await recordAttempt(db, keys, bo.id, LAB_A, [{ id: "a1", points: 4, earned: 2 }, { id: "a2", points: 6, earned: 0 }], at(50));
    await recordAttempt(db, keys, bo.id, LAB_B, [{ id: "b1", points: 10, earned: 10 }], at(25));
    await submitInvite(db, ids.Bo!, at(20));
    // Cy: lab A first 0 then 10/10 (the last counts), lab B 10/10: 100 %; 20 minutes.
    const cy = await startInvite(db, ids.Cy!, at(40));
    await recordAttempt(db, keys, cy.id, LAB_A, [{ id: "a1", points: 4, earned: 0 }, { id: "a2", points: 6, earned: 0 }], at(35));
    await recordAttempt(db, keys, cy.id, LAB_A, [{ id: "a1", points: 4, earned: 4 }, { id: "a2", points: 6, earned: 6 }], at(30));
    await recordAttempt(db, keys, cy.id, LAB_B, [{ id: "b1", points: 10, earned: 10 }], at(25));
    await submitInvite(db, ids.Cy!, at(20));
    // Di: started 10 minutes ago, nothing checked yet.
    await startInvite(db, ids.Di!, at(10));
    // Ed (the formula name) was revoked before starting.
    const revoked = await revokeInvite(db, reviewer, ids['=HYPERLINK("http://x","Ed")']!, now);
    if (!revoked.ok) throw new Error(revoked.error);
  });
  afterAll(async () => {
    await handle?.close();
  });

  test("paged 50 a page, sorted by name by default; a page past the end shows the last", async () => {
    const first = await listCandidates(handle.db, reviewer, assessmentId, {}, now);
    if (!first.ok) throw new Error(first.error);
    expect(first.list).toMatchObject({ total: 55, all: 55, page: 1, pages: 2, pageSize: 50 });
    expect(first.list.rows).toHaveLength(50);
    expect(first.list.rows.slice(0, 5).map((r) => r.name)).toEqual(["=HYPERLINK(\"http://x\",\"Ed\")", "Ada", "Bo", "Cy", "Di"]);
    const second = await listCandidates(handle.db, reviewer, assessmentId, { page: "2" }, now);
    if (!second.ok) throw new Error(second.error);
    expect(second.list.rows.map((r) => r.name)).toEqual(["Idle 45", "Idle 46", "Idle 47", "Idle 48", "Idle 49"]);
    const beyond = await listCandidates(handle.db, reviewer, assessmentId, { page: "9" }, now);
    expect(beyond.ok && beyond.list.page).toBe(2);
    // Nonsense in the URL falls back to the defaults rather than failing the page.
    const nonsense = await listCandidates(handle.db, reviewer, assessmentId, { sort: "drop table", dir: "up", page: "-3", status: "x" }, now);
    expect(nonsense.ok && nonsense.list.query).toMatchObject({ sort: "name", dir: "asc", page: 1, status: undefined });
  });

  test("scores, pass or fail, time used and flags are the report's figures; best first puts unscored last", async () => {
    const list = await listCandidates(handle.db, reviewer, assessmentId, { sort: "score", dir: "desc" }, now);
    if (!list.ok) throw new Error(list.error);
    const top = list.list.rows.slice(0, 4);
    expect(top.map((r) => r.name)).toEqual(["Cy", "Ada", "Bo", "Di"]);
    const [cy, ada, bo, di] = top;
    expect(cy!.percent).toBeCloseTo(100, 6);
    expect(ada!.percent).toBeCloseTo(200 / 3, 6);
    expect(bo!.percent).toBeCloseTo(140 / 3, 6);
    expect(di!.percent).toBe(0);
    expect([cy!.passed, ada!.passed, bo!.passed, di!.passed]).toEqual([true, true, false, null]);
    expect([cy!.timeUsedMs, ada!.timeUsedMs, bo!.timeUsedMs, di!.timeUsedMs]).toEqual([20 * MINUTE, 30 * MINUTE, 60 * MINUTE, 10 * MINUTE]);
    expect(cy!.labs.find((l) => l.labId === LAB_A)).toMatchObject({ earned: 10, max: 10, attempts: 2 });
    expect(ada!.flags.solution).toBeGreaterThan(0);
    expect(cy!.flags).toEqual({ similarity: 0, solution: 0 });
    expect(list.list.rows[4]!.percent).toBeNull();
    const ascending = await listCandidates(handle.db, reviewer, assessmentId, { sort: "score", dir: "asc" }, now);
    expect(ascending.ok && ascending.list.rows.slice(0, 4).map((r) => r.name)).toEqual(["Di", "Bo", "Ada", "Cy"]);
    const byTime = await listCandidates(handle.db, reviewer, assessmentId, { sort: "time", dir: "desc" }, now);
    expect(byTime.ok && byTime.list.rows.slice(0, 4).map((r) => r.name)).toEqual(["Bo", "Ada", "Cy", "Di"]);
    // The distribution counts the three submitted: 46.7 → 40–50, 66.7 → 60–70, 100 → the last bin.
    expect(list.list.distribution.map((b) => b.count)).toEqual([0, 0, 0, 0, 1, 0, 1, 0, 0, 1]);
  });

  test("filters: status, result, flagged and a search of names and emails", async () => {
    const names = async (params: Record<string, string>) => {
      const list = await listCandidates(handle.db, reviewer, assessmentId, params, now);
      if (!list.ok) throw new Error(list.error);
      return list.list.rows.map((r) => r.name);
    };
    expect(await names({ result: "pass" })).toEqual(["Ada", "Cy"]);
    expect(await names({ result: "fail" })).toEqual(["Bo"]);
    expect(await names({ status: "started" })).toEqual(["Di"]);
    expect(await names({ status: "revoked" })).toEqual(['=HYPERLINK("http://x","Ed")']);
    expect(await names({ status: "submitted", sort: "submitted", dir: "asc" })).toEqual(["Ada", "Bo", "Cy"]); // Bo and Cy handed in together: by name
    expect(await names({ flagged: "1" })).toEqual(["Ada"]);
    expect(await names({ q: "idle 4" })).toHaveLength(10);
    const filtered = await listCandidates(handle.db, reviewer, assessmentId, { q: "idle" }, now);
    expect(filtered.ok && [filtered.list.total, filtered.list.all]).toEqual([50, 55]);
  });

  test("comparison of 2–4 candidates in the order asked; fewer, more or foreign ones are refused", async () => {
    const compared = await compareCandidates(handle.db, reviewer, assessmentId, [ids.Cy, ids.Bo], now);
    if (!compared.ok) throw new Error(compared.error);
    expect(compared.candidates.map((c) => c.name)).toEqual(["Cy", "Bo"]);
    expect(compared.labs.map((l) => l.labId)).toEqual([LAB_A, LAB_B]);
    expect(compared.labs[0]!.checks.map((c) => c.id).sort()).toEqual(["a1", "a2"]);
    expect(compared.candidates[1]!.labs[0]!.checks).toEqual([
      { id: "a1", title: "Check a1", status: "fail", earned: 2, points: 4 },
      { id: "a2", title: "Check a2", status: "fail", earned: 0, points: 6 },
    ]);
    expect(await compareCandidates(handle.db, reviewer, assessmentId, [ids.Cy], now)).toMatchObject({ ok: false, code: "invalid-input" });
    expect(await compareCandidates(handle.db, reviewer, assessmentId, [ids.Cy, ids.Cy], now)).toMatchObject({ ok: false, code: "invalid-input" });
    const five = [ids.Ada, ids.Bo, ids.Cy, ids.Di, ids["Idle 00"]];
    expect(await compareCandidates(handle.db, reviewer, assessmentId, five, now)).toMatchObject({ ok: false, code: "invalid-input" });
    expect(await compareCandidates(handle.db, reviewer, assessmentId, [ids.Cy, randomUUID()], now)).toMatchObject({ ok: false, code: "not-found" });
  });

  test("CSV: one row per candidate with per-lab and per-check columns, parsed back to the list's figures; formulas defused", async () => {
    const exported = await candidatesCsv(handle.db, reviewer, assessmentId, now);
    if (!exported.ok) throw new Error(exported.error);
    const [header, ...rows] = parseCsv(exported.csv);
    expect(rows).toHaveLength(55);
    expect(header!.slice(0, 11)).toEqual(["name", "email", "status", "version", "started", "submitted", "time_used_minutes", "score_percent", "passed", "similarity_flags", "solution_flags"]);
    expect(header).toEqual(expect.arrayContaining([`${LAB_A} percent`, `${LAB_A}/a1`, `${LAB_A}/a2`, `${LAB_B} max`, `${LAB_B}/b1`]));
    const record = (name: string) => Object.fromEntries(header!.map((h, i) => [h, rows.find((r) => r[0] === name)![i]]));
    const list = await listCandidates(handle.db, reviewer, assessmentId, { sort: "score", dir: "desc" }, now);
    if (!list.ok) throw new Error(list.error);
    for (const row of list.list.rows.slice(0, 4)) {
      const csv = record(row.name);
      expect(Number(csv.score_percent)).toBeCloseTo(row.percent!, 1);
      expect(Number(csv.time_used_minutes)).toBeCloseTo(row.timeUsedMs! / MINUTE, 1);
      expect(csv.passed).toBe(row.passed === null ? "" : row.passed ? "yes" : "no");
      expect(Number(csv.solution_flags)).toBe(row.flags.solution);
    }
    expect(record("Bo")).toMatchObject({ status: "submitted", [`${LAB_A} earned`]: "2", [`${LAB_A} max`]: "10", [`${LAB_A}/a1`]: "2", [`${LAB_A}/a2`]: "0", [`${LAB_B}/b1`]: "10", score_percent: "46.7", passed: "no" });
    expect(record("Idle 00")).toMatchObject({ status: "invited", score_percent: "", [`${LAB_A}/a1`]: "" });
    // The formula name comes back as text with a leading quote mark, not as a formula.
    expect(rows.some((r) => r[0] === `'=HYPERLINK("http://x","Ed")`)).toBe(true);
    expect(exported.csv).toContain(`"'=HYPERLINK(""http://x"",""Ed"")"`);
  });

  test("scoped: another organisation gets not-found, a learner ForbiddenError", async () => {
    const { reviewer: stranger } = await createOrganisationWithReviewer(handle.db);
    expect(await listCandidates(handle.db, stranger, assessmentId, {}, now)).toMatchObject({ ok: false, code: "not-found" });
    expect(await compareCandidates(handle.db, stranger, assessmentId, [ids.Ada, ids.Bo], now)).toMatchObject({ ok: false, code: "not-found" });
    expect(await candidatesCsv(handle.db, stranger, assessmentId, now)).toMatchObject({ ok: false, code: "not-found" });
    const learner = await createUser(handle.db, "learner");
    await expect(listCandidates(handle.db, learner, assessmentId, {}, now)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(compareCandidates(handle.db, learner, assessmentId, [], now)).rejects.toBeInstanceOf(ForbiddenError);
    await expect(candidatesCsv(handle.db, learner, assessmentId, now)).rejects.toBeInstanceOf(ForbiddenError);
  });
});

test("histogram: ten bins of 10 points, 100 in the last", () => {
  expect(histogram([0, 9.99, 10, 59.9, 60, 100]).map((b) => b.count)).toEqual([2, 1, 0, 0, 0, 1, 1, 0, 0, 1]);
});
