"use client";

// The lab terminal's connection (protocol: lib/terminal/protocol.ts): opens the socket, reports
// its state in words, hands output to the panel and acks what the panel has drawn, sends
// keystrokes and resizes, and after a dropped connection reconnects with a growing delay to the
// same session (its id is kept in sessionStorage, so a reloaded tab finds its shell and the
// server replays the scrollback). A refused upgrade is unreadable to a page, so the hook then
// asks the same address with a plain GET for the reason in words.
import { useCallback, useEffect, useRef, useState } from "react";
import { ACK_EVERY_BYTES, HEARTBEAT_MS, INPUT_CHUNK_BYTES, parseServerMessage, terminalPath, type CloseReason } from "@/lib/terminal/protocol";

export type TerminalState =
  | { kind: "idle" }
  | { kind: "connecting" }
  | { kind: "starting"; message: string }
  | { kind: "connected" }
  | { kind: "reconnecting"; inSeconds: number }
  | { kind: "closed"; reason: CloseReason | "refused"; message: string };

/** The status line: what a sighted user and a screen reader are told. */
export function terminalStateText(state: TerminalState): string {
  switch (state.kind) {
    case "idle":
      return "Not open";
    case "connecting":
      return "Connecting…";
    case "starting":
      return state.message.charAt(0).toUpperCase() + state.message.slice(1);
    case "connected":
      return "Connected";
    case "reconnecting":
      return state.inSeconds > 0 ? `Connection lost; reconnecting in ${state.inSeconds} s…` : "Connection lost; reconnecting…";
    case "closed":
      return `Closed: ${state.message}`;
  }
}

export type TerminalView = {
  /** Writes output into xterm and calls `done` once it is drawn (xterm's write callback). */
  write(data: Uint8Array, done: () => void): void;
  /** Shows a line of our own (not shell output) in the terminal. */
  notice(text: string): void;
  /** Forget what is on screen (a new session starts). */
  reset(): void;
  size(): { cols: number; rows: number };
};

const RECONNECT_DELAYS_S = [1, 2, 4, 8, 15, 30];
const storageKey = (labId: string) => `academy.terminal.${labId}`;

export function useTerminal(labId: string, view: React.RefObject<TerminalView | null>) {
  const [state, setState] = useState<TerminalState>({ kind: "idle" });
  const socket = useRef<WebSocket | null>(null);
  const session = useRef<string | null>(null);
  const received = useRef(0);
  const drawn = useRef(0);
  const acked = useRef(0);
  const attempt = useRef(0);
  const timers = useRef<{ reconnect?: ReturnType<typeof setTimeout>; watchdog?: ReturnType<typeof setTimeout>; countdown?: ReturnType<typeof setInterval> }>({});
  const wanted = useRef(false);
  /** `connect` itself, for the reconnect timer it sets. */
  const reconnect = useRef<() => void>(() => {});

  const clearTimers = () => {
    clearTimeout(timers.current.reconnect);
    clearTimeout(timers.current.watchdog);
    clearInterval(timers.current.countdown);
  };

  const connect = useCallback(() => {
    clearTimers();
    wanted.current = true;
    if (session.current === null) session.current = sessionStorage.getItem(storageKey(labId));
    setState({ kind: "connecting" });
    const { cols, rows } = view.current?.size() ?? { cols: 80, rows: 24 };
    const url = new URL(terminalPath({ labId, session: session.current, offset: received.current, cols, rows }), window.location.href);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(url);
    ws.binaryType = "arraybuffer";
    socket.current = ws;
    let opened = false;
    let closedWithReason = false;

    // Heartbeats arrive every HEARTBEAT_MS; three missed means the network is gone.
    const watch = () => {
      clearTimeout(timers.current.watchdog);
      timers.current.watchdog = setTimeout(() => ws.close(4000, "no heartbeat"), HEARTBEAT_MS * 3);
    };

    ws.onopen = () => {
      opened = true;
      watch();
    };
    ws.onmessage = (event: MessageEvent<ArrayBuffer | string>) => {
      watch();
      if (typeof event.data !== "string") {
        const data = new Uint8Array(event.data);
        received.current += data.length;
        const end = received.current;
        view.current?.write(data, () => {
          drawn.current = end;
          // Ack every ACK_EVERY_BYTES, and whenever everything received is drawn.
          if (drawn.current - acked.current >= ACK_EVERY_BYTES || drawn.current === received.current) {
            acked.current = drawn.current;
            if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: "ack", offset: acked.current }));
          }
        });
        return;
      }
      const message = parseServerMessage(event.data);
      if (!message) return;
      if (message.type === "status") setState({ kind: "starting", message: message.message });
      else if (message.type === "ready") {
        if (message.session !== session.current) {
          // A new shell: what is on screen belongs to the old one.
          if (session.current !== null && received.current > 0) view.current?.notice("(a new terminal session started)");
          session.current = message.session;
          sessionStorage.setItem(storageKey(labId), message.session);
        }
        if (message.gap) view.current?.notice("(some earlier output was dropped)");
        received.current = drawn.current = acked.current = message.offset;
        attempt.current = 0;
        // xterm may have been fitted to its box after the address (with its size) was made.
        const now = view.current?.size();
        if (now) ws.send(JSON.stringify({ type: "resize", cols: now.cols, rows: now.rows }));
        setState({ kind: "connected" });
      } else if (message.type === "closed") {
        closedWithReason = true;
        wanted.current = false;
        session.current = null;
        sessionStorage.removeItem(storageKey(labId));
        received.current = drawn.current = acked.current = 0;
        if (message.reason !== "replaced") view.current?.notice(message.message);
        setState({ kind: "closed", reason: message.reason, message: message.message });
      }
    };
    ws.onclose = () => {
      clearTimeout(timers.current.watchdog);
      if (socket.current === ws) socket.current = null;
      if (closedWithReason || !wanted.current) return;
      if (!opened) {
        // Refused before the upgrade (or the server is down): ask why, in words.
        void fetch(`/api/terminal/labs/${encodeURIComponent(labId)}`, { cache: "no-store" })
          .then(async (res) => (res.ok ? null : ((await res.json()) as { error?: string }).error ?? `the server answered ${res.status}`))
          .catch(() => null)
          .then((refusal) => {
            if (refusal) {
              wanted.current = false;
              setState({ kind: "closed", reason: "refused", message: refusal });
            } else scheduleReconnect();
          });
        return;
      }
      scheduleReconnect();
    };

    function scheduleReconnect() {
      const delay = RECONNECT_DELAYS_S[Math.min(attempt.current, RECONNECT_DELAYS_S.length - 1)]!;
      attempt.current += 1;
      let left = delay;
      setState({ kind: "reconnecting", inSeconds: left });
      timers.current.countdown = setInterval(() => setState({ kind: "reconnecting", inSeconds: (left = Math.max(0, left - 1)) }), 1000);
      timers.current.reconnect = setTimeout(() => reconnect.current(), delay * 1000);
    }
  }, [labId, view]);

  /** Ends the session for good (the server closes the shell). */
  const close = useCallback(() => {
    clearTimers();
    wanted.current = false;
    socket.current?.close(1000, "closed");
    socket.current = null;
    session.current = null;
    sessionStorage.removeItem(storageKey(labId));
    received.current = drawn.current = acked.current = 0;
    setState({ kind: "closed", reason: "closed", message: "you closed the terminal" });
  }, [labId]);

  const send = useCallback((text: string) => {
    const ws = socket.current;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    const bytes = new TextEncoder().encode(text);
    for (let at = 0; at < bytes.length; at += INPUT_CHUNK_BYTES) ws.send(bytes.subarray(at, at + INPUT_CHUNK_BYTES));
  }, []);

  const resize = useCallback((cols: number, rows: number) => {
    const ws = socket.current;
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: "resize", cols, rows }));
  }, []);

  useEffect(() => {
    reconnect.current = connect;
  }, [connect]);

  // A session left from before a reload reconnects at once.
  useEffect(() => {
    const resume = sessionStorage.getItem(storageKey(labId)) ? setTimeout(connect, 0) : undefined;
    return () => {
      clearTimeout(resume);
      clearTimers();
      wanted.current = false;
      // Leaving the page is not closing the terminal: the server keeps the shell for a while.
      socket.current?.close(4001, "page left");
    };
  }, [labId, connect]);

  return { state, connect, close, send, resize };
}
