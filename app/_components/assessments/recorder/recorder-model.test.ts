import { expect, test } from "vitest";
import { activeClock, focusTracker, observeFocus, setActive, settleFocus, takeActive } from "./recorder-model";

test("active time counts only while the page is visible and focused, and a heartbeat takes what piled up", () => {
  let clock = activeClock(true, 0);
  clock = setActive(clock, false, 4_000); // 4 s active, then away
  clock = setActive(clock, true, 10_000); // 6 s away: not counted
  const first = takeActive(clock, 15_000); // 5 s more
  expect(first.ms).toBe(9_000);
  const second = takeActive(first.clock, 30_000);
  expect(second.ms).toBe(15_000);
  // Away for the whole heartbeat: nothing.
  const away = takeActive(setActive(second.clock, false, 30_000), 45_000);
  expect(away.ms).toBe(0);
  // The same state reported twice does not count twice.
  const twice = setActive(setActive(activeClock(true, 0), true, 1_000), true, 2_000);
  expect(takeActive(twice, 3_000).ms).toBe(3_000);
});

test("a focus change is reported once it has lasted the debounce; a quick alt-tab and back is not", () => {
  let tracker = focusTracker();
  tracker = observeFocus(tracker, false, 1_000);
  tracker = observeFocus(tracker, true, 1_500); // back within 0.5 s
  expect(settleFocus(tracker, 5_000, 2_000).event).toBeNull();

  tracker = observeFocus(tracker, false, 6_000);
  tracker = observeFocus(tracker, false, 6_100); // blur and visibilitychange both fire
  expect(settleFocus(tracker, 7_000, 2_000).event).toBeNull(); // not yet 2 s
  const lost = settleFocus(tracker, 8_000, 2_000);
  expect(lost.event).toBe("focus-lost");
  expect(settleFocus(lost.tracker, 20_000, 2_000).event).toBeNull(); // reported once

  tracker = observeFocus(lost.tracker, true, 30_000);
  expect(settleFocus(tracker, 32_000, 2_000).event).toBe("focus-back");
});
