"use server";

// The candidate's two actions: Start (or Continue in the bound browser) and Submit. Public POST
// endpoints like every action: the link's token comes from the form and is checked again by
// lib/assessments; the browser's binding and session come from its cookies.
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { z } from "zod";
import { bindingCookieName, candidateSessionFor, startAssessment, submitAssessment } from "@/lib/assessments/candidate-session";
import { bindingCookie, candidateSessionCookie } from "@/lib/assessments/candidate-sign-in";
import { findInviteByToken } from "@/lib/assessments/invite-lookup";
import { INVITE_TOKEN_PATTERN } from "@/lib/assessments/tokens";
import { getCurrentUser } from "@/lib/auth/session";
import { getDb } from "@/lib/db";

/**
 * `signedIn`: where to go after Start. The browser loads it as a whole page rather than through a
 * client navigation, so the header's session (next-auth's client cache, fetched when the page
 * first loaded, "signed out") is read again and shows the candidate, without course links.
 */
export type TakeActionState = { error: string; signedIn?: string };

const TokenSchema = z.string().regex(INVITE_TOKEN_PATTERN);
const NOT_A_LINK = { error: "This link is not valid. Check that you copied all of it, or ask whoever invited you for a new one." };

function tokenOf(form: FormData): string | null {
  const parsed = TokenSchema.safeParse(form.get("token"));
  return parsed.success ? parsed.data : null;
}

export async function startAction(_previous: TakeActionState, form: FormData): Promise<TakeActionState> {
  const token = tokenOf(form);
  if (!token) return NOT_A_LINK;
  const db = await getDb();
  const lookup = await findInviteByToken(db, token);
  if (!lookup.ok) return { error: lookup.error };
  const signedIn = await getCurrentUser();
  // Starting signs this browser in as the candidate: never silently over someone's own session.
  if (signedIn && signedIn.role !== "candidate") {
    return {
      error: `This browser is signed in to Academy as ${signedIn.email}. Sign out first, or open the link in a private window: starting signs the browser in as the candidate.`,
    };
  }
  const jar = await cookies();
  const cookieName = bindingCookieName(lookup.invite.id);
  const started = await startAssessment(db, token, jar.get(cookieName)?.value ?? null);
  if (!started.ok) return { error: started.error };
  const session = await candidateSessionCookie({ id: started.userId, sessionVersion: started.sessionVersion }, started.deadlineAt);
  jar.set(session.name, session.value, session.options);
  if (started.bindingSecret) {
    const binding = bindingCookie(cookieName, started.bindingSecret, started.deadlineAt);
    jar.set(binding.name, binding.value, binding.options);
  }
  return { error: "", signedIn: `/take/${token}` };
}

export async function submitAction(_previous: TakeActionState, form: FormData): Promise<TakeActionState> {
  const token = tokenOf(form);
  if (!token) return NOT_A_LINK;
  const db = await getDb();
  const [jar, user] = await Promise.all([cookies(), getCurrentUser()]);
  const state = await candidateSessionFor(db, token, { binding: (inviteId) => jar.get(bindingCookieName(inviteId))?.value, signedInUserId: user?.id ?? null });
  // Already submitted (a second click, another tab): the page says so.
  if (!state.ok && state.code === "used") redirect(`/take/${token}`);
  if (!state.ok) return { error: state.error };
  if (state.state !== "in-progress") return { error: "This assessment has not been started yet." };
  const result = await submitAssessment(db, state.session.inviteId);
  if (!result.ok && result.code !== "in-progress") return { error: result.error };
  redirect(`/take/${token}`);
}
