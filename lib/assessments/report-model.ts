// The pure arithmetic of a candidate's report (no database): the weighted total, pass or fail, and
// the estimate of time per lab. report.ts feeds it rows; its unit test feeds it numbers.

/** A lab's result: the last attempt's score over its points; null when the candidate never checked it. */
export type LabScore = { labId: string; weight: number; earned: number | null; max: number | null };

/** 0–1 for one lab: no attempt (or a lab worth nothing) counts as 0. */
export function labFraction(score: Pick<LabScore, "earned" | "max">): number {
  if (score.earned === null || !score.max) return 0;
  return Math.min(1, Math.max(0, score.earned / score.max));
}

/**
 * The total as a percentage (0–100): each lab's fraction weighted by the version's weight. Weights
 * are whole numbers of at least 1 (the builder's schema), so the sum is never 0 for a version
 * with labs; a version without labs scores 0.
 */
export function weightedPercent(labs: readonly LabScore[]): number {
  const weights = labs.reduce((sum, lab) => sum + lab.weight, 0);
  if (weights <= 0) return 0;
  return (100 * labs.reduce((sum, lab) => sum + lab.weight * labFraction(lab), 0)) / weights;
}

/** Passing means reaching the pass mark (60 % passes a 60 % mark); compared before any rounding. */
export function passes(percent: number, passMarkPercent: number): boolean {
  return percent + 1e-9 >= passMarkPercent;
}

/** One recorded action of the candidate: a saved revision or a graded attempt, in some lab. */
export type Activity = { labId: string; at: Date };

/**
 * Estimated time per lab, in milliseconds, for a candidate with no recorded active time (one who
 * took the assessment before the recorder existed, or whose browser sent none): the time between two recorded
 * actions is counted for the lab of the later one: working towards a save or a check. The time
 * after the last action until the end is counted for that action's lab. Actions outside
 * [start, end] are ignored; the estimates add up to the time between start and the last action
 * (or the end when there are actions).
 */
export function estimateTimePerLab(activities: readonly Activity[], start: Date | null, end: Date | null): Map<string, number> {
  const out = new Map<string, number>();
  if (!start || !end || end.getTime() <= start.getTime()) return out;
  const inside = activities
    .filter((a) => a.at.getTime() >= start.getTime() && a.at.getTime() <= end.getTime())
    .sort((x, y) => x.at.getTime() - y.at.getTime());
  let previous = start.getTime();
  for (const activity of inside) {
    out.set(activity.labId, (out.get(activity.labId) ?? 0) + (activity.at.getTime() - previous));
    previous = activity.at.getTime();
  }
  const last = inside.at(-1);
  if (last) out.set(last.labId, (out.get(last.labId) ?? 0) + (end.getTime() - previous));
  return out;
}

/** "1 h 05 min", "12 min", "40 s": how the report prints a duration. */
/** Minutes from `start` to `at` (never negative): the report's time axis, since Start. */
export function minutesSince(start: Date, at: Date): number {
  return Math.max(0, (at.getTime() - start.getTime()) / 60_000);
}

export function formatDuration(ms: number): string {
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

/** A recorded heartbeat: `ms` of active time (page visible and focused) on a lab. */
export type ActiveSpan = { labId: string | null; ms: number };

/**
 * Time per lab from the recorded heartbeats (events.ts clamps each on arrival); null when nothing
 * was recorded, so the report falls back to the estimate and says so.
 */
export function recordedTimePerLab(spans: readonly ActiveSpan[]): Map<string, number> | null {
  if (spans.length === 0) return null;
  const out = new Map<string, number>();
  for (const span of spans) if (span.labId) out.set(span.labId, (out.get(span.labId) ?? 0) + span.ms);
  return out;
}

/** A focus change as recorded, oldest first. */
export type FocusChange = { kind: "focus-lost" | "focus-back"; at: Date; labId: string | null };
/** One time away: when the page lost focus, and for how long (null: it never came back). */
export type TimeAway = { at: Date; labId: string | null; awayMs: number | null };

/** Pairs each loss of focus with the next return; a second loss before a return starts nothing new. */
export function timesAway(changes: readonly FocusChange[]): TimeAway[] {
  const out: TimeAway[] = [];
  let open: TimeAway | null = null;
  for (const change of [...changes].sort((a, b) => a.at.getTime() - b.at.getTime())) {
    if (change.kind === "focus-lost" && !open) {
      open = { at: change.at, labId: change.labId, awayMs: null };
      out.push(open);
    } else if (change.kind === "focus-back" && open) {
      open.awayMs = change.at.getTime() - open.at.getTime();
      open = null;
    }
  }
  return out;
}
