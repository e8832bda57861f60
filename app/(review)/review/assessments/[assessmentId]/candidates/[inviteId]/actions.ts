"use server";

// The report's actions: the replay's text of one revision of a candidate's file (and the text
// before it), loaded when the reviewer steps to it, and the reviewer's own notes and rating.
// lib/assessments checks the role and that the invite belongs to the reviewer's organisation;
// these only re-read the session and shape the answer.
import { revalidatePath } from "next/cache";
import { candidateRevisionText } from "@/lib/assessments/report";
import { saveCandidateReview } from "@/lib/assessments/reviews";
import { ForbiddenError } from "@/lib/auth/authorize";
import { getCurrentUser } from "@/lib/auth/session";
import { getDb } from "@/lib/db";

export type RevisionTextState =
  | { ok: true; path: string; revision: number; source: string; at: string; content: string; previous: string }
  | { ok: false; error: string };

export async function revisionTextAction(request: { assessmentId: string; inviteId: string; labId: string; path: string; revision: number }): Promise<RevisionTextState> {
  const user = await getCurrentUser();
  if (!user) return { ok: false, error: "Your session has ended. Sign in again, then reload the report." };
  try {
    const result = await candidateRevisionText(await getDb(), user, request ?? {});
    if (!result.ok) return { ok: false, error: result.error };
    const { revision } = result;
    return { ok: true, path: revision.path, revision: revision.revision, source: revision.source, at: revision.at.toISOString(), content: revision.content, previous: revision.previous };
  } catch (error) {
    if (error instanceof ForbiddenError) return { ok: false, error: error.message };
    throw error;
  }
}

export type ReviewState = { message: string; error: boolean };

/** Saves the acting reviewer's notes and rating of one candidate (the form's hidden ids say which). */
export async function saveReviewAction(_previous: ReviewState, form: FormData): Promise<ReviewState> {
  const user = await getCurrentUser();
  if (!user) return { message: "Your session has ended. Sign in again; copy your notes first, they are not saved.", error: true };
  const assessmentId = form.get("assessmentId");
  const inviteId = form.get("inviteId");
  try {
    const result = await saveCandidateReview(await getDb(), user, { assessmentId, inviteId, rating: form.get("rating"), notes: form.get("notes") });
    if (!result.ok) return { message: result.error, error: true };
    revalidatePath(`/review/assessments/${String(assessmentId)}/candidates/${String(inviteId)}`);
    return { message: result.review ? "Your notes and rating are saved." : "Your notes and rating are cleared.", error: false };
  } catch (error) {
    if (error instanceof ForbiddenError) return { message: error.message, error: true };
    throw error;
  }
}
