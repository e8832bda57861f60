"use client";

// The learner's workloads, read again every few seconds while `active` (the sandbox is ready) and
// the page is visible. A hidden tab stops asking and asks at once when it is shown again; the
// next read is scheduled only after the last one answered, so slow answers never pile up.
// `refreshSignal` changing (a new apply result) asks at once.
import { useEffect, useRef, useState } from "react";
import type { WorkloadsView } from "@/lib/workspace/views";
import { fetchWorkloads } from "./fetch-workloads";

export const WORKLOADS_REFRESH_MS = 4_000;

export type WorkloadsState = {
  view: WorkloadsView | null;
  /** Why the last read failed, in words ("" when it did not); the last view is kept meanwhile. */
  error: string;
  /** True until the first answer. */
  loading: boolean;
};

export function useWorkloads(labId: string, active: boolean, refreshSignal: unknown, intervalMs = WORKLOADS_REFRESH_MS): WorkloadsState {
  const [state, setState] = useState<WorkloadsState>({ view: null, error: "", loading: true });
  const readNow = useRef<() => void>(() => {});

  useEffect(() => {
    if (!active) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let running: AbortController | null = null;
    let stopped = false;

    const schedule = () => {
      clearTimeout(timer);
      if (!stopped && document.visibilityState === "visible") timer = setTimeout(read, intervalMs);
    };
    async function read() {
      clearTimeout(timer);
      running?.abort();
      const controller = new AbortController();
      running = controller;
      const answer = await fetchWorkloads(labId, { signal: controller.signal });
      if (stopped || controller.signal.aborted) return;
      running = null;
      setState((prior) => (answer.ok ? { view: answer.view, error: "", loading: false } : { view: prior.view, error: answer.error, loading: false }));
      schedule();
    }
    const onVisibility = () => {
      if (document.visibilityState === "visible") void read();
      else clearTimeout(timer);
    };

    readNow.current = () => void read();
    void read();
    document.addEventListener("visibilitychange", onVisibility);
    return () => {
      stopped = true;
      clearTimeout(timer);
      running?.abort();
      readNow.current = () => {};
      document.removeEventListener("visibilitychange", onVisibility);
    };
  }, [labId, active, intervalMs]);

  useEffect(() => {
    if (refreshSignal) readNow.current();
  }, [refreshSignal]);

  return state;
}
