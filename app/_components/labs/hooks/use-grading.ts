"use client";

// "Check my work": saves pending edits, then streams each check's result as it finishes. Between
// runs the page shows the last attempt; during a run, the checks the server announced. When an
// attempt completes a step of the lab, the page (a server component) is refreshed: it then shows
// the next step's text and checks, which the server withheld until now.
import { useRouter } from "next/navigation";
import { useState } from "react";
import type { AttemptView, CheckEvent } from "@/lib/workspace/views";
import type { CheckResult, CheckSummary, CheckWaitingView } from "../types";
import { UNSAVED_FILES } from "./use-autosave";
import { useNdjsonPost } from "./use-ndjson-post";

export type Grading = {
  grading: boolean;
  error: string;
  /** The checks in the order they run: the server's list during a run, the lab's otherwise. */
  checks: CheckSummary[];
  /** This visit's results so far, or the last attempt's. */
  results: CheckResult[];
  /** Checks of the running grading that wait for a condition, by check id, until their result comes. */
  waiting: Record<string, CheckWaitingView>;
  /** True while the results shown are those of an earlier attempt. */
  showingLastAttempt: boolean;
  attempts: AttemptView[];
  /** The newest attempt, whose score is shown between runs. */
  lastAttempt: AttemptView | null;
  /** What the server is doing after the checks (setting up the next step), while it does it. */
  progress: string;
  /** The attempt completed a step, but the next step's setup objects could not be applied. */
  setupError: string;
  check: (flush: () => Promise<boolean>) => Promise<void>;
};

export function useGrading(labId: string, checks: CheckSummary[], initialAttempts: AttemptView[]): Grading {
  const [live, setLive] = useState<{ checks: CheckSummary[]; results: CheckResult[]; waiting: Record<string, CheckWaitingView> }>({
    checks: [],
    results: [],
    waiting: {},
  });
  const [attempts, setAttempts] = useState(initialAttempts);
  const [progress, setProgress] = useState("");
  const [setupError, setSetupError] = useState("");
  const router = useRouter();
  const stream = useNdjsonPost<CheckEvent>(`/api/labs/${labId}/check`, {
    lostConnection: "Lost the connection to the server; your files are saved. Try again.",
  });

  async function check(flush: () => Promise<boolean>) {
    setLive({ checks, results: [], waiting: {} });
    setProgress("");
    setSetupError("");
    const stepsBefore = (attempts[0]?.completedSteps ?? []).length;
    let stepCompleted = false;
    await stream.post({
      prepare: async () => ((await flush()) ? null : UNSAVED_FILES),
      onEvent: (event) => {
        if (event.type === "started") setLive((l) => ({ ...l, checks: event.checks }));
        else if (event.type === "waiting") {
          setLive((l) => {
            const id = l.checks[event.index]?.id;
            return id ? { ...l, waiting: { ...l.waiting, [id]: event.waiting } } : l;
          });
        } else if (event.type === "check") {
          setLive((l) => {
            const { [event.result.id]: _done, ...waiting } = l.waiting;
            return { ...l, results: [...l.results, event.result], waiting };
          });
        } else if (event.type === "progress") setProgress(event.message);
        else {
          setAttempts((a) => [event.attempt, ...a]);
          stepCompleted = event.attempt.completedSteps.length > stepsBefore;
          setProgress("");
          setSetupError(event.setupError ?? "");
        }
      },
    });
    // The next step's text and checks come from the server, now that it is unlocked.
    if (stepCompleted) router.refresh();
  }

  const grading = stream.busy;
  const lastAttempt = attempts[0] ?? null;
  const showLive = grading || live.results.length > 0;
  return {
    grading,
    error: stream.error,
    checks: grading && live.checks.length ? live.checks : checks,
    results: showLive ? live.results : (lastAttempt?.results ?? []),
    waiting: grading ? live.waiting : {},
    showingLastAttempt: !showLive && lastAttempt !== null,
    attempts,
    lastAttempt,
    progress,
    setupError,
    check,
  };
}
