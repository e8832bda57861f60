"use client";

import { useEffect, useRef, useState, type MouseEvent } from "react";
import { consoleCommands } from "@/lib/content/console";
import { blockCode } from "./block-code";

type Status = "idle" | "copied" | "failed";

/**
 * Copies the code block it sits in. For terminal transcripts (`kind="commands"`) it copies only
 * the commands, without their `$ ` prompts, so the result can be pasted into a shell.
 */
export function CopyButton({ kind }: { kind: "code" | "commands" }) {
  const [status, setStatus] = useState<Status>("idle");
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  async function copy(event: MouseEvent<HTMLButtonElement>) {
    const { code, text } = blockCode(event.currentTarget);
    let next: Status = "copied";
    try {
      await navigator.clipboard.writeText(kind === "commands" ? consoleCommands(text) : text);
    } catch {
      // No clipboard access (an insecure origin, or permission refused): select the code instead.
      if (code) window.getSelection()?.selectAllChildren(code);
      next = "failed";
    }
    setStatus(next);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setStatus("idle"), 2000);
  }

  const label = kind === "commands" ? "Copy commands" : "Copy code";
  return (
    <>
      <button type="button" className="code-copy" onClick={copy} aria-label={label} title={label}>
        {status === "copied" ? "Copied" : "Copy"}
      </button>
      <span className="visually-hidden" aria-live="polite">
        {status === "copied" ? "Copied" : status === "failed" ? "Could not copy: the code is selected, press Ctrl+C or ⌘C" : ""}
      </span>
    </>
  );
}
