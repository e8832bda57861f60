// The candidates of an assessment: sorted, filtered and paged on the server from the URL's search
// params (lib/assessments/candidates.ts), so a list of 500+ is one page of 50 rows. Ticking 2–4
// rows and pressing Compare opens the side-by-side page; the CSV has every candidate.
import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ScoreHistogram } from "@/app/_components/assessments/candidates/score-histogram";
import { getAssessment } from "@/lib/assessments/assessments";
import { listCandidates, STATUS_FILTERS, type ListQuery } from "@/lib/assessments/candidates";
import { formatDuration } from "@/lib/assessments/report-model";
import { requireRole } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { NoOrganisation } from "../../../no-organisation";

export const metadata: Metadata = { title: "Candidates" };

type Search = Record<string, string | string[] | undefined>;

/** The list's address with some params changed; defaults are left out so links stay short. */
function href(base: string, query: ListQuery, change: Partial<ListQuery>): string {
  const next = { ...query, ...change };
  const params = new URLSearchParams();
  if (next.sort !== "name") params.set("sort", next.sort);
  if (next.dir !== "asc") params.set("dir", next.dir);
  if (next.status) params.set("status", next.status);
  if (next.result) params.set("result", next.result);
  if (next.flagged) params.set("flagged", next.flagged);
  if (next.q) params.set("q", next.q);
  if (next.page > 1) params.set("page", String(next.page));
  const text = params.toString();
  return text ? `${base}?${text}` : base;
}

export default async function CandidatesPage({ params, searchParams }: { params: Promise<{ assessmentId: string }>; searchParams: Promise<Search> }) {
  const { assessmentId } = await params;
  const base = `/review/assessments/${assessmentId}`;
  const reviewer = await requireRole(`${base}/candidates`, "reviewer");
  const db = await getDb();
  const assessment = await getAssessment(db, reviewer, assessmentId);
  if (!assessment.ok) {
    if (assessment.code === "not-found") notFound();
    return <NoOrganisation message={assessment.error} />;
  }
  const result = await listCandidates(db, reviewer, assessmentId, await searchParams);
  if (!result.ok) notFound();
  const { list } = result;
  const { query } = list;
  const here = `${base}/candidates`;
  const sortLink = (key: ListQuery["sort"], label: string) => {
    const active = query.sort === key;
    const dir = active && query.dir === "asc" ? "desc" : active ? "asc" : key === "name" || key === "status" ? "asc" : "desc";
    return (
      <th scope="col" aria-sort={active ? (query.dir === "asc" ? "ascending" : "descending") : undefined}>
        <Link href={href(here, query, { sort: key, dir, page: 1 })}>
          {label}
          {active ? (query.dir === "asc" ? " ↑" : " ↓") : ""}
        </Link>
      </th>
    );
  };
  return (
    <section className="stack">
      <p className="breadcrumbs">
        <Link href="/review">Assessments</Link> / <Link href={base}>{assessment.assessment.title}</Link> / Candidates
      </p>
      <h1>Candidates</h1>
      <p>
        <a href={`${base}/candidates.csv`} className="button button-quiet" download>
          Download all as CSV
        </a>
      </p>

      <h2>Scores of submitted candidates</h2>
      <ScoreHistogram bins={list.distribution} passMarkPercent={list.passMarkPercent} />

      <form method="get" action={here} className="inline-form" aria-label="Filter candidates">
        <input type="hidden" name="sort" value={query.sort} />
        <input type="hidden" name="dir" value={query.dir} />
        <label>
          Name or email <input name="q" type="search" defaultValue={query.q ?? ""} maxLength={200} />
        </label>
        <label>
          Status{" "}
          <select name="status" defaultValue={query.status ?? ""} className="field-select">
            <option value="">Any</option>
            {STATUS_FILTERS.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Result{" "}
          <select name="result" defaultValue={query.result ?? ""} className="field-select">
            <option value="">Any</option>
            <option value="pass">Pass</option>
            <option value="fail">Fail</option>
          </select>
        </label>
        <label>
          <input type="checkbox" name="flagged" value="1" defaultChecked={query.flagged === "1"} /> Flagged only
        </label>
        <button type="submit" className="button button-quiet">
          Filter
        </button>
        <Link href={here}>Clear</Link>
      </form>

      <p className="muted">
        {list.total} of {list.all} candidates
      </p>
      {list.rows.length ? (
        <form method="get" action={`${here}/compare`} className="stack-tight">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">
                  <span className="visually-hidden">Compare</span>
                </th>
                {sortLink("name", "Candidate")}
                {sortLink("status", "Status")}
                {sortLink("score", "Score")}
                <th scope="col">Result</th>
                {sortLink("time", "Time used")}
                {sortLink("flags", "Flags")}
              </tr>
            </thead>
            <tbody>
              {list.rows.map((r) => (
                <tr key={r.inviteId}>
                  <td>
                    <input type="checkbox" name="id" value={r.inviteId} aria-label={`Compare ${r.name}`} />
                  </td>
                  <td>
                    <Link href={`${base}/candidates/${r.inviteId}`}>{r.name}</Link>
                    <br />
                    <span className="muted small">{r.email}</span>
                  </td>
                  <td>{r.status}</td>
                  <td>{r.percent === null ? "—" : `${r.percent.toFixed(1)}%`}</td>
                  <td>{r.passed === null ? "—" : <span className={r.passed ? "badge badge-ok" : "badge badge-bad"}>{r.passed ? "Pass" : "Fail"}</span>}</td>
                  <td>{r.timeUsedMs === null ? "—" : formatDuration(r.timeUsedMs)}</td>
                  <td>
                    {r.flags.similarity ? <span className="badge badge-bad">{r.flags.similarity} similar</span> : null}{" "}
                    {r.flags.solution ? <span className="badge badge-bad">{r.flags.solution} solution</span> : null}
                    {!r.flags.similarity && !r.flags.solution ? <span className="muted">—</span> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p>
            <button type="submit" className="button">
              Compare the ticked (2 to 4)
            </button>
          </p>
        </form>
      ) : (
        <p className="muted">No candidate matches these filters.</p>
      )}
      {list.pages > 1 ? (
        <nav className="pager" aria-label="Pages of candidates">
          {list.page > 1 ? <Link href={href(here, query, { page: list.page - 1 })}>← Previous</Link> : null}
          <span className="muted">
            Page {list.page} of {list.pages} ({list.pageSize} a page)
          </span>
          {list.page < list.pages ? <Link href={href(here, query, { page: list.page + 1 })}>Next →</Link> : null}
        </nav>
      ) : null}
    </section>
  );
}
