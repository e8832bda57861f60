"use client";

// Where runnable code blocks (```bash runnable, docs/lab-format.md) meet the lab's terminal. A lab
// page with a terminal puts <TerminalCommands> around its text and its lab room; the terminal
// panel attaches itself while it is on the page (useCommandSink), and each runnable block's "Run
// in terminal" button hands it the block's commands. Without a provider (lessons, labs without a
// terminal) runnable blocks offer Copy only.
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from "react";

/** What the terminal panel does with a block's commands: types them into the shell and presses Enter. */
export type CommandSink = (commands: string) => void;

export type TerminalCommandsValue = {
  /** Hands the commands to the terminal; returns why it could not (no terminal on the page yet), or null. */
  run(commands: string): string | null;
  /** The terminal panel attaches here while it is mounted; returns the detach. */
  attach(sink: CommandSink): () => void;
};

/** What the learner is told when the terminal is not on the page yet (the lab environment is not ready). */
export const TERMINAL_NOT_READY = "Start your lab environment first: the terminal is there once it is ready.";

const Context = createContext<TerminalCommandsValue | null>(null);

/** The one place commands go: the terminal panel attached last, if it is still there. */
export function terminalCommands(): TerminalCommandsValue {
  let sink: CommandSink | null = null;
  return {
    run(commands) {
      if (!sink) return TERMINAL_NOT_READY;
      sink(commands);
      return null;
    },
    attach(next) {
      sink = next;
      return () => {
        if (sink === next) sink = null;
      };
    },
  };
}

export function TerminalCommands({ hasTerminal, children }: { hasTerminal: boolean; children: ReactNode }) {
  const [value] = useState(terminalCommands);
  if (!hasTerminal) return <>{children}</>;
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

/** The page's terminal for runnable blocks, or null where there is none. */
export function useTerminalCommands(): TerminalCommandsValue | null {
  return useContext(Context);
}

/** For the terminal panel: receive the runnable blocks' commands while it is mounted. */
export function useCommandSink(sink: CommandSink): void {
  const context = useContext(Context);
  const latest = useRef(sink);
  useEffect(() => {
    latest.current = sink;
  });
  useEffect(() => context?.attach((commands) => latest.current(commands)), [context]);
}
