// The lab terminal's wire protocol between the browser (app/_components/labs/hooks/use-terminal.ts)
// and the terminal service (lib/terminal/server.ts). Pure and shared by both sides, so it parses
// by hand: zod stays out of browser code (decision 008: it probes `new Function`).
//
// The socket: `/api/terminal/labs/<labId>?offset=<n>&cols=<c>&rows=<r>[&session=<id>]`.
// - Binary frames are terminal bytes: the browser sends keystrokes and pastes (stdin), the
//   server sends the shell's output (stdout; with a tty, stderr is merged into it).
// - Text frames are JSON control messages (below).
// Output is counted in bytes from the start of the session ("offsets"). The browser tells the
// server how far it has written into xterm (`ack`), which is the flow control that keeps a flood
// from piling up in the page, and on reconnect how much it already has (`offset`), so the server
// replays exactly what it missed from its scrollback buffer.

/** Largest frame either side accepts; the browser splits a larger paste. */
export const MAX_FRAME_BYTES = 64 * 1024;
/** The browser sends stdin in chunks of at most this many bytes. */
export const INPUT_CHUNK_BYTES = 16 * 1024;
/** The server sends at most this many output bytes beyond the browser's last ack. */
export const FLOW_WINDOW_BYTES = 128 * 1024;
/** The browser acks after writing this many bytes into xterm (and whenever it has written all). */
export const ACK_EVERY_BYTES = 32 * 1024;
/** The server sends a heartbeat this often; a browser that hears nothing for 3 of them reconnects. */
export const HEARTBEAT_MS = 15_000;

export const TERMINAL_PATH_PREFIX = "/api/terminal/labs/";

export type ClientMessage = { type: "resize"; cols: number; rows: number } | { type: "ack"; offset: number };

/** Why a session ended, for programs; the message says it in words. */
export type CloseReason = "exited" | "idle" | "max-age" | "refused" | "workspace" | "server" | "replaced" | "closed";

export type ServerMessage =
  | { type: "status"; state: "starting"; message: string }
  /** The session is live. `offset` is where the output that follows starts; `gap` when some was lost. */
  | { type: "ready"; session: string; offset: number; gap: boolean }
  | { type: "closed"; reason: CloseReason; message: string }
  | { type: "heartbeat" };

export const MIN_COLS = 2;
export const MAX_COLS = 500;
export const MIN_ROWS = 1;
export const MAX_ROWS = 200;

function isInt(value: unknown, min: number, max: number): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= min && value <= max;
}

/** A control message from the browser, or null for anything else (ignored, never trusted). */
export function parseClientMessage(text: string): ClientMessage | null {
  if (text.length > 1024) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!value || typeof value !== "object") return null;
  const m = value as Record<string, unknown>;
  if (m.type === "resize" && isInt(m.cols, MIN_COLS, MAX_COLS) && isInt(m.rows, MIN_ROWS, MAX_ROWS)) return { type: "resize", cols: m.cols, rows: m.rows };
  if (m.type === "ack" && isInt(m.offset, 0, Number.MAX_SAFE_INTEGER)) return { type: "ack", offset: m.offset };
  return null;
}

const CLOSE_REASONS: readonly CloseReason[] = ["exited", "idle", "max-age", "refused", "workspace", "server", "replaced", "closed"];

/** A control message from the server, or null. */
export function parseServerMessage(text: string): ServerMessage | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!value || typeof value !== "object") return null;
  const m = value as Record<string, unknown>;
  if (m.type === "heartbeat") return { type: "heartbeat" };
  if (m.type === "status" && m.state === "starting" && typeof m.message === "string") return { type: "status", state: "starting", message: m.message };
  if (m.type === "ready" && typeof m.session === "string" && isInt(m.offset, 0, Number.MAX_SAFE_INTEGER)) return { type: "ready", session: m.session, offset: m.offset, gap: m.gap === true };
  if (m.type === "closed" && typeof m.message === "string" && CLOSE_REASONS.includes(m.reason as CloseReason)) return { type: "closed", reason: m.reason as CloseReason, message: m.message };
  return null;
}

export type ConnectRequest = { labId: string; session: string | null; offset: number; cols: number; rows: number };

/**
 * The lab id rule of lib/labs/schema.ts (LAB_ID_PATTERN, at most 80), repeated because that module
 * brings zod; protocol.test.ts holds the two together. Session ids are base64url.
 */
export const LAB_ID = /^(?=.{1,80}$)[a-z0-9]+(?:-[a-z0-9]+)*$/;
const SESSION_ID = /^[A-Za-z0-9_-]{16,64}$/;

/** The terminal socket's address for a lab (relative; the browser adds ws(s):// and the host). */
export function terminalPath(request: ConnectRequest): string {
  const query = new URLSearchParams({ offset: String(request.offset), cols: String(request.cols), rows: String(request.rows) });
  if (request.session) query.set("session", request.session);
  return `${TERMINAL_PATH_PREFIX}${encodeURIComponent(request.labId)}?${query}`;
}

/** Reads a socket address back; a failure says what is wrong with it. */
export function parseConnectRequest(url: string): ConnectRequest | { error: string } {
  const parsed = new URL(url, "http://terminal.invalid");
  if (!parsed.pathname.startsWith(TERMINAL_PATH_PREFIX)) return { error: `no terminal at ${parsed.pathname}` };
  const labId = decodeURIComponent(parsed.pathname.slice(TERMINAL_PATH_PREFIX.length));
  if (!LAB_ID.test(labId)) return { error: "the lab id in the address is not a lab id" };
  const session = parsed.searchParams.get("session");
  if (session !== null && !SESSION_ID.test(session)) return { error: "the session id in the address is malformed" };
  const number = (name: string, min: number, max: number, fallback: number) => {
    const text = parsed.searchParams.get(name);
    if (text === null) return fallback;
    const n = Number(text);
    return isInt(n, min, max) ? n : null;
  };
  const offset = number("offset", 0, Number.MAX_SAFE_INTEGER, 0);
  const cols = number("cols", MIN_COLS, MAX_COLS, 80);
  const rows = number("rows", MIN_ROWS, MAX_ROWS, 24);
  if (offset === null || cols === null || rows === null) return { error: "offset, cols or rows in the address is out of range" };
  return { labId, session, offset, cols, rows };
}
