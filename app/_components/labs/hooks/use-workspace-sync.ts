"use client";

// Brings files changed in the learner's terminal into the editor: POST .../workspace/sync every
// few seconds while the terminal panel is open (`polling`) and the tab is visible, and once
// whenever the tab comes back into focus (`enabled`: the lab has a terminal and its sandbox is
// ready). Each imported file is already a saved revision; `onImported` shows it in the editor.
import { useCallback, useEffect, useRef, useState } from "react";
import type { WorkspaceSyncView } from "@/lib/workspace/views";

export const WORKSPACE_SYNC_MS = 3000;

export type ImportedFromTerminal = WorkspaceSyncView["imported"][number];

export type WorkspaceSync = {
  /** Changed files that were not brought in, in words, from the last sync. */
  problems: string[];
  /** Why the last sync failed, if it did. */
  error: string;
  /** Syncs now (e.g. before grading); resolves when done. */
  syncNow: () => Promise<void>;
};

export function useWorkspaceSync(
  labId: string,
  { enabled, polling, onImported }: { enabled: boolean; polling: boolean; onImported: (file: ImportedFromTerminal) => void },
): WorkspaceSync {
  const [problems, setProblems] = useState<string[]>([]);
  const [error, setError] = useState("");
  const running = useRef<Promise<void> | null>(null);
  const imported = useRef(onImported);
  useEffect(() => {
    imported.current = onImported;
  }, [onImported]);

  const syncNow = useCallback(async () => {
    if (!enabled) return;
    // One sync at a time: a slow one is not overtaken by the next tick.
    if (running.current) return running.current;
    running.current = (async () => {
      try {
        const response = await fetch(`/api/labs/${encodeURIComponent(labId)}/workspace/sync`, { method: "POST" });
        const body = (await response.json()) as WorkspaceSyncView | { ok: false; error: string };
        if (!body.ok) {
          setError(body.error);
          return;
        }
        setError("");
        setProblems(body.problems);
        for (const file of body.imported) imported.current(file);
      } catch {
        setError("Could not reach the server to bring in the terminal's files; trying again shortly.");
      } finally {
        running.current = null;
      }
    })();
    return running.current;
  }, [enabled, labId]);

  useEffect(() => {
    if (!enabled) return;
    const onFocus = () => {
      if (document.visibilityState === "visible") void syncNow();
    };
    window.addEventListener("focus", onFocus);
    document.addEventListener("visibilitychange", onFocus);
    const timer = polling
      ? setInterval(() => {
          if (document.visibilityState === "visible") void syncNow();
        }, WORKSPACE_SYNC_MS)
      : null;
    return () => {
      window.removeEventListener("focus", onFocus);
      document.removeEventListener("visibilitychange", onFocus);
      if (timer) clearInterval(timer);
    };
  }, [enabled, polling, syncNow]);

  return { problems, error, syncNow };
}
