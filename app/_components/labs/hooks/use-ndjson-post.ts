"use client";

// A streamed POST as React state: `busy` while it runs, `error` in words when it fails. The sandbox
// and grading streams (and later ones: build logs) share it, so each only says what its events mean.
import { useState } from "react";
import { postNdjson, type StreamErrorEvent } from "./post-ndjson";

export type NdjsonPost<E> = {
  busy: boolean;
  /** The last failure in words, or "" */
  error: string;
  /** For failures of the same feature that do not come from the stream (a server action beside it). */
  setError: (error: string) => void;
  /**
   * Runs one POST. `prepare` runs first, inside the busy window (saving files before grading); a
   * string it returns is shown as the error and nothing is posted.
   */
  post: (options: { body?: unknown; prepare?: () => Promise<string | null>; onEvent: (event: Exclude<E, StreamErrorEvent>) => void }) => Promise<void>;
};

/** `lostConnection` is what to tell the learner when the connection drops mid-stream. */
export function useNdjsonPost<E extends { type: string }>(url: string, { lostConnection }: { lostConnection: string }): NdjsonPost<E> {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");

  async function post({ body, prepare, onEvent }: Parameters<NdjsonPost<E>["post"]>[0]) {
    setBusy(true);
    setError("");
    try {
      const problem = prepare ? await prepare() : null;
      if (problem) {
        setError(problem);
        return;
      }
      const result = await postNdjson<E>(url, { body, onEvent });
      if (!result.ok) setError(result.code === "lost" ? lostConnection : result.error);
    } catch {
      setError(lostConnection);
    } finally {
      setBusy(false);
    }
  }

  return { busy, error, setError, post };
}
