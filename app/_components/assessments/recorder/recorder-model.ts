// The pure half of the candidate's recorder (decision 017, part 5): the active-time clock and the
// debounce of focus changes, kept free of the DOM and timers so a unit test drives them with
// numbers. use-assessment-recorder.ts feeds them the page's events and sends what they yield.

/** Active = the page visible and focused. The clock adds up active milliseconds until taken. */
export type ActiveClock = { active: boolean; since: number; pendingMs: number };

export function activeClock(active: boolean, now: number): ActiveClock {
  return { active, since: now, pendingMs: 0 };
}

/** The page became active or not: the time until now is counted if it was active. */
export function setActive(clock: ActiveClock, active: boolean, now: number): ActiveClock {
  const elapsed = clock.active ? Math.max(0, now - clock.since) : 0;
  return { active, since: now, pendingMs: clock.pendingMs + elapsed };
}

/** The active milliseconds since the last take (for a heartbeat), and the clock started afresh. */
export function takeActive(clock: ActiveClock, now: number): { ms: number; clock: ActiveClock } {
  const counted = setActive(clock, clock.active, now);
  return { ms: Math.round(counted.pendingMs), clock: { ...counted, pendingMs: 0 } };
}

/**
 * Focus as the reviewer reads it: a change is reported only once it has lasted `debounceMs`, so an
 * alt-tab and back, a file dialog, or blur and visibilitychange firing together make no noise.
 * `reported` is what the reviewer last learned (focused at the start), `pending` a change waiting.
 */
export type FocusTracker = { reported: boolean; pending: { focused: boolean; since: number } | null };

export function focusTracker(): FocusTracker {
  return { reported: true, pending: null };
}

export function observeFocus(tracker: FocusTracker, focused: boolean, now: number): FocusTracker {
  if (focused === tracker.reported) return { ...tracker, pending: null };
  if (tracker.pending?.focused === focused) return tracker;
  return { ...tracker, pending: { focused, since: now } };
}

/** The event to send once a pending change has lasted long enough, or null. */
export function settleFocus(tracker: FocusTracker, now: number, debounceMs: number): { tracker: FocusTracker; event: "focus-lost" | "focus-back" | null } {
  const pending = tracker.pending;
  if (!pending || now - pending.since < debounceMs) return { tracker, event: null };
  return { tracker: { reported: pending.focused, pending: null }, event: pending.focused ? "focus-back" : "focus-lost" };
}
