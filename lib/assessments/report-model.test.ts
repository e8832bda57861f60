import { expect, test } from "vitest";
import { estimateTimePerLab, formatDuration, labFraction, passes, recordedTimePerLab, timesAway, weightedPercent } from "./report-model";

const at = (minute: number) => new Date(Date.UTC(2030, 0, 1, 10, minute));

test("each lab counts as its last score over its points; a lab never checked counts 0; weights share the total", () => {
  expect(labFraction({ earned: 30, max: 40 })).toBe(0.75);
  expect(labFraction({ earned: null, max: null })).toBe(0);
  expect(labFraction({ earned: 5, max: 0 })).toBe(0);
  const labs = [
    { labId: "a", weight: 3, earned: 50, max: 100 },
    { labId: "b", weight: 1, earned: 10, max: 10 },
    { labId: "c", weight: 1, earned: null, max: null },
  ];
  expect(weightedPercent(labs)).toBeCloseTo((3 * 0.5 + 1 + 0) / 5 * 100, 9);
  expect(weightedPercent([])).toBe(0);
});

test("reaching the pass mark passes, even when the total is a repeating decimal", () => {
  expect(passes(60, 60)).toBe(true);
  expect(passes(59.99, 60)).toBe(false);
  expect(passes((100 * 2) / 3, 200 / 3)).toBe(true);
});

test("time per lab: the time up to each action goes to its lab, the time after the last one to the last lab; actions outside the session are ignored", () => {
  const time = estimateTimePerLab(
    [
      { labId: "a", at: at(10) },
      { labId: "b", at: at(25) },
      { labId: "a", at: at(30) },
      { labId: "b", at: at(50) },
      { labId: "a", at: at(70) }, // after the end
      { labId: "b", at: at(-5) }, // before the start
    ],
    at(0),
    at(60),
  );
  expect(Object.fromEntries(time)).toEqual({ a: 15 * 60_000, b: 45 * 60_000 });
  expect(estimateTimePerLab([{ labId: "a", at: at(5) }], null, at(60)).size).toBe(0);
  expect(estimateTimePerLab([], at(0), at(60)).size).toBe(0);
});

test("durations read as a person would say them", () => {
  expect(formatDuration(40_000)).toBe("40 s");
  expect(formatDuration(12 * 60_000)).toBe("12 min");
  expect(formatDuration(65 * 60_000)).toBe("1 h 05 min");
});

test("recorded time adds each lab's heartbeats; with none recorded there is no recorded time (the report falls back to the estimate)", () => {
  expect(recordedTimePerLab([])).toBeNull();
  const time = recordedTimePerLab([
    { labId: "a", ms: 15_000 },
    { labId: "b", ms: 4_000 },
    { labId: "a", ms: 12_000 },
    { labId: null, ms: 1_000 },
  ]);
  expect(time && Object.fromEntries(time)).toEqual({ a: 27_000, b: 4_000 });
});

test("times away pair each loss of focus with the next return; one that never came back has no length", () => {
  const away = timesAway([
    { kind: "focus-back", at: at(1), labId: "a" }, // a return without a loss is ignored
    { kind: "focus-lost", at: at(5), labId: "a" },
    { kind: "focus-lost", at: at(6), labId: "a" },
    { kind: "focus-back", at: at(8), labId: "a" },
    { kind: "focus-lost", at: at(20), labId: null },
  ]);
  expect(away).toEqual([
    { at: at(5), labId: "a", awayMs: 3 * 60_000 },
    { at: at(20), labId: null, awayMs: null },
  ]);
});
