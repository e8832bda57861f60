// Every apply of each sandbox lab's files (lib/workspace/applies.ts): when, and what the API server
// made of it, so a reviewer can tell "never applied" from "applied, refused, fixed". Renders
// nothing when no lab of the assessment has a sandbox.
import type { LabReportDTO, ReportApplyDTO } from "@/lib/assessments/report";
import { minutesSince } from "@/lib/assessments/report-model";

function outcome(apply: ReportApplyDTO): string {
  if (apply.error) return `Failed: ${apply.error}`;
  const parts = [`${apply.applied} object${apply.applied === 1 ? "" : "s"} accepted`];
  if (apply.rejected) parts.push(`${apply.rejected} refused`);
  for (const f of apply.failedFiles) parts.push(`${f.path} not applied (${f.error})`);
  return parts.join("; ");
}

export function ApplyHistory({ labs, startedAt }: { labs: LabReportDTO[]; startedAt: Date | null }) {
  const sandboxLabs = labs.filter((l) => l.sandbox);
  if (sandboxLabs.length === 0) return null;
  return (
    <>
      <h2>Applies to the sandbox</h2>
      {sandboxLabs.map((lab) => (
        <section key={lab.labId} className="stack-tight" aria-labelledby={`applies-${lab.labId}`}>
          <h3 id={`applies-${lab.labId}`}>{lab.title}: applies</h3>
          {lab.applies.length ? (
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Apply</th>
                  <th scope="col">Minutes since Start</th>
                  <th scope="col">What the cluster made of it</th>
                  <th scope="col">First refusal</th>
                </tr>
              </thead>
              <tbody>
                {lab.applies.map((apply, i) => (
                  <tr key={i}>
                    <td>{i + 1}</td>
                    <td>{startedAt ? minutesSince(startedAt, apply.at).toFixed(1) : "–"}</td>
                    <td className="pre-wrap">{outcome(apply)}</td>
                    <td className="pre-wrap">{apply.firstRefusal ?? "–"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="muted">The candidate never applied this lab&apos;s files to their sandbox.</p>
          )}
        </section>
      ))}
    </>
  );
}
