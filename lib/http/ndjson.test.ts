import { expect, test } from "vitest";
import { ndjsonResponse, readNdjson } from "./ndjson";

test("events arrive in order, one per line, and a crash becomes an error event", async () => {
  const events: unknown[] = [];
  const logged: unknown[] = [];
  await readNdjson(
    ndjsonResponse<{ type: string; n?: number }>(
      async (emit) => {
        emit({ type: "progress", n: 1 });
        emit({ type: "progress", n: 2 });
        throw new Error("boom");
      },
      { log: (line, error) => logged.push(line, error) },
    ),
    (e) => events.push(e),
  );
  expect(events.slice(0, 2)).toEqual([
    { type: "progress", n: 1 },
    { type: "progress", n: 2 },
  ]);
  expect(events[2]).toMatchObject({
    type: "error",
    code: "server-error",
    error: expect.stringMatching(/^Something went wrong on the server; try again in a moment\./),
  });
  expect(events).toHaveLength(3);
  expect(logged).toHaveLength(2);
});

test("a server error is logged with the response's request id, and the learner gets the id but not the raw message", async () => {
  const logged: Array<{ line: string; error: unknown }> = [];
  const secret = new Error("connect ECONNREFUSED 10.0.0.7:5432 password=hunter2");
  const response = ndjsonResponse(
    async () => {
      throw secret;
    },
    { log: (line, error) => logged.push({ line, error }) },
  );
  const requestId = response.headers.get("x-request-id");
  expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
  const events: Array<{ error: string; requestId: string }> = [];
  await readNdjson(response, (e: { error: string; requestId: string }) => events.push(e));

  expect(events).toHaveLength(1);
  expect(events[0]!.requestId).toBe(requestId);
  expect(events[0]!.error).toContain(requestId);
  expect(events[0]!.error).not.toMatch(/ECONNREFUSED|hunter2/);
  expect(logged).toEqual([{ line: expect.stringContaining(`request ${requestId}`), error: secret }]);
});

test("every response gets its own request id", () => {
  const ids = new Set(Array.from({ length: 5 }, () => ndjsonResponse(async () => {}).headers.get("x-request-id")));
  expect(ids.size).toBe(5);
});
