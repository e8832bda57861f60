"use client";

// The learner's files as they type: each edit is saved after a short pause, one save per file at a
// time, and `flush` saves everything pending before the files are applied or graded.
import { useCallback, useEffect, useRef, useState } from "react";
import type { SaveFileResult } from "@/app/(learn)/labs/[labId]/actions";
import { fileTooLarge } from "@/lib/labs/file-size";

/** `retryInSeconds`: the save was refused by the rate limit and is tried again by itself then. */
export type SaveState = { status: "saved" | "unsaved" | "saving" } | { status: "error"; error: string; retryInSeconds?: number };

export type Autosave = {
  contents: Record<string, string>;
  /** undefined until the file is first edited (then it reads as saved) */
  saveStates: Record<string, SaveState>;
  /** The learner typed: `value` is what the editor already shows. */
  edit: (path: string, value: string) => void;
  /** Counts, per file, the times its text was replaced from outside the editor (reset, restore). */
  replacements: Record<string, number>;
  /** Replaces the file's text from outside the editor (a restored revision), to be saved like an edit. */
  replace: (path: string, value: string) => void;
  /** Saves every file with pending edits; true when all of them are stored. */
  flush: () => Promise<boolean>;
  /** The server already stored `content` for `path` (reset to starter). */
  markSaved: (path: string, content: string) => void;
  markFailed: (path: string, error: string) => void;
  /**
   * The terminal changed `path` and the server saved that as `revision`: shown in the editor,
   * unless the learner has edits here not yet saved; those are kept (and saved after it, so both
   * are revisions) and the note says so.
   */
  fromTerminal: (file: { path: string; revision: number; content: string }) => void;
  /** Per file, what the last change from the terminal did, in words. */
  terminalNotes: Record<string, string>;
};

const AUTOSAVE_MS = 800;
/** Applying or grading refuses to go on while a file is not stored: they work on saved files. */
export const UNSAVED_FILES = "Some files could not be saved (see above); fix that first.";
const UNREACHABLE = "Could not reach the server; your change is kept here and will be saved on the next edit.";

/**
 * One save of one file, as the status line will tell it. A file over the size limit is refused
 * here, before anything is sent: the server would refuse it too, and one larger than the server
 * action body limit would not even reach Academy's code (Next answers 500, which reads like a
 * lost connection). So it never says "will be saved on the next edit" about a file that cannot be.
 */
export async function saveOnce(path: string, content: string, save: (path: string, content: string) => Promise<SaveFileResult>): Promise<SaveState> {
  const tooLarge = fileTooLarge(path, content);
  if (tooLarge) return { status: "error", error: tooLarge };
  try {
    const result = await save(path, content);
    if (result.ok) return { status: "saved" };
    // Too many saves: the server's words say how long to wait; then the change is saved without another edit.
    if (result.code === "rate-limited") {
      return { status: "error", error: `${result.error} Your change is kept here and saved by itself then.`, retryInSeconds: result.retryAfterSeconds };
    }
    return { status: "error", error: result.error };
  } catch {
    return { status: "error", error: UNREACHABLE };
  }
}

export function useAutosave(initial: () => Record<string, string>, save: (path: string, content: string) => Promise<SaveFileResult>): Autosave {
  const [contents, setContents] = useState(initial);
  const [saveStates, setSaveStates] = useState<Record<string, SaveState>>({});
  const [replacements, setReplacements] = useState<Record<string, number>>({});
  const [terminalNotes, setTerminalNotes] = useState<Record<string, string>>({});
  const bump = (path: string) => setReplacements((r) => ({ ...r, [path]: (r[path] ?? 0) + 1 }));
  // Refs, not state: timers and in-flight saves are bookkeeping the page never shows, and `latest`
  // is read by saves that started before the last render.
  const timers = useRef(new Map<string, ReturnType<typeof setTimeout>>());
  const inflight = useRef(new Map<string, Promise<void>>());
  const latest = useRef(contents);
  const failedSaves = useRef(new Set<string>());

  const saveNow = useCallback(
    async (path: string) => {
      const timer = timers.current.get(path);
      if (timer) clearTimeout(timer);
      timers.current.delete(path);
      const previous = inflight.current.get(path);
      if (previous) await previous;
      const content = latest.current[path] ?? "";
      setSaveStates((s) => ({ ...s, [path]: { status: "saving" } }));
      const run = (async () => {
        const state = await saveOnce(path, content, save);
        if (state.status === "saved") failedSaves.current.delete(path);
        else failedSaves.current.add(path);
        setSaveStates((s) => ({
          ...s,
          [path]: state.status === "saved" && latest.current[path] !== content ? { status: "unsaved" } : state,
        }));
      })();
      inflight.current.set(path, run);
      await run;
      inflight.current.delete(path);
    },
    [save],
  );

  // A save refused by the rate limit is tried again once the wait is over, unless an edit has
  // scheduled a save first.
  useEffect(() => {
    for (const [path, state] of Object.entries(saveStates)) {
      if (state.status === "error" && state.retryInSeconds !== undefined && !timers.current.has(path)) {
        timers.current.set(path, setTimeout(() => void saveNow(path), state.retryInSeconds * 1000));
      }
    }
  }, [saveStates, saveNow]);

  function setContent(path: string, value: string) {
    latest.current = { ...latest.current, [path]: value };
    setContents(latest.current);
  }

  function edit(path: string, value: string) {
    setContent(path, value);
    setSaveStates((s) => ({ ...s, [path]: { status: "unsaved" } }));
    const timer = timers.current.get(path);
    if (timer) clearTimeout(timer);
    timers.current.set(path, setTimeout(() => void saveNow(path), AUTOSAVE_MS));
  }

  async function flush(): Promise<boolean> {
    const pending = [...timers.current.keys()];
    await Promise.all(pending.map((p) => saveNow(p)));
    await Promise.all([...inflight.current.values()]);
    return failedSaves.current.size === 0;
  }

  function replace(path: string, value: string) {
    edit(path, value);
    bump(path);
  }

  function markSaved(path: string, content: string) {
    setContent(path, content);
    bump(path);
    setSaveStates((s) => ({ ...s, [path]: { status: "saved" } }));
  }

  function markFailed(path: string, error: string) {
    setSaveStates((s) => ({ ...s, [path]: { status: "error", error } }));
  }

  function fromTerminal({ path, revision, content }: { path: string; revision: number; content: string }) {
    if (latest.current[path] === content) return;
    const pending = timers.current.has(path) || inflight.current.has(path) || failedSaves.current.has(path);
    if (pending) {
      setTerminalNotes((n) => ({ ...n, [path]: terminalNote(revision, true) }));
      return;
    }
    setContent(path, content);
    bump(path);
    setSaveStates((s) => ({ ...s, [path]: { status: "saved" } }));
    setTerminalNotes((n) => ({ ...n, [path]: terminalNote(revision, false) }));
  }

  // Leaving with unsaved edits: the browser asks first.
  useEffect(() => {
    function beforeUnload(event: BeforeUnloadEvent) {
      if (timers.current.size > 0 || inflight.current.size > 0) event.preventDefault();
    }
    window.addEventListener("beforeunload", beforeUnload);
    return () => window.removeEventListener("beforeunload", beforeUnload);
  }, []);

  return { contents, saveStates, edit, replacements, replace, flush, markSaved, markFailed, fromTerminal, terminalNotes };
}

/** What the editor says after the terminal changed a file (saved by the server as `revision`). */
export function terminalNote(revision: number, keptUnsavedEdits: boolean): string {
  return keptUnsavedEdits
    ? `Changed in the terminal (saved as revision ${revision}, in the history). Your unsaved edits here are kept and saved after it.`
    : `Changed in the terminal (revision ${revision}).`;
}

/** What the status line under the editor says about one file. */
export function saveStatusText(state: SaveState | undefined, readonly: boolean): string {
  if (readonly) return "Read-only: provided for context.";
  switch (state?.status) {
    case "error":
      return `Not saved: ${state.error}`;
    case "saving":
      return "Saving…";
    case "unsaved":
      return "Unsaved changes";
    default:
      return "All changes saved";
  }
}

/** A file with edits not yet stored shows a dot on its tab. */
export function hasPendingEdits(state: SaveState | undefined): boolean {
  return state?.status === "unsaved" || state?.status === "saving";
}
