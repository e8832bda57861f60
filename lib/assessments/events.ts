// What the candidate's browser records while they work (issue 11, part 5; decision 017): large
// pastes (size and file, never the text), the page losing focus and coming back, and active time
// per lab. Only the candidate's hidden user may record, only for its own invite, only while the
// assessment gate lets it change its work (started, before the deadline, not submitted), so
// nothing arrives after the fact. Times are the server's: the browser's clock is not trusted, and
// the active time a heartbeat claims is cut to the wall time since the previous heartbeat of the
// same invite and lab (or since Start), so a tampered browser can at most claim it was always there.
import "server-only";
import { randomUUID } from "node:crypto";
import { and, eq, max } from "drizzle-orm";
import type { ActingUser } from "@/lib/auth/acting-user";
import type { Database } from "@/lib/db/client";
import { assessmentEvents, assessmentInvites, users, type AssessmentEventKind } from "@/lib/db/schema";
import { getLab } from "@/lib/labs/registry";
import { takeUserLimit, type RateLimited } from "@/lib/rate-limit/limits";
import { failure, type Failure } from "@/lib/result";
import { assessmentGate } from "./gate";
import { RECORDING, RecordedEventsSchema, TERMINAL_PASTE_PATH } from "./schema";

export type RecordEventsResult =
  | { ok: true; stored: number }
  | Failure<"forbidden" | "invalid-input" | "not-found" | "assessment-closed">
  | RateLimited;

/** Wall time the active heartbeat may cover: from the previous one of this lab (or Start) to now. */
export function clampActiveMs(claimedMs: number, previousAt: Date | null, startedAt: Date, now: Date): number {
  const since = Math.max(previousAt?.getTime() ?? 0, startedAt.getTime());
  return Math.max(0, Math.min(claimedMs, now.getTime() - since));
}

export async function recordCandidateEvents(db: Database, user: ActingUser, input: unknown, now: Date = new Date()): Promise<RecordEventsResult> {
  const [account] = await db.select({ role: users.role }).from(users).where(eq(users.id, user.id)).limit(1);
  if (account?.role !== "candidate") return failure("forbidden", "Only an assessment candidate's own pages record events.");
  const parsed = RecordedEventsSchema.safeParse(input);
  if (!parsed.success) return failure("invalid-input", "The recorded events do not have the expected fields; reload the page.");
  const { labId, events } = parsed.data;
  if (labId === null && events.some((e) => e.kind === "paste" || e.kind === "active")) {
    return failure("invalid-input", "Pastes and active time belong to a lab; reload the lab's page.");
  }
  const lab = labId ? getLab(labId) : null;
  if (labId && !lab) return failure("not-found", "This lab does not exist.");
  for (const event of events) {
    if (event.kind !== "paste") continue;
    if (event.path === TERMINAL_PASTE_PATH) {
      if (!lab!.sandbox) return failure("invalid-input", "This lab has no terminal to paste into.");
    } else if (!lab!.files.some((f) => f.path === event.path && !f.readonly)) {
      return failure("invalid-input", `"${event.path}" is not an editable file of this lab.`);
    }
  }
  const allowed = await takeUserLimit(db, "assessment-events", user.id, now);
  if (!allowed.ok) return allowed;

  return db.transaction(async (tx) => {
    // The invite row is locked first (FOR UPDATE): two heartbeats of the same invite run one after
    // the other, so the second clamps against the first, and the submission's "status = grading"
    // waits for them. Then the gate decides as for a save: after the deadline or the submission
    // nothing more is recorded.
    const [invite] = await tx
      .select({ id: assessmentInvites.id, startedAt: assessmentInvites.startedAt })
      .from(assessmentInvites)
      .where(eq(assessmentInvites.candidateUserId, user.id))
      .for("update")
      .limit(1);
    const gate = await assessmentGate(tx, user, labId, { now });
    if (!gate.ok) return gate;
    if (!invite?.startedAt) return failure("assessment-closed", "This assessment session has ended. Nothing more is recorded.");
    const rows: { id: string; inviteId: string; labId: string | null; kind: AssessmentEventKind; at: Date; amount: number | null; path: string | null }[] = [];
    let activeMs = 0;
    for (const event of events) {
      if (event.kind === "active") activeMs += event.ms;
      else if (event.kind === "paste") {
        if (event.chars >= RECORDING.minPasteChars) rows.push({ id: randomUUID(), inviteId: invite.id, labId, kind: "paste", at: now, amount: event.chars, path: event.path });
      } else rows.push({ id: randomUUID(), inviteId: invite.id, labId, kind: event.kind, at: now, amount: null, path: null });
    }
    if (activeMs > 0 && labId) {
      const [previous] = await tx
        .select({ at: max(assessmentEvents.at) })
        .from(assessmentEvents)
        .where(and(eq(assessmentEvents.inviteId, invite.id), eq(assessmentEvents.labId, labId), eq(assessmentEvents.kind, "active")));
      const ms = clampActiveMs(activeMs, previous?.at ? new Date(previous.at) : null, invite.startedAt, now);
      if (ms > 0) rows.push({ id: randomUUID(), inviteId: invite.id, labId, kind: "active", at: now, amount: ms, path: null });
    }
    if (rows.length) await tx.insert(assessmentEvents).values(rows);
    return { ok: true as const, stored: rows.length };
  });
}
