// The candidate's pages' shared first step: what this link shows in this browser. Reads the
// binding cookie and the session, and submits lazily when the deadline has passed and the sweep
// has not come round yet (after the response, so the page answers at once).
import "server-only";
import { cookies } from "next/headers";
import { after } from "next/server";
import { bindingCookieName, candidateSessionFor, submitAssessment, type SessionLookup } from "@/lib/assessments/candidate-session";
import { getCurrentUser } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { reportServerError } from "@/lib/http/server-error";

export async function candidatePageState(token: string, now: Date = new Date()): Promise<SessionLookup> {
  const db = await getDb();
  const [jar, user] = await Promise.all([cookies(), getCurrentUser()]);
  const state = await candidateSessionFor(db, token, { binding: (inviteId) => jar.get(bindingCookieName(inviteId))?.value, signedInUserId: user?.id ?? null }, now);
  if (state.ok && state.state === "in-progress" && state.session.status === "started" && state.session.deadlineAt.getTime() <= now.getTime()) {
    const inviteId = state.session.inviteId;
    after(async () => {
      try {
        await submitAssessment(await getDb(), inviteId);
      } catch (error) {
        reportServerError("", `assessment: the submission at the deadline of ${inviteId} failed (the sweep tries again)`, error);
      }
    });
    return { ok: true, state: "in-progress", session: { ...state.session, status: "grading" } };
  }
  return state;
}
