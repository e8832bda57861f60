"use client";

// The "Lab environment" card: whether a sandbox can be had, its state and time left, the buttons
// that start, extend, reset and stop it, and the steps of the one running now.
import { useEffect, useState } from "react";
import type { SandboxView } from "@/lib/workspace/views";
import type { SandboxControls } from "./hooks/use-sandbox";
import { useRefreshWhile } from "./hooks/use-refresh-while";
import type { AvailabilityView } from "./types";

/** How often the page asks the server again while the local control plane is starting. */
const STARTING_REFRESH_MS = 5_000;

export function EnvironmentPanel({ labId, availability, controls }: { labId: string; availability: AvailabilityView; controls: SandboxControls }) {
  const { sandbox, steps, busy, error } = controls;
  useRefreshWhile(availability.state === "starting" && !sandbox, STARTING_REFRESH_MS);

  function run(action: "start" | "reset" | "stop") {
    if (action === "stop" && !window.confirm("Stop the lab environment? Everything in its namespace is deleted; your files are kept.")) return;
    if (action === "reset" && !window.confirm("Reset the lab environment? Everything you applied is deleted; your files are kept.")) return;
    void controls.run(action);
  }

  return (
    <section className="card stack-tight" aria-labelledby="env-heading">
      <h2 id="env-heading" className="h-small">
        Lab environment
      </h2>
      <SandboxStatus
        availability={availability}
        sandbox={sandbox}
        busy={busy}
        labId={labId}
        onStart={() => run("start")}
        onReset={() => run("reset")}
        onStop={() => run("stop")}
        onExtend={() => void controls.extend()}
      />
      {steps.length > 0 ? (
        <ol className="progress-steps" aria-label="Progress" aria-live="polite">
          {steps.map((step, i) => (
            <li key={`${i}-${step}`}>{step}</li>
          ))}
        </ol>
      ) : null}
      {error ? (
        <p className="form-error" role="alert">
          {error}
        </p>
      ) : null}
    </section>
  );
}

export function SandboxStatus({
  availability,
  sandbox,
  busy,
  labId,
  onStart,
  onReset,
  onStop,
  onExtend,
}: {
  availability: AvailabilityView;
  sandbox: SandboxView | null;
  busy: boolean;
  labId: string;
  onStart: () => void;
  onReset: () => void;
  onStop: () => void;
  onExtend: () => void;
}) {
  const now = useNow(15_000);
  if (!sandbox) {
    if (availability.state === "unavailable") {
      return (
        <div className="stack-tight" role="status">
          <p>{availability.reason}</p>
          {availability.howToFix.length > 0 ? (
            <ul>
              {availability.howToFix.map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          ) : null}
          <p className="small muted">You can still edit your files; they are saved.</p>
        </div>
      );
    }
    return (
      <div className="stack-tight">
        {availability.state === "starting" ? (
          <div className="stack-tight" role="status">
            <p className="muted small">The local cluster is still starting: {availability.detail}</p>
            <p className="muted small">This page updates by itself when it is ready; you can edit your files meanwhile.</p>
          </div>
        ) : (
          <p className="small">You get your own Kubernetes namespace for this lab. Nobody else can see or change it.</p>
        )}
        <p>
          <button type="button" className="button" onClick={onStart} disabled={busy}>
            {busy ? "Starting…" : "Start lab environment"}
          </button>
        </p>
      </div>
    );
  }
  return (
    <div className="stack-tight">
      <p data-testid="sandbox-state">
        <strong>{sandboxStateLabel(sandbox.state)}</strong> · namespace <code>{sandbox.namespace}</code> · {minutesLeft(sandbox.expiresAt, now)} minutes left
      </p>
      {sandbox.error ? <p className="field-error">{sandbox.error}</p> : null}
      <p className="lab-env-actions">
        <button type="button" className="button button-quiet" onClick={onExtend} disabled={busy}>
          Extend 30 minutes
        </button>
        <button type="button" className="button button-quiet" onClick={onReset} disabled={busy}>
          Reset
        </button>
        <button type="button" className="button button-quiet" onClick={onStop} disabled={busy}>
          Stop
        </button>
        <a className="button button-quiet" href={`/api/labs/${labId}/kubeconfig`} download>
          Download kubeconfig
        </a>
      </p>
    </div>
  );
}

export function sandboxStateLabel(state: SandboxView["state"]): string {
  return state === "ready" ? "Ready" : state === "provisioning" ? "Starting…" : state;
}

/** Whole minutes until `expiresAt`, never below zero. */
export function minutesLeft(expiresAt: string, now: number): number {
  return Math.max(0, Math.round((new Date(expiresAt).getTime() - now) / 60_000));
}

function useNow(intervalMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
