"use client";

// The "Terminal" card: a shell in the learner's workspace pod (xterm.js over hooks/use-terminal).
// Opened on request, because it starts the workspace. Output is written to xterm once per
// animation frame, so a flood costs one parse per frame instead of one per message, and the
// hook acks only what xterm has drawn, which holds the server back (lib/terminal/session.ts).
// Screen-reader mode is on; copy and paste work with the selection and Ctrl+Shift+C / Ctrl+Shift+V
// (Cmd+C / Cmd+V on a Mac), and with the browser's own menu. A runnable code block's "Run in
// terminal" (app/_components/mdx/terminal-commands.tsx) lands here: the panel opens the terminal
// when it is closed, waits until the shell is connected, then pastes the commands (bracketed when
// the shell asks for it, so bash puts them all on its prompt) and presses Enter.
import "@xterm/xterm/css/xterm.css";
import type { FitAddon } from "@xterm/addon-fit";
import type { Terminal } from "@xterm/xterm";
import { useCallback, useEffect, useRef } from "react";
import { useCommandSink } from "@/app/_components/mdx/terminal-commands";
import { terminalStateText, useTerminal, type TerminalView } from "./hooks/use-terminal";

const isMac = () => typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform);

export function TerminalPanel({
  labId,
  onOpenChange,
  onPaste,
}: {
  labId: string;
  /** Told when the terminal opens and closes (the lab room syncs files meanwhile). */
  onOpenChange?: (open: boolean) => void;
  /** Told the size of each paste into the terminal (an assessment records large ones). */
  onPaste?: (chars: number) => void;
}) {
  const host = useRef<HTMLDivElement | null>(null);
  const pasteRef = useRef(onPaste);
  useEffect(() => {
    pasteRef.current = onPaste;
  }, [onPaste]);
  const view = useRef<TerminalView | null>(null);
  const terminal = useTerminal(labId, view);
  const { send, resize } = terminal;
  const open = terminal.state.kind !== "idle";
  useEffect(() => onOpenChange?.(open), [open, onOpenChange]);

  // Commands from runnable code blocks, typed in once xterm is there and the shell is connected.
  const panel = useRef<HTMLElement | null>(null);
  const xterm = useRef<Terminal | null>(null);
  const connected = useRef(false);
  const queued = useRef<string[]>([]);
  const deliver = useCallback(() => {
    const term = xterm.current;
    if (!term || !connected.current || queued.current.length === 0) return;
    for (const commands of queued.current.splice(0)) {
      term.paste(commands);
      term.input("\r");
    }
    term.focus();
  }, []);
  const isConnected = terminal.state.kind === "connected";
  const isClosed = terminal.state.kind === "closed";
  useEffect(() => {
    connected.current = isConnected;
    // Commands for a terminal that closed (refused, ended) are dropped, not run by a later connect.
    if (isClosed) queued.current = [];
    deliver();
  }, [isConnected, isClosed, deliver]);
  useCommandSink((commands) => {
    queued.current.push(commands);
    panel.current?.scrollIntoView({ block: "nearest" });
    if (terminal.state.kind === "idle" || terminal.state.kind === "closed") terminal.connect();
    else deliver();
  });

  useEffect(() => {
    if (!open || !host.current) return;
    let disposed = false;
    let term: Terminal | null = null;
    let fit: FitAddon | null = null;
    let observer: ResizeObserver | null = null;
    let pending: Uint8Array[] = [];
    let callbacks: Array<() => void> = [];
    let frame = 0;

    const flush = () => {
      frame = 0;
      if (!term || pending.length === 0) return;
      const length = pending.reduce((n, c) => n + c.length, 0);
      const data = new Uint8Array(length);
      let at = 0;
      for (const chunk of pending) {
        data.set(chunk, at);
        at += chunk.length;
      }
      const done = callbacks;
      pending = [];
      callbacks = [];
      term.write(data, () => done.forEach((cb) => cb()));
    };

    void Promise.all([import("@xterm/xterm"), import("@xterm/addon-fit")]).then(([{ Terminal }, { FitAddon }]) => {
      if (disposed || !host.current) return;
      term = new Terminal({ screenReaderMode: true, cursorBlink: true, convertEol: false, scrollback: 5000, fontSize: 14, fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace" });
      fit = new FitAddon();
      term.loadAddon(fit);
      term.open(host.current);
      fit.fit();
      term.attachCustomKeyEventHandler((event) => {
        if (event.type !== "keydown") return true;
        const copy = isMac() ? event.metaKey && event.key === "c" : event.ctrlKey && event.shiftKey && event.key.toLowerCase() === "c";
        const paste = isMac() ? event.metaKey && event.key === "v" : event.ctrlKey && event.shiftKey && event.key.toLowerCase() === "v";
        if (copy && term?.hasSelection()) {
          void navigator.clipboard?.writeText(term.getSelection());
          return false;
        }
        if (paste) {
          // Reading the clipboard needs the user's permission; when refused, the browser's own
          // paste (its menu, or Ctrl+V on the focused terminal) still works.
          void navigator.clipboard
            ?.readText()
            .then((text) => {
              pasteRef.current?.(text.length);
              term?.paste(text);
            })
            .catch(() => {});
          return false;
        }
        return true;
      });
      // The browser's own paste (its menu, Ctrl+V) reaches xterm's textarea: seen here on the way.
      host.current.addEventListener("paste", (event) => pasteRef.current?.(event.clipboardData?.getData("text/plain").length ?? 0), { capture: true });
      term.onData((data) => send(data));
      term.onBinary((data) => send(data));
      term.onResize(({ cols, rows }) => resize(cols, rows));
      observer = new ResizeObserver(() => fit?.fit());
      observer.observe(host.current);
      view.current = {
        write(data, done) {
          pending.push(data);
          callbacks.push(done);
          frame ||= requestAnimationFrame(flush);
        },
        notice(text) {
          flush();
          term?.write(`\r\n\x1b[2m[${text}]\x1b[0m\r\n`);
        },
        reset() {
          term?.reset();
        },
        size: () => ({ cols: term?.cols ?? 80, rows: term?.rows ?? 24 }),
      };
      term.focus();
      xterm.current = term;
      deliver();
    });
    return () => {
      disposed = true;
      if (frame) cancelAnimationFrame(frame);
      observer?.disconnect();
      view.current = null;
      xterm.current = null;
      term?.dispose();
    };
  }, [open, send, resize, deliver]);

  const { state } = terminal;
  const live = state.kind === "connected" || state.kind === "connecting" || state.kind === "starting" || state.kind === "reconnecting";
  return (
    <section ref={panel} className="card stack-tight" aria-labelledby="terminal-heading" data-testid="terminal-panel">
      <div className="terminal-header">
        <h2 id="terminal-heading" className="h-small">
          Terminal
        </h2>
        <p className="small muted" role="status" aria-live="polite" data-testid="terminal-status">
          {terminalStateText(state)}
        </p>
        {state.kind === "idle" ? (
          <button type="button" className="button button-quiet" onClick={terminal.connect}>
            Open terminal
          </button>
        ) : state.kind === "closed" ? (
          <button type="button" className="button button-quiet" onClick={terminal.connect}>
            Reconnect
          </button>
        ) : live ? (
          <button type="button" className="button button-quiet" onClick={terminal.close}>
            Close terminal
          </button>
        ) : null}
      </div>
      {state.kind === "idle" ? (
        <p className="small">A shell in your workspace, with kubectl set up for your lab environment. Copy with Ctrl+Shift+C, paste with Ctrl+Shift+V (Cmd+C, Cmd+V on a Mac).</p>
      ) : null}
      <div ref={host} className="terminal-host" hidden={!open} data-testid="terminal" aria-label="Terminal" />
    </section>
  );
}
