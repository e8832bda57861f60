"use client";

// The candidate's recorder in the browser (decision 017, part 5): active time per lab (a heartbeat
// every 15 s with the visible and focused milliseconds since the last one), the page losing focus
// and coming back (blur/focus and visibilitychange, debounced), and large pastes (size and file,
// never the text). Everything goes to POST /api/take/events, which trusts none of it blindly: the
// server stamps the time, clamps active time and refuses anything after the deadline. A refusal
// that will not change (the session ended, 401/403/409) stops the recorder; a lost request is
// dropped, so a flaky network costs a heartbeat, not the page.
import { useCallback, useEffect, useRef } from "react";
import { RECORDING } from "@/lib/assessments/limits";
import type { RecordedEvent } from "@/lib/assessments/schema";
import { activeClock, focusTracker, observeFocus, setActive, settleFocus, takeActive } from "./recorder-model";

const STOPS = new Set([401, 403, 409]);

function pageActive(): boolean {
  return document.visibilityState === "visible" && document.hasFocus();
}

export function useAssessmentRecorder(labId: string | null): { paste: (path: string, chars: number) => void } {
  const queue = useRef<RecordedEvent[]>([]);
  const stopped = useRef(false);

  const flush = useCallback(
    (keepalive = false) => {
      if (stopped.current || queue.current.length === 0) return;
      const events = queue.current.splice(0, RECORDING.maxEventsPerRequest);
      fetch("/api/take/events", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ labId, events }),
        keepalive,
      })
        .then((response) => {
          if (STOPS.has(response.status)) stopped.current = true;
        })
        .catch(() => {});
    },
    [labId],
  );

  useEffect(() => {
    let clock = activeClock(pageActive(), Date.now());
    let tracker = focusTracker();
    let settleTimer: ReturnType<typeof setTimeout> | undefined;

    const heartbeat = (keepalive: boolean) => {
      const taken = takeActive(clock, Date.now());
      clock = taken.clock;
      if (labId && taken.ms > 0) queue.current.push({ kind: "active", ms: taken.ms });
      flush(keepalive);
    };
    const onChange = () => {
      const now = Date.now();
      const active = pageActive();
      clock = setActive(clock, active, now);
      tracker = observeFocus(tracker, active, now);
      clearTimeout(settleTimer);
      settleTimer = setTimeout(() => {
        const settled = settleFocus(tracker, Date.now(), RECORDING.focusDebounceMs);
        tracker = settled.tracker;
        if (settled.event) {
          queue.current.push({ kind: settled.event });
          flush();
        }
      }, RECORDING.focusDebounceMs + 50);
    };
    const onPageHide = () => heartbeat(true);

    const interval = setInterval(() => heartbeat(false), RECORDING.heartbeatMs);
    window.addEventListener("focus", onChange);
    window.addEventListener("blur", onChange);
    document.addEventListener("visibilitychange", onChange);
    window.addEventListener("pagehide", onPageHide);
    return () => {
      clearInterval(interval);
      clearTimeout(settleTimer);
      window.removeEventListener("focus", onChange);
      window.removeEventListener("blur", onChange);
      document.removeEventListener("visibilitychange", onChange);
      window.removeEventListener("pagehide", onPageHide);
      // Leaving the lab for another page of the assessment: what was counted here is sent now.
      heartbeat(true);
    };
  }, [labId, flush]);

  const paste = useCallback(
    (path: string, chars: number) => {
      if (!labId || chars < RECORDING.minPasteChars) return;
      queue.current.push({ kind: "paste", chars, path });
      flush();
    },
    [labId, flush],
  );
  return { paste };
}
