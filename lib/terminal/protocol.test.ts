import { expect, test } from "vitest";
import { LAB_ID_PATTERN } from "@/lib/labs/schema";
import { LAB_ID, parseClientMessage, parseConnectRequest, parseServerMessage, terminalPath } from "./protocol";

test("a terminal address round-trips, and a bad one says what is wrong", () => {
  const path = terminalPath({ labId: "deploy-the-model", session: "abcdefghijklmnopqrstuvwx", offset: 1234, cols: 100, rows: 30 });
  expect(path).toBe("/api/terminal/labs/deploy-the-model?offset=1234&cols=100&rows=30&session=abcdefghijklmnopqrstuvwx");
  expect(parseConnectRequest(path)).toEqual({ labId: "deploy-the-model", session: "abcdefghijklmnopqrstuvwx", offset: 1234, cols: 100, rows: 30 });
  expect(parseConnectRequest("/api/terminal/labs/x")).toEqual({ labId: "x", session: null, offset: 0, cols: 80, rows: 24 });
  expect(parseConnectRequest("/api/other")).toEqual({ error: "no terminal at /api/other" });
  expect(parseConnectRequest("/api/terminal/labs/..%2Fadmin")).toEqual({ error: "the lab id in the address is not a lab id" });
  expect(parseConnectRequest("/api/terminal/labs/x?session=short")).toEqual({ error: "the session id in the address is malformed" });
  expect(parseConnectRequest("/api/terminal/labs/x?cols=100000")).toEqual({ error: "offset, cols or rows in the address is out of range" });
  expect(parseConnectRequest("/api/terminal/labs/x?offset=-1")).toMatchObject({ error: expect.any(String) });
});

test("the protocol's lab id rule is the labs' rule", () => {
  for (const id of ["a", "deploy-the-model", "lab-2", "x".repeat(80)]) expect([id, LAB_ID.test(id)]).toEqual([id, LAB_ID_PATTERN.test(id)]);
  for (const id of ["", "-a", "a-", "a--b", "A", "a_b", "x".repeat(81)]) expect([id, LAB_ID.test(id)]).toEqual([id, false]);
});

test("control messages from the browser are accepted only in their exact shape", () => {
  expect(parseClientMessage('{"type":"resize","cols":120,"rows":40}')).toEqual({ type: "resize", cols: 120, rows: 40 });
  expect(parseClientMessage('{"type":"ack","offset":65536}')).toEqual({ type: "ack", offset: 65536 });
  for (const bad of ['{"type":"resize","cols":0,"rows":40}', '{"type":"resize","cols":1.5,"rows":4}', '{"type":"resize","cols":"80","rows":24}', '{"type":"ack","offset":-1}', '{"type":"exec","command":"rm"}', "not json", "null", `{"type":"ack","offset":1,"pad":"${"x".repeat(2000)}"}`]) {
    expect([bad.slice(0, 40), parseClientMessage(bad)]).toEqual([bad.slice(0, 40), null]);
  }
});

test("server messages parse back to what was sent", () => {
  for (const message of [
    { type: "status", state: "starting", message: "starting your workspace…" },
    { type: "ready", session: "s".repeat(24), offset: 10, gap: true },
    { type: "closed", reason: "idle", message: "closed after 30 minutes without input; press Reconnect" },
    { type: "heartbeat" },
  ] as const) {
    expect(parseServerMessage(JSON.stringify(message))).toEqual(message);
  }
  expect(parseServerMessage('{"type":"closed","reason":"made-up","message":"x"}')).toBeNull();
});
