"use server";

// Administrators create organisations and assign or remove reviewers. Public POST endpoints:
// lib/assessments/organisations.ts checks the admin role again.
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { addOrganisationMember, createOrganisation, removeOrganisationMember } from "@/lib/assessments/organisations";
import { ForbiddenError } from "@/lib/auth/authorize";
import { getCurrentUser } from "@/lib/auth/session";
import { getDb } from "@/lib/db";

export type OrganisationFormState = { message: string; error: boolean };

const SIGNED_OUT: OrganisationFormState = { message: "Your session has ended. Sign in again.", error: true };

export async function createOrganisationAction(_previous: OrganisationFormState, form: FormData): Promise<OrganisationFormState> {
  const user = await getCurrentUser();
  if (!user) return SIGNED_OUT;
  let id: string;
  try {
    const result = await createOrganisation(await getDb(), user, { name: form.get("name") });
    if (!result.ok) return { message: result.error, error: true };
    id = result.organisation.id;
  } catch (error) {
    if (error instanceof ForbiddenError) return { message: error.message, error: true };
    throw error;
  }
  revalidatePath("/admin/organisations");
  redirect(`/admin/organisations/${id}`);
}

export async function addMemberAction(_previous: OrganisationFormState, form: FormData): Promise<OrganisationFormState> {
  const user = await getCurrentUser();
  if (!user) return SIGNED_OUT;
  const organisationId = String(form.get("organisationId") ?? "");
  try {
    const result = await addOrganisationMember(await getDb(), user, organisationId, form.get("email"));
    if (!result.ok) return { message: result.error, error: true };
    revalidatePath(`/admin/organisations/${organisationId}`);
    revalidatePath("/admin/organisations");
    return { message: `${result.member.email} now reviews for this organisation${result.promoted ? " (their role is now reviewer)" : ""}.`, error: false };
  } catch (error) {
    if (error instanceof ForbiddenError) return { message: error.message, error: true };
    throw error;
  }
}

export async function removeMemberAction(_previous: OrganisationFormState, form: FormData): Promise<OrganisationFormState> {
  const user = await getCurrentUser();
  if (!user) return SIGNED_OUT;
  const organisationId = String(form.get("organisationId") ?? "");
  try {
    const result = await removeOrganisationMember(await getDb(), user, organisationId, String(form.get("userId") ?? ""));
    if (!result.ok) return { message: result.error, error: true };
    revalidatePath(`/admin/organisations/${organisationId}`);
    revalidatePath("/admin/organisations");
    return { message: "Removed. Their role is unchanged; change it on the users page if needed.", error: false };
  } catch (error) {
    if (error instanceof ForbiddenError) return { message: error.message, error: true };
    throw error;
  }
}
