"use client";

// "Build image": saves pending edits, then streams the build: its place in the queue, the log
// line by line, and the outcome (the image reference, or why it failed, in words).
import { useState } from "react";
import type { BuildEvent } from "@/lib/builds/events";
import { UNSAVED_FILES } from "./use-autosave";
import { useNdjsonPost } from "./use-ndjson-post";

/** The browser keeps the newest lines; a build that prints more is still whole in its pod's log. */
export const MAX_LOG_LINES = 2000;

export type BuildState = {
  building: boolean;
  error: string;
  /** Where the build is, in words. */
  status: string;
  log: string[];
  result: Extract<BuildEvent, { type: "done" | "failed" }> | null;
  build: (flush: () => Promise<boolean>) => Promise<void>;
};

/** The words for where a build stands after `event`; null keeps the previous words. */
export function statusWords(event: BuildEvent, previous: string): string | null {
  switch (event.type) {
    case "queued":
      return event.position === 1
        ? `Queued: your build is next (${event.running} running).`
        : `Queued: ${event.position - 1} build${event.position === 2 ? "" : "s"} ahead of yours.`;
    case "started":
      return "Your build has a slot; starting…";
    case "progress":
      return event.words;
    case "log": {
      const step = /^(?:\[(\d+)\/(\d+)\] )?STEP (\d+)\/(\d+):/.exec(event.line);
      if (!step) return null;
      const stage = step[1] ? `stage ${step[1]} of ${step[2]}, ` : "";
      return `Building: ${stage}step ${step[3]} of ${step[4]}…`;
    }
    case "done":
      return `Built and stored in ${Math.round(event.durationMs / 1000)} s.`;
    case "failed":
      return previous;
  }
}

export function useBuild(labId: string): BuildState {
  const [status, setStatus] = useState("");
  const [log, setLog] = useState<string[]>([]);
  const [result, setResult] = useState<BuildState["result"]>(null);
  const stream = useNdjsonPost<BuildEvent>(`/api/labs/${labId}/build`, {
    lostConnection: "Lost the connection to the server during the build; your files are saved. Build again.",
  });

  async function build(flush: () => Promise<boolean>) {
    setStatus("Sending your build…");
    setLog([]);
    setResult(null);
    await stream.post({
      prepare: async () => ((await flush()) ? null : UNSAVED_FILES),
      onEvent: (event) => {
        setStatus((previous) => statusWords(event, previous) ?? previous);
        if (event.type === "log") setLog((lines) => (lines.length >= MAX_LOG_LINES ? [...lines.slice(1), event.line] : [...lines, event.line]));
        if (event.type === "done" || event.type === "failed") setResult(event);
      },
    });
  }

  return { building: stream.busy, error: stream.error, status: stream.busy || result ? status : "", log, result, build };
}
