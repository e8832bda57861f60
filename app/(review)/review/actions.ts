"use server";

// The reviewer's builder and colleague actions. Each is a public POST endpoint: it reads the user
// from the session, counts the rate limit, and lets lib/assessments check the role and the
// organisation again (docs/decisions/017-assessments.md).
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { createAssessment, updateAssessment } from "@/lib/assessments/assessments";
import { addColleague } from "@/lib/assessments/organisations";
import { assessmentInputFromForm, type FieldErrors } from "@/lib/assessments/schema";
import { ForbiddenError } from "@/lib/auth/authorize";
import { getCurrentUser } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { takeUserLimit } from "@/lib/rate-limit/limits";

export type BuilderState = { message: string; error: boolean; fieldErrors: FieldErrors };

const SIGNED_OUT = "Your session has ended. Sign in again; your changes on this page are kept until you leave it.";

/** Creates an assessment (no `assessmentId`) or saves the builder over an existing one. */
export async function saveAssessmentAction(_previous: BuilderState, form: FormData): Promise<BuilderState> {
  const user = await getCurrentUser();
  if (!user) return { message: SIGNED_OUT, error: true, fieldErrors: {} };
  const assessmentId = form.get("assessmentId");
  const input = assessmentInputFromForm(form);
  let savedId: string;
  try {
    const db = await getDb();
    const allowed = await takeUserLimit(db, "assessment-save", user.id);
    if (!allowed.ok) return { message: allowed.error, error: true, fieldErrors: {} };
    const result =
      typeof assessmentId === "string" && assessmentId
        ? await updateAssessment(db, user, assessmentId, input)
        : await createAssessment(db, user, input);
    if (!result.ok) return { message: result.error, error: true, fieldErrors: "fieldErrors" in result ? result.fieldErrors : {} };
    if (result.change === "unchanged") return { message: "Nothing changed; the assessment is as it was.", error: false, fieldErrors: {} };
    savedId = result.assessment.id;
  } catch (error) {
    if (error instanceof ForbiddenError) return { message: error.message, error: true, fieldErrors: {} };
    throw error;
  }
  revalidatePath("/review");
  revalidatePath(`/review/assessments/${savedId}`);
  redirect(`/review/assessments/${savedId}`);
}

export type ColleagueState = { message: string; error: boolean };

export async function addColleagueAction(_previous: ColleagueState, form: FormData): Promise<ColleagueState> {
  const user = await getCurrentUser();
  if (!user) return { message: SIGNED_OUT, error: true };
  try {
    const db = await getDb();
    const allowed = await takeUserLimit(db, "colleague", user.id);
    if (!allowed.ok) return { message: allowed.error, error: true };
    const result = await addColleague(db, user, form.get("email"));
    if (!result.ok) return { message: result.error, error: true };
    revalidatePath("/review/colleagues");
    return {
      message: `${result.member.email} is now a member of your organisation${result.promoted ? " (their account became a reviewer account)" : ""}.`,
      error: false,
    };
  } catch (error) {
    if (error instanceof ForbiddenError) return { message: error.message, error: true };
    throw error;
  }
}
