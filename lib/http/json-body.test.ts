import { expect, test } from "vitest";
import { z } from "zod";
import { jsonBodyRefusal, readJsonBody } from "./json-body";

const SITE = "https://academy.example.org";
const Action = z.object({ action: z.enum(["start", "stop"]) });
const options = { maxBytes: 1024, siteOrigin: SITE, invalid: "Unknown action." };

function post(body: BodyInit | null, headers: Record<string, string>): Request {
  return new Request(`${SITE}/api/labs/x/sandbox`, { method: "POST", body, headers, duplex: "half" } as RequestInit);
}

const json = { origin: SITE, "content-type": "application/json" };

test("a same-origin JSON body that fits is parsed with the route's schema", async () => {
  expect(await readJsonBody(post('{"action":"stop"}', json), Action, options)).toEqual({ ok: true, data: { action: "stop" } });
  expect(await readJsonBody(post('{"action":"stop"}', { ...json, "content-type": "application/json; charset=utf-8" }), Action, options)).toMatchObject({ ok: true });
});

test("a request from another origin, or without an Origin header, is refused with 403", async () => {
  const foreign = await readJsonBody(post('{"action":"stop"}', { ...json, origin: "http://evil.example" }), Action, options);
  expect(foreign).toMatchObject({ ok: false, code: "cross-origin", error: expect.stringContaining("http://evil.example are not accepted") });
  // Same host, other port: same-site for cookies, but another origin.
  expect(await readJsonBody(post('{"action":"stop"}', { ...json, origin: "https://academy.example.org:8443" }), Action, options)).toMatchObject({ code: "cross-origin" });
  expect(await readJsonBody(post('{"action":"stop"}', { "content-type": "application/json" }), Action, options)).toMatchObject({ code: "cross-origin" });
  if (foreign.ok) throw new Error("expected a refusal");
  expect(jsonBodyRefusal(foreign).status).toBe(403);
});

test("text/plain and form bodies (what a cross-site form can send) are refused with 415", async () => {
  for (const type of ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"]) {
    const result = await readJsonBody(post('{"action":"stop","x":"="}', { origin: SITE, "content-type": type }), Action, options);
    expect(result).toMatchObject({ ok: false, code: "not-json", error: expect.stringContaining("application/json") });
    if (!result.ok) expect(jsonBodyRefusal(result).status).toBe(415);
  }
  expect(await readJsonBody(post('{"action":"stop"}', { origin: SITE }), Action, options)).toMatchObject({ code: "not-json" });
});

test("a body over the limit is refused with 413 and both sizes, by its declared length or while it streams", async () => {
  const big = JSON.stringify({ action: "stop", pad: "x".repeat(20 * 1024 * 1024) });
  const declared = await readJsonBody(post(big, { ...json, "content-length": String(big.length) }), Action, options);
  expect(declared).toMatchObject({ ok: false, code: "too-large", error: "The request body is 20.1 MiB; this endpoint accepts at most 1 KiB." });
  if (!declared.ok) expect(jsonBodyRefusal(declared).status).toBe(413);

  // No content-length (chunked): counted while read, and reading stops at the limit.
  let pulled = 0;
  const chunk = new TextEncoder().encode("x".repeat(512));
  const endless = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled += 1;
      controller.enqueue(chunk);
    },
  });
  const streamed = await readJsonBody(post(endless, json), Action, options);
  expect(streamed).toMatchObject({ ok: false, code: "too-large", error: "The request body is more than 1 KiB; this endpoint accepts at most 1 KiB." });
  expect(pulled).toBeLessThan(10);
});

test("text that is not JSON, or JSON of the wrong shape, is refused with 400 in words", async () => {
  expect(await readJsonBody(post("action=stop", json), Action, options)).toMatchObject({ code: "invalid-input", error: "The request body is not valid JSON." });
  expect(await readJsonBody(post(new Uint8Array([0x7b, 0xff, 0x7d]), json), Action, options)).toMatchObject({ code: "invalid-input", error: "The request body is not valid UTF-8 text." });
  const wrong = await readJsonBody(post('{"action":"explode"}', json), Action, options);
  expect(wrong).toMatchObject({ code: "invalid-input", error: "Unknown action." });
  if (!wrong.ok) expect(jsonBodyRefusal(wrong).status).toBe(400);
});
