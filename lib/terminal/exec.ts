// pods/exec over the API server's WebSocket, opened by hand with `ws` (client-node's Exec hides
// the socket, so it could neither pause reading for backpressure nor send resize frames): the
// v5.channel.k8s.io subprotocol (Kubernetes 1.29+, which can half-close stdin), falling back to
// v4.channel.k8s.io. Every binary message starts with a channel byte: 0 stdin, 1 stdout,
// 2 stderr, 3 the error channel (a Status when the command ends), 4 resize, 255 close (v5).
// The connection acts as whoever the client impersonates: the lab terminal passes the learner's
// service account, so RBAC decides whether this exec is allowed at all.
import "server-only";
import WebSocket from "ws";
import { kubeErrorFrom, type KubeClient } from "@/lib/k8s/client";
import { failure, type Failure } from "@/lib/result";

export const EXEC_PROTOCOLS = ["v5.channel.k8s.io", "v4.channel.k8s.io"] as const;

export const CHANNEL = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

export type ExecTarget = { namespace: string; pod: string; container: string };

/** How the command ended: its exit code when Kubernetes said, and what it said. */
export type ExecEnd = { exitCode: number | null; message: string };

export type ExecFailureCode = "exec-refused" | "exec-unavailable";

/** The exec URL path and query (command words are repeated `command` parameters). */
export function execPath(target: ExecTarget, command: readonly string[], tty: boolean): string {
  const query = new URLSearchParams({ container: target.container, stdin: "true", stdout: "true", stderr: String(!tty), tty: String(tty) });
  for (const word of command) query.append("command", word);
  return `/api/v1/namespaces/${encodeURIComponent(target.namespace)}/pods/${encodeURIComponent(target.pod)}/exec?${query}`;
}

/** One frame for `channel`. */
export function frame(channel: number, data: Uint8Array | string): Buffer {
  const body = typeof data === "string" ? Buffer.from(data, "utf8") : data;
  const out = Buffer.allocUnsafe(body.length + 1);
  out[0] = channel;
  out.set(body, 1);
  return out;
}

/** The resize frame's body: Kubernetes' TerminalSize. */
export function resizeFrame(cols: number, rows: number): Buffer {
  return frame(CHANNEL.resize, JSON.stringify({ Width: cols, Height: rows }));
}

/** Reads the Status on the error channel: Success is exit code 0; NonZeroExitCode carries the code. */
export function execEndFrom(statusText: string): ExecEnd {
  let status: { status?: string; message?: string; reason?: string; details?: { causes?: Array<{ reason?: string; message?: string }> } };
  try {
    status = JSON.parse(statusText);
  } catch {
    return { exitCode: null, message: statusText.trim() };
  }
  if (status.status === "Success") return { exitCode: 0, message: "" };
  const cause = status.details?.causes?.find((c) => c.reason === "ExitCode");
  const code = cause?.message !== undefined ? Number(cause.message) : NaN;
  return { exitCode: Number.isInteger(code) ? code : null, message: status.message ?? "" };
}

export type ExecStream = {
  readonly protocol: string;
  /** Sends stdin bytes. */
  write(data: Uint8Array): void;
  resize(cols: number, rows: number): void;
  /** Stops reading from the API server (TCP backpressure reaches the pod's pty), and resumes. */
  pause(): void;
  resume(): void;
  readonly paused: boolean;
  /** Ends the exec (the API server ends the process's session; bash gets a hangup). */
  close(): void;
  onOutput(listener: (data: Buffer) => void): void;
  /** Called once, whether the command exited or the connection broke. */
  onEnd(listener: (end: ExecEnd) => void): void;
};

export type ExecOptions = { command: readonly string[]; tty: boolean; cols?: number; rows?: number; timeoutMs?: number; maxPayload?: number };

/** Opens the exec; a refusal (RBAC, no such pod, container not running) is a failure in words. */
export async function openExec(client: KubeClient, target: ExecTarget, options: ExecOptions): Promise<{ ok: true; stream: ExecStream } | Failure<ExecFailureCode>> {
  const socket = await client.socketOptions();
  const url = new URL(execPath(target, options.command, options.tty), socket.server);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  const ws = new WebSocket(url, [...EXEC_PROTOCOLS], {
    headers: socket.headers,
    ca: socket.ca,
    cert: socket.cert,
    key: socket.key,
    rejectUnauthorized: socket.rejectUnauthorized,
    handshakeTimeout: options.timeoutMs ?? 15_000,
    maxPayload: options.maxPayload ?? 1024 * 1024,
    perMessageDeflate: false,
  });

  const opened = await new Promise<{ ok: true } | Failure<ExecFailureCode>>((resolve) => {
    ws.once("open", () => resolve({ ok: true }));
    ws.once("unexpected-response", (_request, response) => {
      const chunks: Buffer[] = [];
      response.on("data", (c: Buffer) => chunks.push(c));
      response.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // plain text
        }
        const error = kubeErrorFrom(response.statusCode ?? 0, body, { kind: "Pod", name: target.pod, namespace: target.namespace });
        resolve(failure(response.statusCode === 403 ? "exec-refused" : "exec-unavailable", `Kubernetes refused the terminal (${response.statusCode}): ${error.apiMessage}`));
      });
      response.on("error", () => resolve(failure("exec-unavailable", `Kubernetes answered ${response.statusCode} and broke off`)));
    });
    ws.once("error", (error) => resolve(failure("exec-unavailable", `The terminal could not reach Kubernetes: ${error.message}`)));
  });
  if (!opened.ok) {
    ws.terminate();
    return opened;
  }

  const outputListeners: Array<(data: Buffer) => void> = [];
  const endListeners: Array<(end: ExecEnd) => void> = [];
  let ended: ExecEnd | null = null;
  let status: string | null = null;
  let paused = false;
  const end = (result: ExecEnd) => {
    if (ended) return;
    ended = result;
    for (const listener of endListeners) listener(result);
  };
  ws.on("message", (data: Buffer, isBinary: boolean) => {
    if (!isBinary || data.length === 0) return;
    const channel = data[0];
    if (channel === CHANNEL.stdout || channel === CHANNEL.stderr) {
      if (data.length > 1) for (const listener of outputListeners) listener(data.subarray(1));
    } else if (channel === CHANNEL.error) {
      status = (status ?? "") + data.subarray(1).toString("utf8");
    }
  });
  ws.on("close", (code, reason) => end(status !== null ? execEndFrom(status) : { exitCode: null, message: `the connection to Kubernetes closed (${code}${reason.length ? `: ${reason}` : ""})` }));
  ws.on("error", (error) => end({ exitCode: null, message: `the connection to Kubernetes failed: ${error.message}` }));

  const send = (data: Buffer) => {
    if (ws.readyState === WebSocket.OPEN) ws.send(data, { binary: true });
  };
  const stream: ExecStream = {
    protocol: ws.protocol,
    write: (data) => send(frame(CHANNEL.stdin, data)),
    resize: (cols, rows) => send(resizeFrame(cols, rows)),
    pause() {
      if (paused) return;
      paused = true;
      ws.pause();
    },
    resume() {
      if (!paused) return;
      paused = false;
      ws.resume();
    },
    get paused() {
      return paused;
    },
    close() {
      if (ws.readyState === WebSocket.OPEN) {
        if (ws.protocol === EXEC_PROTOCOLS[0]) send(Buffer.from([CHANNEL.close, CHANNEL.stdin]));
        ws.close(1000);
        // An API server that does not answer the close in time is cut off.
        setTimeout(() => ws.terminate(), 2_000).unref();
      } else {
        ws.terminate();
      }
    },
    onOutput: (listener) => void outputListeners.push(listener),
    onEnd(listener) {
      if (ended) listener(ended);
      else endListeners.push(listener);
    },
  };
  if (options.cols && options.rows) stream.resize(options.cols, options.rows);
  return { ok: true, stream };
}
