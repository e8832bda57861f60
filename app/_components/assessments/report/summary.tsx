// The top of a candidate's report: who, which version, the total against the pass mark.
import type { CandidateReportDTO } from "@/lib/assessments/report";
import { formatDuration } from "@/lib/assessments/report-model";

const STATUS_WORDS = { invited: "Invited, not started", expired: "Expired before starting", revoked: "Revoked", started: "In progress", grading: "Being submitted: the final grading is running", submitted: "Submitted" } as const;

function when(date: Date | null): string {
  return date ? `${date.toISOString().slice(0, 16).replace("T", " ")} UTC` : "—";
}

export function ReportSummary({ report }: { report: CandidateReportDTO }) {
  const { version } = report;
  const elapsed = report.startedAt ? (report.submittedAt ?? new Date()).getTime() - report.startedAt.getTime() : null;
  return (
    <div className="report-summary card">
      <p className="report-total">
        <span className="report-percent">{report.percent.toFixed(1)}%</span>{" "}
        <span className={report.passed ? "badge badge-ok" : "badge badge-bad"}>{report.passed ? "Pass" : "Fail"}</span>{" "}
        <span className="muted">pass mark {version.passMarkPercent}%{report.status === "submitted" ? "" : " (not submitted yet: the result is provisional)"}</span>
      </p>
      <dl className="report-facts">
        <dt>Status</dt>
        <dd>{STATUS_WORDS[report.status]}</dd>
        <dt>Version taken</dt>
        <dd>
          Version {version.number}
          {version.number !== version.currentNumber ? ` (the assessment is now at version ${version.currentNumber})` : ""} · {version.timeLimitMinutes} minutes
        </dd>
        <dt>Started</dt>
        <dd>{when(report.startedAt)}</dd>
        <dt>Submitted</dt>
        <dd>
          {when(report.submittedAt)}
          {elapsed !== null && report.submittedAt ? ` (after ${formatDuration(elapsed)})` : ""}
        </dd>
      </dl>
    </div>
  );
}
