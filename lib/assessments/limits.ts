// Limits the browser shares with the server: the candidate's recorder and the review form use
// them, and lib/assessments/schema.ts (zod) re-exports them. This module runs in the browser, so it
// imports nothing: zod's eval probe (`new Function`) would be refused by the page's CSP.

/** The `path` of a paste into the lab's terminal rather than into a file. */
export const TERMINAL_PASTE_PATH = "terminal";

/**
 * What the candidate's browser records (part 5, decision 017): the limits shared by the recorder
 * (app/_components/assessments/recorder) and the endpoint that stores it (events.ts).
 */
export const RECORDING = {
  /** A paste of fewer characters is typing help (a word, a line), not worth a row. */
  minPasteChars: 200,
  /** How often the browser reports its active time; the server counts at most the wall time between two. */
  heartbeatMs: 15_000,
  /** A focus change shorter than this (a dialog, an alt-tab and back) is not recorded. */
  focusDebounceMs: 2_000,
  /** Events one request may carry (a heartbeat flushes what piled up). */
  maxEventsPerRequest: 20,
  /** The largest body the endpoint reads. */
  maxBodyBytes: 8 * 1024,
} as const;

/** A reviewer's notes: their longest length. */
export const REVIEW_LIMITS = { maxNotesChars: 10_000 } as const;
