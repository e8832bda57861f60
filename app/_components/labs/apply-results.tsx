// What "Apply to sandbox" did: per file, each object applied or rejected with the API server's reason.
import type { ApplyOutcome } from "./hooks/use-sandbox";

export function ApplyResults({ result }: { result: ApplyOutcome }) {
  if (!result.ok) {
    return (
      <p className="form-error" role="alert">
        {result.error}
      </p>
    );
  }
  return (
    <section className="card stack-tight" aria-label="Apply results" role="status">
      {result.files.map((f) => (
        <div key={f.path}>
          <p>
            <strong>{f.path}</strong>
            {f.ok ? "" : `: ${f.error}`}
          </p>
          {f.results?.length ? (
            <ul className="small apply-list">
              {f.results.map((r) => (
                <li key={`${r.document}-${r.kind}-${r.name}`} className={r.outcome === "applied" ? "apply-ok" : "apply-bad"}>
                  {r.kind}/{r.name} (document {r.document}, line {r.line}):{" "}
                  {r.outcome === "applied" ? "applied" : `rejected — ${r.message}${r.field ? ` [field ${r.field}]` : ""}`}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ))}
    </section>
  );
}
