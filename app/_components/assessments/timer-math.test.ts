// The timer counts to the server's deadline: a browser whose clock is wrong shows the same time left.
import { expect, test } from "vitest";
import { clockSkewMs, timeLeftMs, timeLeftText } from "./timer-math";

const server = new Date("2026-12-03T10:00:00Z");
const deadline = new Date("2026-12-03T10:30:00Z");

test("a browser clock two hours fast or a day slow shows the server's 30 minutes, then counts down", () => {
  for (const offset of [0, 2 * 3600_000, -24 * 3600_000]) {
    const arrival = server.getTime() + offset;
    const skew = clockSkewMs(server, arrival);
    expect(timeLeftMs(deadline, arrival, skew)).toBe(30 * 60_000);
    expect(timeLeftMs(deadline, arrival + 10 * 60_000, skew)).toBe(20 * 60_000);
    expect(timeLeftMs(deadline, arrival + 31 * 60_000, skew)).toBe(0);
  }
});

test("the time left in words: minutes and seconds, hours when there are any, rounded up", () => {
  expect(timeLeftText(30 * 60_000)).toBe("30:00");
  expect(timeLeftText(61_500)).toBe("01:02");
  expect(timeLeftText(3_723_000)).toBe("1:02:03");
  expect(timeLeftText(1)).toBe("00:01");
  expect(timeLeftText(0)).toBe("00:00");
  expect(timeLeftText(-5)).toBe("00:00");
});
