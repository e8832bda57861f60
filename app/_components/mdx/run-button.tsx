"use client";

import { useEffect, useRef, useState, type MouseEvent } from "react";
import { commandsOf } from "@/lib/content/console";
import { blockCode } from "./block-code";
import { useTerminalCommands } from "./terminal-commands";

/**
 * "Run in terminal" on a runnable code block: types the block's commands (a transcript's without
 * their `$ `) into the lab's terminal and presses Enter, opening the terminal when it is closed.
 * Renders nothing where the page has no terminal, so the block offers Copy only.
 */
export function RunButton() {
  const terminal = useTerminalCommands();
  const [status, setStatus] = useState("");
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  if (!terminal) return null;

  function run(event: MouseEvent<HTMLButtonElement>) {
    const { block, text } = blockCode(event.currentTarget);
    const refused = terminal!.run(commandsOf(block?.getAttribute("data-language"), text));
    setStatus(refused ?? "Sent to the terminal");
    clearTimeout(timer.current);
    // A refusal stays until the next press: it says what to do.
    if (!refused) timer.current = setTimeout(() => setStatus(""), 2000);
  }

  return (
    <>
      <span className="code-run-status small" role="status">
        {status}
      </span>
      <button type="button" className="code-copy code-run" onClick={run} aria-label="Run in terminal" title="Run in terminal">
        Run
      </button>
    </>
  );
}
