import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ShareLinks } from "@/app/_components/assessments/candidates/share-links";
import { ApplyHistory } from "@/app/_components/assessments/report/apply-history";
import { FinalFiles } from "@/app/_components/assessments/report/final-files";
import { IntegrityPanel } from "@/app/_components/assessments/report/integrity-panel";
import { LabResults } from "@/app/_components/assessments/report/lab-results";
import { Replay } from "@/app/_components/assessments/report/replay";
import { SimilarityFlags } from "@/app/_components/assessments/report/similarity-flags";
import { ReviewList } from "@/app/_components/assessments/report/review-list";
import { ReviewNotesForm } from "@/app/_components/assessments/report/review-notes";
import { ReportSummary } from "@/app/_components/assessments/report/summary";
import { TimelineChart } from "@/app/_components/assessments/report/timeline-chart";
import "@/app/_components/assessments/report/report.css";
import { getCandidateReport } from "@/lib/assessments/report";
import { listCandidateReviews } from "@/lib/assessments/reviews";
import { listShareLinks } from "@/lib/assessments/share-links";
import { candidateSimilarity } from "@/lib/assessments/similarity-run";
import { requireRole } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { NoOrganisation } from "../../../../no-organisation";

export const metadata: Metadata = { title: "Candidate report" };

export default async function CandidateReportPage({ params }: { params: Promise<{ assessmentId: string; inviteId: string }> }) {
  const { assessmentId, inviteId } = await params;
  const reviewer = await requireRole(`/review/assessments/${assessmentId}/candidates/${inviteId}`, "reviewer");
  const db = await getDb();
  const result = await getCandidateReport(db, reviewer, assessmentId, inviteId);
  if (!result.ok) {
    if (result.code === "not-found") notFound();
    return <NoOrganisation message={result.error} />;
  }
  const { report } = result;
  const submitted = report.status === "submitted";
  const similarity = submitted ? await candidateSimilarity(db, reviewer, assessmentId, inviteId) : null;
  const reviewed = await listCandidateReviews(db, reviewer, assessmentId, inviteId);
  const reviews = reviewed.ok ? reviewed.reviews : [];
  const mine = reviews.find((r) => r.mine) ?? null;
  const base = `/review/assessments/${assessmentId}`;
  const shares = await listShareLinks(db, reviewer, assessmentId, inviteId);
  return (
    <section className="stack">
      <p className="breadcrumbs">
        <Link href="/review">Assessments</Link> / <Link href={base}>{report.version.title}</Link> / {report.name}
      </p>
      <h1>
        {report.name} <span className="muted small">{report.email}</span>
      </h1>
      <ReportSummary report={report} />

      <h2>Notes and ratings</h2>
      <ReviewList reviews={reviews} />
      <ReviewNotesForm assessmentId={assessmentId} inviteId={inviteId} mine={mine ? { rating: mine.rating, notes: mine.notes } : null} />

      <h2>Results</h2>
      <LabResults labs={report.labs} />

      <h2>Attempts over time</h2>
      <TimelineChart labs={report.labs} startedAt={report.startedAt} />

      <ApplyHistory labs={report.labs} startedAt={report.startedAt} />

      <h2>Integrity</h2>
      <IntegrityPanel labs={report.labs} recorded={{ pastes: report.pastes, away: report.away }} />

      <h2>Similarity</h2>
      {similarity && similarity.ok ? (
        <SimilarityFlags flags={similarity.flags} threshold={similarity.threshold} assessmentId={assessmentId} submitted={submitted} />
      ) : (
        <SimilarityFlags flags={[]} threshold={0} assessmentId={assessmentId} submitted={false} />
      )}

      <h2>Final files</h2>
      {report.labs.map((lab) => (
        <section key={lab.labId} className="stack-tight" aria-labelledby={`files-${lab.labId}`}>
          <h3 id={`files-${lab.labId}`}>{lab.title}</h3>
          <FinalFiles lab={lab} />
        </section>
      ))}

      <h2>Replay</h2>
      <p className="muted">Every revision the candidate saved, in order. Each one is loaded when you reach it.</p>
      {report.labs.map((lab) => (
        <section key={lab.labId} className="stack-tight" aria-labelledby={`replay-${lab.labId}-title`}>
          <h3 id={`replay-${lab.labId}-title`}>
            {lab.title} <span className="muted small">({lab.revisions.length} revisions)</span>
          </h3>
          <Replay
            assessmentId={assessmentId}
            inviteId={inviteId}
            labId={lab.labId}
            labTitle={lab.title}
            revisions={lab.revisions.map((r) => ({ path: r.path, revision: r.revision, source: r.source, at: r.at.toISOString(), bytes: r.bytes }))}
          />
        </section>
      ))}

      <h2>Share</h2>
      <p className="muted">
        A share link shows this report, read-only and without the replay, to someone without an account until it expires or is revoked. Each opening is
        logged below.
      </p>
      <ShareLinks
        assessmentId={assessmentId}
        inviteId={inviteId}
        links={(shares.ok ? shares.links : []).map((l) => ({
          id: l.id,
          createdAt: l.createdAt.toISOString(),
          createdBy: l.createdBy,
          expiresAt: l.expiresAt.toISOString(),
          state: l.state,
          uses: l.uses,
          recentUses: l.recentUses.map((u) => ({ at: u.at.toISOString(), clientAddress: u.clientAddress, userAgent: u.userAgent })),
        }))}
      />
    </section>
  );
}
