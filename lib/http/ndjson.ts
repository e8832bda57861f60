// Streams progress to the browser as newline-delimited JSON: one event per line, sent as soon as
// it happens (sandbox start, grading). The browser reads it with `readNdjson`.

/** A Response whose body is the events `work` emits, one JSON object per line. */
export function ndjsonResponse<E>(work: (emit: (event: E) => void) => Promise<void>): Response {
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const emit = (event: E) => controller.enqueue(encoder.encode(`${JSON.stringify(event)}\n`));
      try {
        await work(emit);
      } catch (error) {
        console.error(error);
        emit({ type: "error", error: "Something went wrong on the server; try again in a moment." } as E);
      } finally {
        controller.close();
      }
    },
  });
  return new Response(stream, {
    headers: { "content-type": "application/x-ndjson; charset=utf-8", "cache-control": "no-store", "x-accel-buffering": "no" },
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
