import { expect, test } from "vitest";
import { ndjsonResponse, readNdjson } from "./ndjson";

test("events arrive in order, one per line, and a crash becomes an error event", async () => {
  const events: unknown[] = [];
  await readNdjson(
    ndjsonResponse<{ type: string; n?: number }>(async (emit) => {
      emit({ type: "progress", n: 1 });
      emit({ type: "progress", n: 2 });
      throw new Error("boom");
    }),
    (e) => events.push(e),
  );
  expect(events).toEqual([
    { type: "progress", n: 1 },
    { type: "progress", n: 2 },
    { type: "error", error: "Something went wrong on the server; try again in a moment." },
  ]);
});
