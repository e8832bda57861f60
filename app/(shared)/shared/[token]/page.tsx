// A candidate's report opened from a share link, with no account: read-only. lib/assessments/
// share-links.ts checks the token (unknown, expired, revoked: refused with the reason) and logs the
// opening with the client's address and user agent. The replay is left out: it loads each
// revision through a reviewer's server action, and a shared page must offer no action at all. So
// are the similarity flags, which name and link other candidates, and the reviewers' notes.
import type { Metadata } from "next";
import { headers } from "next/headers";
import { ApplyHistory } from "@/app/_components/assessments/report/apply-history";
import { FinalFiles } from "@/app/_components/assessments/report/final-files";
import { IntegrityPanel } from "@/app/_components/assessments/report/integrity-panel";
import { LabResults } from "@/app/_components/assessments/report/lab-results";
import { ReportSummary } from "@/app/_components/assessments/report/summary";
import { TimelineChart } from "@/app/_components/assessments/report/timeline-chart";
import "@/app/_components/assessments/report/report.css";
import { openSharedReport } from "@/lib/assessments/share-links";
import { clientAddress } from "@/lib/auth/client-address";
import { getDb } from "@/lib/db";

export const dynamic = "force-dynamic";
export const metadata: Metadata = { title: "Shared report", robots: { index: false, follow: false }, referrer: "no-referrer" };

const TITLES = { unknown: "This link does not work", expired: "This link has expired", revoked: "This link was withdrawn" } as const;

export default async function SharedReportPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const requestHeaders = await headers();
  const result = await openSharedReport(await getDb(), token, { clientAddress: clientAddress(requestHeaders), userAgent: requestHeaders.get("user-agent") });
  if (!result.ok) {
    return (
      <section className="stack">
        <h1>{TITLES[result.code]}</h1>
        <p>{result.error}</p>
      </section>
    );
  }
  const { report } = result;
  return (
    <section className="stack">
      <p className="muted small">
        Shared report, read-only. This link works until {result.expiresAt.toISOString().slice(0, 16).replace("T", " ")} UTC; each opening is logged.
      </p>
      <h1>
        {report.name} <span className="muted small">{report.version.title}</span>
      </h1>
      <ReportSummary report={report} />

      <h2>Results</h2>
      <LabResults labs={report.labs} />

      <h2>Attempts over time</h2>
      <TimelineChart labs={report.labs} startedAt={report.startedAt} />

      <ApplyHistory labs={report.labs} startedAt={report.startedAt} />

      <h2>Integrity</h2>
      <IntegrityPanel labs={report.labs} recorded={{ pastes: report.pastes, away: report.away }} />

      <h2>Final files</h2>
      {report.labs.map((lab) => (
        <section key={lab.labId} className="stack-tight" aria-labelledby={`files-${lab.labId}`}>
          <h3 id={`files-${lab.labId}`}>{lab.title}</h3>
          <FinalFiles lab={lab} />
        </section>
      ))}
    </section>
  );
}
