"use client";

// The learner's lab environment: start, reset and stop stream their steps in words; extend and
// apply are server actions. Confirmation dialogs are the environment panel's job, not this hook's.
import { useState } from "react";
import { applyAction, extendAction, type ApplyActionResult } from "@/app/(learn)/labs/[labId]/actions";
import type { SandboxEvent, SandboxView } from "@/lib/workspace/views";
import { UNSAVED_FILES } from "./use-autosave";
import { useNdjsonPost } from "./use-ndjson-post";

/** What the page shows after "Apply": the server's answer, or why the request never reached it. */
export type ApplyOutcome = ApplyActionResult | { ok: false; code: "unsaved" | "lost-connection"; error: string };

export type SandboxControls = {
  sandbox: SandboxView | null;
  /** The steps of the running (or last) start, reset or stop, as the server words them. */
  steps: string[];
  busy: boolean;
  error: string;
  run: (action: "start" | "reset" | "stop") => Promise<void>;
  extend: () => Promise<void>;
  applying: boolean;
  applyResult: ApplyOutcome | null;
  /** Saves pending edits (`flush`), then applies the lab's files to the sandbox. */
  apply: (flush: () => Promise<boolean>) => Promise<void>;
};

export function useSandbox(labId: string, initialSandbox: SandboxView | null): SandboxControls {
  const [sandbox, setSandbox] = useState(initialSandbox);
  const [steps, setSteps] = useState<string[]>([]);
  const stream = useNdjsonPost<SandboxEvent>(`/api/labs/${labId}/sandbox`, {
    lostConnection: "Lost the connection to the server. Reload the page to see the environment's state.",
  });

  async function run(action: "start" | "reset" | "stop") {
    setSteps([]);
    await stream.post({
      body: { action },
      onEvent: (event) => {
        if (event.type === "progress") setSteps((s) => [...s, event.step]);
        else setSandbox(event.sandbox);
      },
    });
  }

  async function extend() {
    stream.setError("");
    const result = await extendAction(labId);
    if (result.ok) setSandbox(result.sandbox);
    else stream.setError(result.error);
  }

  const [applying, setApplying] = useState(false);
  const [applyResult, setApplyResult] = useState<ApplyOutcome | null>(null);

  async function apply(flush: () => Promise<boolean>) {
    setApplying(true);
    setApplyResult(null);
    try {
      if (!(await flush())) {
        setApplyResult({ ok: false, code: "unsaved", error: UNSAVED_FILES });
        return;
      }
      setApplyResult(await applyAction(labId));
    } catch {
      setApplyResult({ ok: false, code: "lost-connection", error: "Lost the connection to the server; try again." });
    } finally {
      setApplying(false);
    }
  }

  return { sandbox, steps, busy: stream.busy, error: stream.error, run, extend, applying, applyResult, apply };
}
