"use server";

// Invite actions of one assessment. Each re-reads the user from the session; lib/assessments
// checks the role and that the invite or assessment belongs to the reviewer's organisation.
// New links exist only in the answer of the action that made them (tokens are stored hashed), so
// the answer carries them for the page to show, copy and download as CSV
// (docs/decisions/017-assessments.md).
import { revalidatePath } from "next/cache";
import type { LineProblem } from "@/lib/assessments/candidate-list";
import type { InviteLinkRow } from "@/lib/assessments/invite-csv";
import {
  emailInvites,
  extendInvite,
  inviteCandidate,
  inviteCandidateList,
  resetInvite,
  revokeInvite,
  type CreatedInvite,
  type CreateInvitesResult,
} from "@/lib/assessments/invites";
import { mailSettings } from "@/lib/assessments/mail";
import type { FieldErrors } from "@/lib/assessments/schema";
import { ForbiddenError } from "@/lib/auth/authorize";
import { getCurrentUser } from "@/lib/auth/session";
import type { UserDTO } from "@/lib/auth/users";
import type { Database } from "@/lib/db";
import { getDb } from "@/lib/db";
import { takeUserLimit } from "@/lib/rate-limit/limits";

export type InviteFormState = {
  message: string;
  error: boolean;
  fieldErrors: FieldErrors;
  problems: LineProblem[];
  /** The new links: shown once, never listed again. */
  links: InviteLinkRow[];
  /** Addresses the email could not be sent to (their links are in `links`). */
  emailFailures: Array<{ email: string; error: string }>;
};

/** `at` orders the answers of a row's three forms, so the row shows the latest one. */
export type InviteRowState = { message: string; error: boolean; links: InviteLinkRow[]; at?: number };

const EMPTY: Omit<InviteFormState, "message" | "error"> = { fieldErrors: {}, problems: [], links: [], emailFailures: [] };
const SIGNED_OUT = "Your session has ended. Sign in again, then try once more.";

function linkRows(invites: readonly CreatedInvite[]): InviteLinkRow[] {
  return invites.map((i) => ({ name: i.name, email: i.email, link: i.link, expiresAt: i.expiresAt.toISOString() }));
}

async function withReviewer<T>(signedOut: T, run: (db: Database, user: UserDTO) => Promise<T>, forbidden: (message: string) => T): Promise<T> {
  const user = await getCurrentUser();
  if (!user) return signedOut;
  try {
    return await run(await getDb(), user);
  } catch (error) {
    if (error instanceof ForbiddenError) return forbidden(error.message);
    throw error;
  }
}

async function finishCreate(db: Database, user: UserDTO, assessmentId: string, result: CreateInvitesResult, sendEmail: boolean): Promise<InviteFormState> {
  if (!result.ok) {
    return {
      ...EMPTY,
      message: result.error,
      error: true,
      fieldErrors: "fieldErrors" in result && result.fieldErrors ? result.fieldErrors : {},
      problems: "problems" in result ? result.problems : [],
    };
  }
  revalidatePath(`/review/assessments/${assessmentId}`);
  const links = linkRows(result.invites);
  const count = result.invites.length === 1 ? "1 candidate" : `${result.invites.length} candidates`;
  const settings = sendEmail ? mailSettings() : null;
  if (!settings) {
    return { ...EMPTY, links, error: false, message: `Invited ${count} to version ${result.versionNumber}. Copy or download the links now: they are not shown again.` };
  }
  const sent = await emailInvites(db, user, assessmentId, result.invites, settings);
  const failures = sent.ok ? sent.report.failed : result.invites.map((i) => ({ email: i.email, error: sent.error }));
  return {
    ...EMPTY,
    links,
    emailFailures: failures,
    error: failures.length > 0,
    message:
      `Invited ${count} to version ${result.versionNumber}; emailed ${result.invites.length - failures.length}.` +
      (failures.length ? ` ${failures.length} could not be emailed: copy their links below.` : " The links are below too, shown this once."),
  };
}

export async function inviteOneAction(_previous: InviteFormState, form: FormData): Promise<InviteFormState> {
  const assessmentId = String(form.get("assessmentId") ?? "");
  return withReviewer<InviteFormState>(
    { ...EMPTY, message: SIGNED_OUT, error: true },
    async (db, user) => {
      const allowed = await takeUserLimit(db, "invites", user.id);
      if (!allowed.ok) return { ...EMPTY, message: allowed.error, error: true };
      const result = await inviteCandidate(db, user, assessmentId, { name: form.get("name"), email: form.get("email") });
      return finishCreate(db, user, assessmentId, result, form.get("sendEmail") === "on");
    },
    (message) => ({ ...EMPTY, message, error: true }),
  );
}

export async function inviteListAction(_previous: InviteFormState, form: FormData): Promise<InviteFormState> {
  const assessmentId = String(form.get("assessmentId") ?? "");
  const text = form.get("candidates");
  return withReviewer<InviteFormState>(
    { ...EMPTY, message: SIGNED_OUT, error: true },
    async (db, user) => {
      const allowed = await takeUserLimit(db, "invites", user.id);
      if (!allowed.ok) return { ...EMPTY, message: allowed.error, error: true };
      const result = await inviteCandidateList(db, user, assessmentId, typeof text === "string" ? text : "");
      return finishCreate(db, user, assessmentId, result, form.get("sendEmail") === "on");
    },
    (message) => ({ ...EMPTY, message, error: true }),
  );
}

const ROW_SIGNED_OUT: InviteRowState = { message: SIGNED_OUT, error: true, links: [] };
const rowForbidden = (message: string): InviteRowState => ({ message, error: true, links: [] });

async function stamped(signedOut: InviteRowState, run: (db: Database, user: UserDTO) => Promise<InviteRowState>, forbidden: (message: string) => InviteRowState): Promise<InviteRowState> {
  return { ...(await withReviewer(signedOut, run, forbidden)), at: Date.now() };
}

export async function revokeInviteAction(_previous: InviteRowState, form: FormData): Promise<InviteRowState> {
  return stamped(
    ROW_SIGNED_OUT,
    async (db, user) => {
      const result = await revokeInvite(db, user, String(form.get("inviteId") ?? ""));
      if (!result.ok) return { message: result.error, error: true, links: [] };
      revalidatePath(`/review/assessments/${String(form.get("assessmentId") ?? "")}`);
      return { message: `The link of ${result.invite.email} no longer works.`, error: false, links: [] };
    },
    rowForbidden,
  );
}

export async function extendInviteAction(_previous: InviteRowState, form: FormData): Promise<InviteRowState> {
  return stamped(
    ROW_SIGNED_OUT,
    async (db, user) => {
      const result = await extendInvite(db, user, String(form.get("inviteId") ?? ""), { days: form.get("days") });
      if (!result.ok) return { message: result.error, error: true, links: [] };
      revalidatePath(`/review/assessments/${String(form.get("assessmentId") ?? "")}`);
      return { message: `Now valid until ${result.invite.expiresAt.toUTCString()}.`, error: false, links: [] };
    },
    rowForbidden,
  );
}

export async function resetInviteAction(_previous: InviteRowState, form: FormData): Promise<InviteRowState> {
  const assessmentId = String(form.get("assessmentId") ?? "");
  return stamped(
    ROW_SIGNED_OUT,
    async (db, user) => {
      const allowed = await takeUserLimit(db, "invites", user.id);
      if (!allowed.ok) return { message: allowed.error, error: true, links: [] };
      const result = await resetInvite(db, user, String(form.get("inviteId") ?? ""));
      if (!result.ok) return { message: result.error, error: true, links: [] };
      revalidatePath(`/review/assessments/${assessmentId}`);
      const settings = form.get("sendEmail") === "on" ? mailSettings() : null;
      if (settings) {
        const sent = await emailInvites(db, user, assessmentId, [result.created], settings);
        const failed = sent.ok ? sent.report.failed[0] : { error: sent.error };
        if (failed) return { message: `New link made, but the email failed (${failed.error}). Copy it below.`, error: true, links: linkRows([result.created]) };
        return { message: "New link made and emailed; the old one no longer works.", error: false, links: linkRows([result.created]) };
      }
      return { message: "New link made; the old one no longer works. Copy it now: it is not shown again.", error: false, links: linkRows([result.created]) };
    },
    rowForbidden,
  );
}
