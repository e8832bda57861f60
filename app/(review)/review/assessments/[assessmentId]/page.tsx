import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { CandidateIntroduction } from "@/app/_components/assessments/candidate-introduction";
import { InviteForms } from "@/app/_components/assessments/invite-forms";
import { InviteRowActions } from "@/app/_components/assessments/invite-row-actions";
import { getAssessment } from "@/lib/assessments/assessments";
import { listInvites, type InviteStatus } from "@/lib/assessments/invites";
import { mailSettings } from "@/lib/assessments/mail";
import { reviewerScope } from "@/lib/assessments/organisations";
import { PageSchema } from "@/lib/assessments/schema";
import { requireRole } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { NoOrganisation } from "../../no-organisation";

export const metadata: Metadata = { title: "Assessment" };

const STATUS_WORDS: Record<InviteStatus, string> = {
  invited: "Invited",
  expired: "Expired",
  revoked: "Revoked",
  started: "Started",
  grading: "Being submitted",
  submitted: "Submitted",
};

export default async function AssessmentPage({
  params,
  searchParams,
}: {
  params: Promise<{ assessmentId: string }>;
  searchParams: Promise<{ page?: string | string[] }>;
}) {
  const { assessmentId } = await params;
  const page = PageSchema.parse((await searchParams).page);
  const reviewer = await requireRole(`/review/assessments/${assessmentId}`, "reviewer");
  const db = await getDb();
  const result = await getAssessment(db, reviewer, assessmentId);
  if (!result.ok) {
    if (result.code === "not-found") notFound();
    return <NoOrganisation message={result.error} />;
  }
  const invites = await listInvites(db, reviewer, assessmentId, page);
  if (!invites.ok) notFound();
  const scope = await reviewerScope(db, reviewer);
  const organisationName = "organisationName" in scope ? scope.organisationName : undefined;
  const { assessment } = result;
  const s = assessment.current.settings;
  const emailEnabled = mailSettings() !== null;
  const base = `/review/assessments/${assessment.id}`;
  return (
    <section className="stack">
      <p className="breadcrumbs">
        <Link href="/review">Assessments</Link> / {assessment.title}
      </p>
      <h1>{assessment.title}</h1>
      <p className="muted">
        Version {assessment.current.number} of {assessment.versions} · {s.labs.length} labs · {s.timeLimitMinutes} minutes · pass mark {s.passMarkPercent}% ·
        results {s.showResults ? "shown" : "hidden"} · hints {s.showHints ? "shown" : "hidden"} · invites valid {s.inviteValidityDays} days
      </p>
      <p>
        <Link href={`${base}/edit`} className="button button-quiet">
          Edit
        </Link>
      </p>
      {assessment.current.candidates > 0 ? (
        <p className="field-hint">Candidates are invited to this version, so an edit creates version {assessment.current.number + 1}; their invites stay on theirs.</p>
      ) : null}

      <details>
        <summary>Preview: what candidates see before they start</summary>
        <CandidateIntroduction
          view={{
            organisationName,
            title: s.title,
            introduction: s.introduction,
            labs: s.labs,
            timeLimitMinutes: s.timeLimitMinutes,
            showResults: s.showResults,
            showHints: s.showHints,
          }}
        />
      </details>

      <h2>Invite candidates</h2>
      <p className="muted">
        New invites are for version {assessment.current.number} and valid for {s.inviteValidityDays} days. Each link works once, for one candidate. Academy
        keeps only a fingerprint of each link, so links are shown, copied and downloaded right after they are made, and never again: a lost link is replaced
        with Reset.
      </p>
      <InviteForms assessmentId={assessment.id} emailEnabled={emailEnabled} />

      <h2>Candidates ({invites.total})</h2>
      {invites.total ? (
        <p>
          <Link href={`${base}/candidates`}>Scores, filters, comparison and CSV of all candidates</Link>
        </p>
      ) : null}
      {invites.total ? (
        <>
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Candidate</th>
                <th scope="col">Version</th>
                <th scope="col">Status</th>
                <th scope="col">Expires</th>
                <th scope="col">Emailed</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {invites.invites.map((i) => (
                <tr key={i.id}>
                  <td>
                    <Link href={`${base}/candidates/${i.id}`} aria-label={`Report on ${i.name}`}>{i.name}</Link>
                    <br />
                    <span className="muted small">{i.email}</span>
                  </td>
                  <td>{i.versionNumber}</td>
                  <td>
                    <span className={i.status === "submitted" ? "badge badge-ok" : "badge"}>{STATUS_WORDS[i.status]}</span>
                  </td>
                  <td>{i.expiresAt.toISOString().slice(0, 16).replace("T", " ")} UTC</td>
                  <td>{i.emailedAt ? i.emailedAt.toISOString().slice(0, 10) : "—"}</td>
                  <td>
                    <InviteRowActions
                      assessmentId={assessment.id}
                      inviteId={i.id}
                      email={i.email}
                      status={i.status}
                      emailEnabled={emailEnabled}
                      validityDays={s.inviteValidityDays}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {invites.pages > 1 ? (
            <nav className="pager" aria-label="Pages of candidates">
              {invites.page > 1 ? <Link href={`${base}?page=${invites.page - 1}`}>← Newer</Link> : null}
              <span className="muted">
                Page {invites.page} of {invites.pages} ({invites.pageSize} a page)
              </span>
              {invites.page < invites.pages ? <Link href={`${base}?page=${invites.page + 1}`}>Older →</Link> : null}
            </nav>
          ) : null}
        </>
      ) : (
        <p className="muted">Nobody is invited yet.</p>
      )}
    </section>
  );
}
