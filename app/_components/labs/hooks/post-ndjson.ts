// One streamed POST for the lab room: sends the request, reads the NDJSON answer event by event
// (lib/http/ndjson), and turns every way it can fail into a returned value, never a throw.
import { readNdjson } from "@/lib/http/ndjson";

/** The event every Academy NDJSON stream ends with when the work failed. */
export type StreamErrorEvent = { type: "error"; error: string; code?: string };

export type NdjsonPostResult =
  | { ok: true }
  /** The server refused before streaming (not signed in, no such lab, bad request) or the stream ended in an error event. */
  | { ok: false; code: "refused" | "failed"; error: string }
  /** The connection dropped or the answer could not be read: the outcome is unknown. */
  | { ok: false; code: "lost"; error: string };

/**
 * POSTs `body` (default `{}`) to `url` as JSON and calls `onEvent` for each event as it arrives.
 * Error events are not passed on: the last one becomes the result, so callers handle failure in one place.
 */
export async function postNdjson<E extends { type: string }>(
  url: string,
  {
    body,
    onEvent,
    fetch: fetchImpl = fetch,
  }: { body?: unknown; onEvent: (event: Exclude<E, StreamErrorEvent>) => void; fetch?: typeof fetch },
): Promise<NdjsonPostResult> {
  try {
    // Always a JSON body ({} when there is nothing to say): the routes refuse anything else (lib/http/json-body).
    const response = await fetchImpl(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body ?? {}) });
    if (!response.ok) {
      const answer = (await response.json().catch(() => ({}))) as { error?: unknown };
      return { ok: false, code: "refused", error: typeof answer.error === "string" ? answer.error : `The server answered ${response.status}.` };
    }
    let failure: string | null = null;
    await readNdjson<E | StreamErrorEvent>(response, (event) => {
      if (isErrorEvent(event)) failure = event.error;
      else onEvent(event as Exclude<E, StreamErrorEvent>);
    });
    return failure === null ? { ok: true } : { ok: false, code: "failed", error: failure };
  } catch {
    return { ok: false, code: "lost", error: "Lost the connection to the server." };
  }
}

function isErrorEvent(event: { type: string }): event is StreamErrorEvent {
  return event.type === "error";
}
