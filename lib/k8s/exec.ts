// One command run in a container through client-node's exec, with a deadline and capped output:
// the grader's `LiveSandbox.exec` (lib/grading/live-sandbox.ts) and the workspace pod's file sync
// (lib/sandbox/workspace-pod.ts) both go through `runExec`.
import "server-only";
import { Writable } from "node:stream";
import { Exec, type KubeConfig, type V1Status } from "@kubernetes/client-node";

/** Collects a stream's first `maxBytes`; `truncated` says whether more came. */
export function collector(maxBytes: number): { stream: Writable; text: () => string; truncated: () => boolean } {
  const chunks: Buffer[] = [];
  let size = 0;
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (size < maxBytes) chunks.push(chunk.subarray(0, maxBytes - size));
      size += chunk.length;
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString("utf8"), truncated: () => size > maxBytes };
}

/** Words for what client-node's exec rejects with: an Error, a Status, a socket ErrorEvent. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  const e = error as { message?: unknown; error?: { message?: unknown }; reason?: unknown } | null;
  const message = e?.message ?? e?.error?.message ?? e?.reason;
  if (typeof message === "string" && message) return message;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

/** The exit code in an exec's final Status; null when the command could not run at all. */
export function exitCodeOf(status: V1Status): number | null {
  if (status.status === "Success") return 0;
  if (status.reason === "NonZeroExitCode") {
    const code = Number(status.details?.causes?.find((c) => c.reason === "ExitCode")?.message);
    return Number.isInteger(code) ? code : null;
  }
  return null;
}

export type ExecRun = { status: V1Status | null; error?: string; stdout: string; stderr: string; stdoutTruncated: boolean };

export type ExecTarget = { namespace: string; pod: string; container: string };

/**
 * Runs `command` (no stdin, no tty) and waits for its final Status, at most `timeoutMs`. A socket
 * that closes without a status (the pod went away) ends the wait with `closedMessage`.
 */
export async function runExec(
  kubeConfig: KubeConfig,
  target: ExecTarget,
  command: string[],
  options: { timeoutMs: number; maxStdoutBytes: number; maxStderrBytes: number; closedMessage: string },
): Promise<ExecRun> {
  const out = collector(options.maxStdoutBytes);
  const err = collector(options.maxStderrBytes);
  let socket: { close(): void } | null = null;
  const outcome = await new Promise<{ status: V1Status | null; error?: string }>((resolve) => {
    const timer = setTimeout(() => {
      socket?.close();
      resolve({ status: null, error: `did not finish within ${Math.round(options.timeoutMs / 1000)} s` });
    }, options.timeoutMs);
    new Exec(kubeConfig)
      .exec(target.namespace, target.pod, target.container, command, out.stream, err.stream, null, false, (status) => {
        clearTimeout(timer);
        resolve({ status });
      })
      .then((ws) => {
        socket = ws;
        ws.on("close", () =>
          setTimeout(() => {
            clearTimeout(timer);
            resolve({ status: null, error: options.closedMessage });
          }, 200),
        );
      })
      .catch((error: unknown) => {
        clearTimeout(timer);
        resolve({ status: null, error: describeError(error) });
      });
  });
  return { ...outcome, stdout: out.text(), stderr: err.text(), stdoutTruncated: out.truncated() };
}
