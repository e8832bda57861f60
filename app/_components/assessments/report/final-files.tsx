// The candidate's final files of one lab, each as a diff against the lab's starter.
import type { LabReportDTO } from "@/lib/assessments/report";
import { DiffView } from "./diff-view";

export function FinalFiles({ lab }: { lab: LabReportDTO }) {
  if (!lab.files.length) return <p className="muted">This lab&apos;s files cannot be shown.</p>;
  return (
    <div className="stack-tight">
      {lab.files.map((file) =>
        file.changed ? (
          <DiffView key={file.path} before={file.starter} after={file.final} caption={`${file.path} (revision ${file.revision}) against the starter`} />
        ) : (
          <p key={file.path} className="muted small">
            {file.path}: unchanged from the starter.
          </p>
        ),
      )}
    </div>
  );
}
