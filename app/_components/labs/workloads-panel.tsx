"use client";

// The "Workloads" card: the learner's pods in their sandbox, as `kubectl get pods`, `describe` and
// `logs` would show them, read again every few seconds (hooks/use-workloads): status, restarts,
// what is wrong in words, and, folded away, recent events and the last log lines of each
// container. Everything shown is text from the cluster, rendered as text (never as HTML).
// Only the one-line summary is a live region, and it changes only when the counts change, so a
// screen reader is not read the whole list every few seconds.
import type { ContainerView, PodView, WorkloadProblemView, WorkloadsView } from "@/lib/workspace/views";
import { useWorkloads } from "./hooks/use-workloads";

export function WorkloadsPanel({ labId, active, refreshSignal }: { labId: string; active: boolean; refreshSignal?: unknown }) {
  const { view, error, loading } = useWorkloads(labId, active, refreshSignal);
  return (
    <section className="card stack-tight" aria-labelledby="workloads-heading" data-testid="workloads-panel">
      <h2 id="workloads-heading" className="h-small">
        Workloads
      </h2>
      <WorkloadsBody view={view} loading={loading} error={error} />
    </section>
  );
}

export function WorkloadsBody({ view, loading, error }: { view: WorkloadsView | null; loading: boolean; error: string }) {
  return (
    <>
      <p className="small muted" role="status" aria-live="polite" data-testid="workloads-summary">
        {view ? summaryText(view) : loading ? "Reading your workloads…" : ""}
      </p>
      {error ? <p className="field-error">{error}</p> : null}
      {view && view.pods.length === 0 && view.workloads.length === 0 ? (
        <p className="small">
          No pods in your namespace yet. Apply your files (or use <code>kubectl</code> with your kubeconfig) and they show here, with their status, events and logs.
        </p>
      ) : null}
      {view && view.workloads.length > 0 ? (
        <ul className="workload-list" aria-label="Workloads with problems">
          {view.workloads.map((workload) => (
            <WorkloadProblemRow key={`${workload.kind}/${workload.name}`} workload={workload} />
          ))}
        </ul>
      ) : null}
      {view && view.pods.length > 0 ? (
        <ul className="workload-list" aria-label="Pods">
          {view.pods.map((pod) => (
            <PodRow key={pod.name} pod={pod} />
          ))}
        </ul>
      ) : null}
      {view && view.morePods > 0 ? <p className="small muted">{view.morePods} more pods are not listed here; use kubectl get pods to see them all.</p> : null}
    </>
  );
}

export type PodHealth = "ok" | "progress" | "bad";

/** ok: running and ready, or completed; bad: something is wrong that the learner should fix; progress: on its way. */
export function podHealth(pod: PodView): PodHealth {
  if (pod.problems.length > 0 || pod.phase === "Failed") return "bad";
  if (pod.phase === "Succeeded") return "ok";
  if (pod.phase === "Running" && pod.ready.ready === pod.ready.total && pod.status !== "Terminating") return "ok";
  return "progress";
}

/** "3 pods: 2 ready or done, 1 with a problem." Counts only, so it changes when something changes. */
export function summaryText(view: WorkloadsView): string {
  const total = view.pods.length + view.morePods;
  const health = view.pods.map(podHealth);
  const count = (h: PodHealth) => health.filter((x) => x === h).length;
  const parts = [
    count("ok") > 0 ? `${count("ok")} ready or done` : "",
    count("progress") > 0 ? `${count("progress")} starting` : "",
    count("bad") > 0 ? `${count("bad")} with ${count("bad") === 1 ? "a problem" : "problems"}` : "",
  ].filter(Boolean);
  const pods = total === 0 ? "No pods." : `${total} ${total === 1 ? "pod" : "pods"}${parts.length ? `: ${parts.join(", ")}` : ""}.`;
  const workloads = view.workloads.length;
  return workloads === 0 ? pods : `${pods} ${workloads} ${workloads === 1 ? "workload has a problem" : "workloads have problems"}.`;
}

const HEALTH_BADGE: Record<PodHealth, string> = { ok: "badge badge-ok", progress: "badge badge-progress", bad: "badge badge-bad" };

function PodRow({ pod }: { pod: PodView }) {
  const health = podHealth(pod);
  const logContainers = pod.containers;
  return (
    <li className={`workload-row workload-${health}`} data-testid={`pod-${pod.name}`}>
      <h3 className="workload-head">
        <code className="workload-name">{pod.name}</code>
        <span className={HEALTH_BADGE[health]} data-testid="pod-status">
          {pod.status}
        </span>
      </h3>
      <p className="small muted workload-facts">
        {pod.owner ? (
          <span>
            {pod.owner.kind} <code>{pod.owner.name}</code>
          </span>
        ) : (
          <span>bare pod</span>
        )}
        <span>
          ready {pod.ready.ready}/{pod.ready.total}
        </span>
        <span>
          {pod.restarts} {pod.restarts === 1 ? "restart" : "restarts"}
        </span>
        {pod.age ? <span>age {pod.age}</span> : null}
        <span>{nodeText(pod)}</span>
      </p>
      {pod.problems.length > 0 ? (
        <ul className="workload-problems" data-testid="pod-problems">
          {pod.problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      ) : null}
      <details className="workload-more">
        <summary>Events ({pod.events.length})</summary>
        <EventList events={pod.events} />
      </details>
      <details className="workload-more" data-testid="pod-logs">
        <summary>Logs</summary>
        {logContainers.map((c) => (
          <ContainerLogs key={`${c.init ? "init" : "main"}/${c.name}`} container={c} many={logContainers.length > 1} />
        ))}
      </details>
    </li>
  );
}

function nodeText(pod: PodView): string {
  if (pod.node.kind === "unscheduled") return "not on a node yet";
  if (pod.node.kind === "simulated") return "simulated node";
  return `node ${pod.node.name}`;
}

function WorkloadProblemRow({ workload }: { workload: WorkloadProblemView }) {
  const name = workload.owner ? `${workload.owner.kind} ${workload.owner.name}` : `${workload.kind} ${workload.name}`;
  return (
    <li className="workload-row workload-bad" data-testid={`workload-${workload.kind}-${workload.name}`}>
      <h3 className="workload-head">
        <code className="workload-name">{name}</code>
        <span className={HEALTH_BADGE.bad}>{workload.pods === 0 ? "no pods" : `${workload.pods} ${workload.pods === 1 ? "pod" : "pods"}`}</span>
      </h3>
      <ul className="workload-problems" data-testid="workload-problems">
        {workload.problems.map((problem) => (
          <li key={problem}>{problem}</li>
        ))}
      </ul>
      <details className="workload-more">
        <summary>Events ({workload.events.length})</summary>
        <EventList events={workload.events} />
      </details>
    </li>
  );
}

function EventList({ events }: { events: PodView["events"] }) {
  if (events.length === 0) return <p className="small muted">No recent events.</p>;
  return (
    <ol className="workload-events small">
      {events.map((event, i) => (
        <li key={`${i}-${event.object}-${event.reason}`} className={event.type === "Warning" ? "event-warning" : undefined}>
          <span className="muted">{event.age ? `${event.age} ago` : ""}</span> <strong>{event.type === "Warning" ? "Warning" : ""} {event.reason}</strong>{" "}
          <span className="muted">({event.object}{event.count > 1 ? `, ${event.count} times` : ""})</span>: {event.message}
        </li>
      ))}
    </ol>
  );
}

const SOURCE_TEXT = { current: "", "last-run": " (the run that ended)", "previous-run": " (the run before this one)" } as const;

function ContainerLogs({ container, many }: { container: ContainerView; many: boolean }) {
  const title = `${container.init ? "Init container" : "Container"} ${container.name}`;
  const views = [container.logs, ...(container.previousLogs ? [container.previousLogs] : [])];
  return (
    <div className="stack-tight">
      {views.map((log, i) => (
        <div key={i}>
          {many || !log.available || log.source !== "current" ? (
            <p className="small">
              <strong>{title}</strong>
              {log.available ? SOURCE_TEXT[log.source] : ""}
            </p>
          ) : null}
          {log.available ? (
            <pre className="workload-log" tabIndex={0} aria-label={`Last log lines of ${title}`}>
              {log.lines.join("\n")}
            </pre>
          ) : (
            <p className="small muted">{log.reason}</p>
          )}
          {log.available && log.truncated ? <p className="small muted">Only the end of a long log is shown; kubectl logs shows more.</p> : null}
        </div>
      ))}
    </div>
  );
}
