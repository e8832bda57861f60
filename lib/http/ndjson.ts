// Streams progress to the browser as newline-delimited JSON: one event per line, sent as soon as
// it happens (sandbox start, grading). The browser reads it with `readNdjson`, so this file runs
// in both (no Node-only imports: the request id comes from Web Crypto).
//
// A response's status is sent before the work starts, so a server error inside the stream cannot
// become a 500: it is logged with a request id made for this response, and the learner gets a last
// `error` event with that id and words to act on, never the raw error message (it may name
// internals). The same id is in the `x-request-id` header.

import { SERVER_ERROR, reportServerError, withRequestId, type ServerErrorLog } from "./server-error";

/** The last event of a stream whose work threw. */
export type ServerErrorEvent = { type: "error"; error: string; code: "server-error"; requestId: string };

export function serverErrorEvent(requestId: string): ServerErrorEvent {
  return { type: "error", code: "server-error", requestId, error: withRequestId(SERVER_ERROR, requestId) };
}

export type NdjsonOptions = {
  /** Default: a new random id per response. */
  requestId?: string;
  /** Where a server error is logged (default console.error). */
  log?: ServerErrorLog;
};

/** A Response whose body is the events `work` emits, one JSON object per line. */
export function ndjsonResponse<E>(work: (emit: (event: E) => void) => Promise<void>, options: NdjsonOptions = {}): Response {
  const requestId = options.requestId ?? crypto.randomUUID();
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const emit = (event: E | ServerErrorEvent) => controller.enqueue(encoder.encode(`${JSON.stringify(event)}\n`));
      try {
        await work(emit);
      } catch (error) {
        reportServerError(SERVER_ERROR, "server error in a streamed response", error, { requestId, log: options.log });
        emit(serverErrorEvent(requestId));
      } finally {
        controller.close();
      }
    },
  });
  return new Response(stream, {
    headers: {
      "content-type": "application/x-ndjson; charset=utf-8",
      "cache-control": "no-store",
      "x-accel-buffering": "no",
      "x-request-id": requestId,
    },
  });
}

/** Reads an NDJSON response, calling `onEvent` for each line as it arrives. */
export async function readNdjson<E>(response: Response, onEvent: (event: E) => void): Promise<void> {
  if (!response.body) return;
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let newline: number;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      if (line) onEvent(JSON.parse(line) as E);
    }
  }
  if (buffer.trim()) onEvent(JSON.parse(buffer) as E);
}
