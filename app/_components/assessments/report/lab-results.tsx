// Per lab: weight, score, time (recorded, or estimated when nothing was recorded); then each lab's checks with the grader's reasons.
import { InlineText } from "@/app/_components/inline-text";
import type { LabReportDTO } from "@/lib/assessments/report";
import { formatDuration } from "@/lib/assessments/report-model";

const STATUS_WORDS = { pass: "Passed", fail: "Failed", error: "Check error" } as const;

export function LabResults({ labs }: { labs: LabReportDTO[] }) {
  // recordedMs is null on every lab or on none (the report recorded active time, or it did not).
  const recorded = labs.some((lab) => lab.recordedMs !== null);
  return (
    <>
      <table className="table">
        <caption>Score per lab (the last attempt of each)</caption>
        <thead>
          <tr>
            <th scope="col">Lab</th>
            <th scope="col">Weight</th>
            <th scope="col">Score</th>
            <th scope="col">Attempts</th>
            <th scope="col">Applies</th>
            <th scope="col">{recorded ? "Time (recorded)" : "Time (estimate)"}</th>
          </tr>
        </thead>
        <tbody>
          {labs.map((lab) => (
            <tr key={lab.labId}>
              <th scope="row">{lab.title}</th>
              <td>{lab.weight}</td>
              <td>{lab.score ? `${lab.score.earned} / ${lab.score.max} (${Math.round(lab.score.percent)}%)` : "Never checked (0%)"}</td>
              <td>{lab.attempts.length}</td>
              <td>{lab.sandbox ? lab.applies.length : "no sandbox"}</td>
              <td>{formatDuration(lab.recordedMs ?? lab.estimatedMs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="field-hint">
        {recorded
          ? "Time per lab is the time the lab's page was open, visible and focused in the candidate's browser, as recorded every 15 seconds."
          : "Time per lab is an estimate: nothing was recorded by the candidate's browser, so the time up to each save, apply or check is counted for that lab, and the time after the last one for its lab."}
      </p>
      {labs.map((lab) => (
        <section key={lab.labId} className="stack-tight" aria-labelledby={`checks-${lab.labId}`}>
          <h3 id={`checks-${lab.labId}`}>{lab.title}: checks</h3>
          {!lab.available ? <p className="form-error">This lab is no longer in the catalogue; its files cannot be shown.</p> : null}
          {lab.checks.length ? (
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Check</th>
                  <th scope="col">Result</th>
                  <th scope="col">Points</th>
                  <th scope="col">The grader&apos;s reason</th>
                </tr>
              </thead>
              <tbody>
                {lab.checks.map((check) => (
                  <tr key={check.id}>
                    <th scope="row">{check.title}</th>
                    <td>
                      <span className={check.status === "pass" ? "badge badge-ok" : "badge badge-bad"}>{STATUS_WORDS[check.status]}</span>
                    </td>
                    <td>
                      {check.earned} / {check.points}
                    </td>
                    <td>
                      <span className="pre-wrap">
                        <InlineText text={check.message} />
                      </span>
                      {check.details.length ? (
                        <ul className="small">
                          {check.details.map((d, i) => (
                            <li key={i} className="pre-wrap">
                              <InlineText text={d} />
                            </li>
                          ))}
                        </ul>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="muted">The candidate never checked this lab, so it scores 0.</p>
          )}
        </section>
      ))}
    </>
  );
}
