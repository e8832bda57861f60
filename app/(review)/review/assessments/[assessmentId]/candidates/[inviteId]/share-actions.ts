"use server";

// Making and revoking share links of one candidate's report. lib/assessments/share-links.ts checks
// the role and that the invite (or link) belongs to the reviewer's organisation; these re-read the
// session, shape the answer for the form and refresh the report page's list of links.
import { revalidatePath } from "next/cache";
import { createShareLink, revokeShareLink } from "@/lib/assessments/share-links";
import { ForbiddenError } from "@/lib/auth/authorize";
import { getCurrentUser } from "@/lib/auth/session";
import { getDb } from "@/lib/db";

export type ShareLinkState = { message: string; error: boolean; link?: string; at?: number };

const field = (form: FormData, name: string) => {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
};

async function guarded(run: () => Promise<ShareLinkState>): Promise<ShareLinkState> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ForbiddenError) return { message: error.message, error: true };
    throw error;
  }
}

export async function createShareLinkAction(_previous: ShareLinkState, form: FormData): Promise<ShareLinkState> {
  const user = await getCurrentUser();
  if (!user) return { message: "Your session has ended. Sign in again, then make the link.", error: true };
  return guarded(async () => {
    const assessmentId = field(form, "assessmentId");
    const inviteId = field(form, "inviteId");
    const made = await createShareLink(await getDb(), user, assessmentId, inviteId, { days: field(form, "days") });
    if (!made.ok) return { message: made.error, error: true };
    revalidatePath(`/review/assessments/${assessmentId}/candidates/${inviteId}`);
    return {
      message: `Link made, valid until ${made.expiresAt.toISOString().slice(0, 16).replace("T", " ")} UTC. Copy it now: Academy keeps only its fingerprint.`,
      error: false,
      link: made.link,
      at: Date.now(),
    };
  });
}

export async function revokeShareLinkAction(_previous: ShareLinkState, form: FormData): Promise<ShareLinkState> {
  const user = await getCurrentUser();
  if (!user) return { message: "Your session has ended. Sign in again, then revoke the link.", error: true };
  return guarded(async () => {
    const revoked = await revokeShareLink(await getDb(), user, field(form, "linkId"));
    if (!revoked.ok) return { message: revoked.error, error: true };
    revalidatePath(`/review/assessments/${field(form, "assessmentId")}/candidates/${field(form, "inviteId")}`);
    return { message: "Link revoked: it no longer opens the report.", error: false, at: Date.now() };
  });
}
