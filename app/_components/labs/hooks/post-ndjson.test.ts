import { expect, test } from "vitest";
import { ndjsonResponse } from "@/lib/http/ndjson";
import { postNdjson } from "./post-ndjson";

type Event = { type: "progress"; step: string } | { type: "done"; n: number } | { type: "error"; error: string; code?: string };

function answering(response: Response | (() => Response), seen: Array<{ url: string; init?: RequestInit }> = []): typeof fetch {
  return (async (url: string, init?: RequestInit) => {
    seen.push({ url, init });
    return typeof response === "function" ? response() : response;
  }) as typeof fetch;
}

test("events reach the caller in order, and a JSON body is sent as JSON", async () => {
  const seen: Array<{ url: string; init?: RequestInit }> = [];
  const events: unknown[] = [];
  const result = await postNdjson<Event>("/api/labs/x/sandbox", {
    body: { action: "start" },
    onEvent: (e) => events.push(e),
    fetch: answering(
      ndjsonResponse<Event>(async (emit) => {
        emit({ type: "progress", step: "Creating namespace" });
        emit({ type: "progress", step: "Waiting" });
        emit({ type: "done", n: 1 });
      }),
      seen,
    ),
  });
  expect(result).toEqual({ ok: true });
  expect(events).toEqual([
    { type: "progress", step: "Creating namespace" },
    { type: "progress", step: "Waiting" },
    { type: "done", n: 1 },
  ]);
  expect(seen).toEqual([
    { url: "/api/labs/x/sandbox", init: { method: "POST", headers: { "content-type": "application/json" }, body: '{"action":"start"}' } },
  ]);
});

test("without a body the POST sends {} as JSON: every JSON route refuses other content types", async () => {
  const seen: Array<{ url: string; init?: RequestInit }> = [];
  await postNdjson<Event>("/api/labs/x/check", { onEvent: () => {}, fetch: answering(ndjsonResponse<Event>(async () => {}), seen) });
  expect(seen[0]?.init).toEqual({ method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
});

test("an error event is not passed on: the stream's result carries its words", async () => {
  const events: unknown[] = [];
  const result = await postNdjson<Event>("/x", {
    onEvent: (e) => events.push(e),
    fetch: answering(
      ndjsonResponse<Event>(async (emit) => {
        emit({ type: "progress", step: "Creating namespace" });
        emit({ type: "error", error: "The namespace quota is full.", code: "quota" });
      }),
    ),
  });
  expect(events).toEqual([{ type: "progress", step: "Creating namespace" }]);
  expect(result).toEqual({ ok: false, code: "failed", error: "The namespace quota is full." });
});

test("a server crash mid-stream comes back as the server's generic words, not a throw", async () => {
  const result = await postNdjson<Event>("/x", {
    onEvent: () => {},
    fetch: answering(
      ndjsonResponse<Event>(async () => {
        throw new Error("boom");
      }),
    ),
  });
  expect(result).toEqual({
    ok: false,
    code: "failed",
    error: expect.stringMatching(/^Something went wrong on the server; try again in a moment\. .*request id [0-9a-f-]{36}\.$/),
  });
  expect(JSON.stringify(result)).not.toContain("boom");
});

test("a refusal before streaming returns the server's error, or its status when the body has none", async () => {
  const refused = await postNdjson<Event>("/x", {
    onEvent: () => {},
    fetch: answering(Response.json({ error: "Sign in to check your work." }, { status: 401 })),
  });
  expect(refused).toEqual({ ok: false, code: "refused", error: "Sign in to check your work." });

  const bare = await postNdjson<Event>("/x", { onEvent: () => {}, fetch: answering(new Response("<html>Bad gateway</html>", { status: 502 })) });
  expect(bare).toEqual({ ok: false, code: "refused", error: "The server answered 502." });
});

test("a dropped connection, before or during the stream, is 'lost', after the events that did arrive", async () => {
  const unreachable = await postNdjson<Event>("/x", {
    onEvent: () => {},
    fetch: (async () => {
      throw new TypeError("Failed to fetch");
    }) as typeof fetch,
  });
  expect(unreachable).toEqual({ ok: false, code: "lost", error: "Lost the connection to the server." });

  const events: unknown[] = [];
  let pulls = 0;
  const broken = new ReadableStream<Uint8Array>({
    pull(controller) {
      // The first read gets one whole event and half of the next; the second read finds the connection reset.
      if (pulls++ === 0) controller.enqueue(new TextEncoder().encode('{"type":"progress","step":"one"}\n{"type":"progr'));
      else controller.error(new Error("connection reset"));
    },
  });
  const midway = await postNdjson<Event>("/x", { onEvent: (e) => events.push(e), fetch: answering(new Response(broken)) });
  expect(events).toEqual([{ type: "progress", step: "one" }]);
  expect(midway).toEqual({ ok: false, code: "lost", error: "Lost the connection to the server." });
});
