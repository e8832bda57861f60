import { expect, test } from "vitest";
import { RingBuffer } from "./ring-buffer";

const text = (b: Buffer) => b.toString("utf8");

test("keeps the last bytes by absolute offset, across the wrap", () => {
  const ring = new RingBuffer(8);
  ring.write(Buffer.from("abcde"));
  expect(ring.since(0)).toEqual({ from: 0, bytes: Buffer.from("abcde"), gap: false });
  ring.write(Buffer.from("fghij")); // 10 bytes written, 8 kept: "cdefghij"
  expect(ring.total).toBe(10);
  expect(ring.start).toBe(2);
  expect(text(ring.since(5).bytes)).toBe("fghij");
  expect(ring.since(2)).toMatchObject({ from: 2, gap: false });
  expect(text(ring.since(2).bytes)).toBe("cdefghij");
});

test("an offset older than what is kept gets everything kept and says some was lost", () => {
  const ring = new RingBuffer(4);
  ring.write(Buffer.from("0123456789"));
  expect(ring.since(0)).toEqual({ from: 6, bytes: Buffer.from("6789"), gap: true });
  expect(ring.since(10)).toEqual({ from: 10, bytes: Buffer.alloc(0), gap: false });
  // A confused client ahead of the end gets nothing rather than garbage.
  expect(ring.since(99)).toEqual({ from: 10, bytes: Buffer.alloc(0), gap: false });
});

test("many small writes equal one large one", () => {
  const ring = new RingBuffer(1000);
  let all = "";
  for (let i = 0; i < 500; i++) {
    const chunk = `line ${i}\n`;
    all += chunk;
    ring.write(Buffer.from(chunk));
  }
  expect(text(ring.since(0).bytes)).toBe(all.slice(-1000));
  expect(ring.since(0).from).toBe(all.length - 1000);
});

test("a capacity must be positive", () => {
  expect(() => new RingBuffer(0)).toThrow(/positive capacity/);
});
