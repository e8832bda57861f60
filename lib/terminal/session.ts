// One terminal session: an exec into the learner's workspace pod, the scrollback it keeps, and the
// browser socket attached to it (at most one; none while the browser is away). The session
// outlives a dropped browser socket for a grace period so a reconnect finds the same shell; it
// ends when the shell exits, when nobody typed for the idle time, at its maximum age, or when the
// grace period runs out.
//
// Flow control: every output byte goes to the scrollback and, when a browser is attached, to
// it at once. Reading from Kubernetes pauses while the browser is more than FLOW_WINDOW_BYTES
// behind its last `ack` (it acks what xterm has drawn) or while the socket's own send buffer is
// high, and while nobody is attached and the unseen output would overrun the scrollback. A
// paused socket stops reading TCP, so the pty in the pod blocks the writer: `yes` slows to what
// the page can draw instead of filling memory anywhere.
import "server-only";
import { randomBytes } from "node:crypto";
import WebSocket from "ws";
import type { ExecEnd, ExecStream } from "./exec";
import { FLOW_WINDOW_BYTES, HEARTBEAT_MS, MAX_FRAME_BYTES, parseClientMessage, type CloseReason, type ServerMessage } from "./protocol";
import { RingBuffer } from "./ring-buffer";

export type SessionSettings = {
  idleMs: number;
  maxAgeMs: number;
  graceMs: number;
  scrollbackBytes: number;
};

/** The browser socket's send buffer above which reading pauses (bytes). */
export const SEND_BUFFER_HIGH = 256 * 1024;

export function sendJson(socket: WebSocket, message: ServerMessage): void {
  if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
}

function minutesText(ms: number): string {
  if (ms < 60_000) return `${Math.round(ms / 1000)} seconds`;
  const minutes = Math.round(ms / 60_000);
  if (minutes % 60 === 0 && minutes >= 120) return `${minutes / 60} hours`;
  return minutes === 1 ? "1 minute" : `${minutes} minutes`;
}

/** What the browser is told when a session ends, in words (it also shows them in the terminal). */
export function closingMessage(reason: CloseReason, settings: SessionSettings, end?: ExecEnd): string {
  switch (reason) {
    case "idle":
      return `closed after ${minutesText(settings.idleMs)} without input; press Reconnect`;
    case "max-age":
      return `closed: a terminal session lasts at most ${minutesText(settings.maxAgeMs)}; press Reconnect for a new one`;
    case "exited":
      if (end?.exitCode === 0) return "the shell exited; press Reconnect for a new one";
      if (end?.exitCode !== null && end?.exitCode !== undefined) return `the shell exited with code ${end.exitCode}; press Reconnect for a new one`;
      return `the shell ended (${end?.message || "no reason given"}); press Reconnect for a new one`;
    case "server":
      return "the terminal service stopped; press Reconnect when the site is back";
    case "replaced":
      return "this terminal was opened in another tab or window";
    default:
      return "the terminal closed";
  }
}

export class TerminalSession {
  readonly id = randomBytes(18).toString("base64url");
  private readonly ring: RingBuffer;
  private browser: WebSocket | null = null;
  /** Absolute offset the attached browser has drawn up to. */
  private acked = 0;
  private ended = false;
  private idleTimer: NodeJS.Timeout | null = null;
  private graceTimer: NodeJS.Timeout | null = null;
  private readonly maxAgeTimer: NodeJS.Timeout;
  private readonly heartbeat: NodeJS.Timeout;
  private alive = true;
  lastInputAt = Date.now();

  constructor(
    readonly userId: string,
    readonly labId: string,
    private readonly exec: ExecStream,
    private readonly settings: SessionSettings,
    private readonly onEnded: (session: TerminalSession) => void,
  ) {
    this.ring = new RingBuffer(settings.scrollbackBytes);
    exec.onOutput((data) => this.output(data));
    exec.onEnd((end) => this.end("exited", closingMessage("exited", settings, end)));
    this.maxAgeTimer = setTimeout(() => this.end("max-age", closingMessage("max-age", settings)), settings.maxAgeMs);
    this.heartbeat = setInterval(() => this.beat(), HEARTBEAT_MS);
    this.resetIdle();
  }

  get attached(): boolean {
    return this.browser !== null;
  }

  get outputBytes(): number {
    return this.ring.total;
  }

  /**
   * Attaches a browser socket that has output up to `offset`: sends `ready` and what it missed.
   * A socket already attached (a tab whose drop the server has not noticed yet) is told and closed.
   */
  attach(socket: WebSocket, offset: number): void {
    if (this.ended) return;
    if (this.browser) this.detach("replaced");
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.graceTimer = null;
    this.browser = socket;
    this.alive = true;
    const missed = this.ring.since(offset);
    this.acked = missed.from;
    sendJson(socket, { type: "ready", session: this.id, offset: missed.from, gap: missed.gap });
    for (let at = 0; at < missed.bytes.length; at += MAX_FRAME_BYTES) socket.send(missed.bytes.subarray(at, at + MAX_FRAME_BYTES), { binary: true });
    socket.on("message", (data: Buffer, isBinary: boolean) => {
      if (this.browser !== socket) return;
      if (isBinary) this.input(data);
      else this.control(data.toString("utf8"));
    });
    socket.on("pong", () => {
      if (this.browser === socket) this.alive = true;
    });
    // 1000 is the page closing the terminal on purpose ("Close terminal"); a dropped network
    // (1006) or a closing or reloading tab (1001) keeps the shell for the grace period.
    socket.on("close", (code) => {
      if (this.browser !== socket) return;
      if (code === 1000) {
        this.browser = null;
        this.end("closed", "the terminal was closed");
      } else this.detached();
    });
    socket.on("error", () => socket.terminate());
    this.flow();
  }

  /** Ends the session: tells the attached browser why, closes it and the exec. */
  end(reason: CloseReason, message: string): void {
    if (this.ended) return;
    this.ended = true;
    for (const timer of [this.idleTimer, this.graceTimer, this.maxAgeTimer]) if (timer) clearTimeout(timer);
    clearInterval(this.heartbeat);
    const socket = this.browser;
    this.browser = null;
    if (socket) {
      sendJson(socket, { type: "closed", reason, message });
      socket.close(1000, reason);
    }
    this.exec.close();
    this.onEnded(this);
  }

  private input(data: Buffer): void {
    this.lastInputAt = Date.now();
    this.resetIdle();
    this.exec.write(data);
  }

  private control(text: string): void {
    const message = parseClientMessage(text);
    if (!message) return;
    if (message.type === "resize") this.exec.resize(message.cols, message.rows);
    else if (message.type === "ack") {
      this.acked = Math.min(Math.max(this.acked, message.offset), this.ring.total);
      this.flow();
    }
  }

  private output(data: Buffer): void {
    this.ring.write(data);
    const socket = this.browser;
    if (socket && socket.readyState === WebSocket.OPEN) {
      for (let at = 0; at < data.length; at += MAX_FRAME_BYTES) socket.send(data.subarray(at, at + MAX_FRAME_BYTES), { binary: true }, () => this.flow());
    }
    this.flow();
  }

  /** Pauses or resumes reading from Kubernetes (see the header). */
  private flow(): void {
    if (this.ended) return;
    const behind = this.ring.total - this.acked;
    const limit = this.browser ? FLOW_WINDOW_BYTES : Math.min(FLOW_WINDOW_BYTES, this.settings.scrollbackBytes);
    const buffered = this.browser?.bufferedAmount ?? 0;
    if (behind >= limit || buffered >= SEND_BUFFER_HIGH) this.exec.pause();
    else if (behind < limit / 2 && buffered < SEND_BUFFER_HIGH / 2) this.exec.resume();
  }

  private resetIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.end("idle", closingMessage("idle", this.settings)), this.settings.idleMs);
  }

  /** Heartbeats both ways: a JSON one the page can see, a ping whose missing pong means a dead socket. */
  private beat(): void {
    const socket = this.browser;
    if (!socket) return;
    if (!this.alive) {
      socket.terminate();
      return;
    }
    this.alive = false;
    sendJson(socket, { type: "heartbeat" });
    if (socket.readyState === WebSocket.OPEN) socket.ping();
  }

  private detach(reason: CloseReason): void {
    const socket = this.browser;
    if (!socket) return;
    this.browser = null;
    sendJson(socket, { type: "closed", reason, message: closingMessage(reason, this.settings) });
    socket.close(1000, reason);
  }

  /** The browser went away: keep the shell for the grace period, reading only what the scrollback can hold. */
  private detached(): void {
    this.browser = null;
    if (this.ended) return;
    this.graceTimer = setTimeout(() => this.end("server", "the terminal session ended while the page was away"), this.settings.graceMs);
    this.flow();
  }
}
