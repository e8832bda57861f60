// Whether each lab's attempts are exactly as the grader stored them (the signed attempt chain,
// lib/grading/attempts.ts), in words a reviewer can act on; beside it, what the candidate's
// browser recorded (decision 017, part 5): large pastes and the times the page lost focus.
import type { LabReportDTO, ReportAwayDTO, ReportPasteDTO } from "@/lib/assessments/report";
import { formatDuration } from "@/lib/assessments/report-model";
import { RECORDING } from "@/lib/assessments/limits";

function when(date: Date): string {
  return `${date.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

/** `recorded`: the report's pastes and times away; without it (a view that has none) nothing is said about them. */
export function IntegrityPanel({ labs, recorded }: { labs: LabReportDTO[]; recorded?: { pastes: ReportPasteDTO[]; away: ReportAwayDTO[] } }) {
  const all = labs.every((l) => l.integrity.verified);
  return (
    <div className={all ? "integrity card" : "integrity integrity-bad card"}>
      <p>
        <strong>{all ? "Verified" : "Not verified"}</strong>:{" "}
        {all
          ? "every attempt in this report is exactly as the grader signed it."
          : "some attempts are not as the grader signed them; do not rely on the scores of those labs, and ask your administrator to run npm run attempts:verify."}
      </p>
      <ul>
        {labs.map((lab) => (
          <li key={lab.labId}>
            {lab.title}:{" "}
            {lab.integrity.verified ? (
              <span className="badge badge-ok">verified</span>
            ) : (
              <>
                <span className="badge badge-bad">not verified</span> {lab.integrity.reason}
              </>
            )}{" "}
            <span className="muted small">
              ({lab.integrity.attempts} attempt{lab.integrity.attempts === 1 ? "" : "s"})
            </span>
          </li>
        ))}
      </ul>
      {recorded ? <RecordedItems pastes={recorded.pastes} away={recorded.away} /> : null}
    </div>
  );
}

function RecordedItems({ pastes, away }: { pastes: ReportPasteDTO[]; away: ReportAwayDTO[] }) {
  return (
    <>
      <h3 className="h-small">
        Large pastes <span className="muted small">({pastes.length})</span>
      </h3>
      {pastes.length ? (
        <table className="table">
          <caption className="field-hint">Pastes of {RECORDING.minPasteChars} characters or more into the editor; their text is not recorded.</caption>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Characters</th>
              <th scope="col">File</th>
              <th scope="col">Lab</th>
            </tr>
          </thead>
          <tbody>
            {pastes.map((paste, i) => (
              <tr key={i}>
                <td>{when(paste.at)}</td>
                <td>{paste.chars.toLocaleString("en")}</td>
                <td>
                  <code>{paste.path}</code>
                </td>
                <td>{paste.labTitle ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p className="muted">No paste of {RECORDING.minPasteChars} characters or more was recorded.</p>
      )}
      <h3 className="h-small">
        Page lost focus <span className="muted small">({away.length === 1 ? "1 time" : `${away.length} times`})</span>
      </h3>
      {away.length ? (
        <ul>
          {away.map((a, i) => (
            <li key={i}>
              {when(a.at)}, {a.labTitle ? `on ${a.labTitle}` : "on the assessment's overview"}:{" "}
              {a.awayMs === null ? "did not come back before the end" : `away for ${formatDuration(a.awayMs)}`}
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">The page did not lose focus (for {RECORDING.focusDebounceMs / 1000} s or more) while it was recorded.</p>
      )}
      <p className="field-hint">
        Recorded by the candidate&apos;s browser at the server&apos;s time. Leaving the window can be innocent (documentation, a second screen); read it
        beside the work.
      </p>
    </>
  );
}
