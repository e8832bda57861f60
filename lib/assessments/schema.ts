// Shapes at the assessments boundary: the builder's form, organisation names, candidate entries
// and invite changes. Shared by the server actions and the data access layer (which validates
// again: actions are public endpoints, and scripts call the layer directly).
import { z } from "zod";
import { LabIdSchema } from "@/lib/labs/schema";
import { RECORDING, REVIEW_LIMITS } from "./limits";

/** One line of text without control characters (titles and names end up in email headers and CSV). */
function singleLine(what: string, max: number) {
  return z
    .string({ error: `${what} must be text.` })
    .trim()
    .min(1, { error: `${what} must not be empty.` })
    .max(max, { error: `${what} must be at most ${max} characters.` })
    .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), { error: `${what} must be one line of text.` });
}

export const OrganisationNameSchema = singleLine("The organisation's name", 120);

export const EmailSchema = z
  .string({ error: "The email must be text." })
  .trim()
  .toLowerCase()
  .max(254, { error: "The email must be at most 254 characters." })
  .pipe(z.email({ error: "That is not an email address (like name@example.com)." }));

export const CandidateNameSchema = singleLine("The candidate's name", 200);

export const CandidateSchema = z.object({ name: CandidateNameSchema, email: EmailSchema });
export type CandidateInput = z.output<typeof CandidateSchema>;

/** Limits of the builder, named so the form can show them. */
export const ASSESSMENT_LIMITS = {
  maxLabs: 10,
  maxWeight: 100,
  minTimeLimitMinutes: 5,
  maxTimeLimitMinutes: 8 * 60,
  maxInviteValidityDays: 90,
  maxIntroductionChars: 5000,
} as const;

const wholeNumber = (what: string, min: number, max: number) =>
  z.coerce
    .number({ error: `${what} must be a number.` })
    .int({ error: `${what} must be a whole number.` })
    .min(min, { error: `${what} must be at least ${min}.` })
    .max(max, { error: `${what} must be at most ${max}.` });

export const AssessmentLabInputSchema = z.object({
  labId: LabIdSchema,
  weight: wholeNumber("The weight", 1, ASSESSMENT_LIMITS.maxWeight),
});

/** What the builder submits; the layer adds each lab's title, minutes and points from the catalogue. */
export const AssessmentInputSchema = z
  .object({
    title: singleLine("The title", 200),
    introduction: z
      .string({ error: "The introduction must be text." })
      .trim()
      .max(ASSESSMENT_LIMITS.maxIntroductionChars, { error: `The introduction must be at most ${ASSESSMENT_LIMITS.maxIntroductionChars} characters.` }),
    labs: z
      .array(AssessmentLabInputSchema)
      .min(1, { error: "Add at least one lab." })
      .max(ASSESSMENT_LIMITS.maxLabs, { error: `An assessment has at most ${ASSESSMENT_LIMITS.maxLabs} labs.` }),
    timeLimitMinutes: wholeNumber("The time limit", ASSESSMENT_LIMITS.minTimeLimitMinutes, ASSESSMENT_LIMITS.maxTimeLimitMinutes),
    passMarkPercent: wholeNumber("The pass mark", 0, 100),
    showResults: z.boolean().default(true),
    showHints: z.boolean().default(false),
    inviteValidityDays: wholeNumber("Invite validity", 1, ASSESSMENT_LIMITS.maxInviteValidityDays),
  });

/**
 * Each lab once: checked on the raw list, so the message shows even when another field (or the
 * same lab's weight) is wrong too; zod skips an object's refinements after a failed field.
 */
export function duplicateLabErrors(labs: unknown): FieldErrors {
  const errors: FieldErrors = {};
  if (!Array.isArray(labs)) return errors;
  const seen = new Map<unknown, number>();
  labs.forEach((lab: unknown, i) => {
    const labId = (lab as { labId?: unknown } | null)?.labId;
    if (typeof labId !== "string" || !labId) return;
    const first = seen.get(labId);
    if (first !== undefined) errors[`labs.${i}.labId`] = `This lab is already lab ${first + 1}; each lab appears once.`;
    else seen.set(labId, i);
  });
  return errors;
}

export type AssessmentInput = z.input<typeof AssessmentInputSchema>;

/** Field name → first message, keyed like the form's fields ("title", "labs.1.weight", "form"). */
export type FieldErrors = Record<string, string>;

export function fieldErrorsOf(error: z.ZodError): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.join(".") : "form";
    errors[key] ??= issue.message;
  }
  return errors;
}

export const ExtendInviteSchema = z.object({
  days: wholeNumber("The new validity", 1, ASSESSMENT_LIMITS.maxInviteValidityDays),
});

export const PAGE_SIZE = 50;
export const PageSchema = z.coerce.number().int().min(1).max(1_000_000).catch(1);

/** The builder's form fields as the layer's input (labs in form order: `labId` and `weight` repeat). */
export function assessmentInputFromForm(form: FormData): AssessmentInput {
  const text = (name: string) => {
    const value = form.get(name);
    return typeof value === "string" ? value : "";
  };
  const weights = form.getAll("weight");
  return {
    title: text("title"),
    introduction: text("introduction"),
    labs: form.getAll("labId").map((labId, i) => ({ labId: String(labId), weight: String(weights[i] ?? "") })),
    timeLimitMinutes: text("timeLimitMinutes"),
    passMarkPercent: text("passMarkPercent"),
    showResults: form.get("showResults") === "on",
    showHints: form.get("showHints") === "on",
    inviteValidityDays: text("inviteValidityDays"),
  };
}

// The recorder's limits and the review limits live in limits.ts (no zod: the browser imports them).
export { RECORDING, REVIEW_LIMITS, TERMINAL_PASTE_PATH } from "./limits";

const RecordedEventSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("paste"), chars: z.number().int().min(1).max(100_000_000), path: z.string().min(1).max(500) }),
  z.object({ kind: z.literal("focus-lost") }),
  z.object({ kind: z.literal("focus-back") }),
  z.object({ kind: z.literal("active"), ms: z.number().int().min(0).max(24 * 60 * 60_000) }),
]);
export type RecordedEvent = z.output<typeof RecordedEventSchema>;

/** One request of the recorder: the lab on screen (null on the assessment's own pages) and what happened there. */
export const RecordedEventsSchema = z.object({
  labId: LabIdSchema.nullable(),
  events: z.array(RecordedEventSchema).min(1).max(RECORDING.maxEventsPerRequest),
});
export type RecordedEvents = z.output<typeof RecordedEventsSchema>;

/** A reviewer's notes and rating: the rating a whole number 1–5 or empty (no rating). */
export const ReviewInputSchema = z.object({
  rating: z.unknown().transform((value, ctx) => {
    if (value === null || value === undefined || (typeof value === "string" && value.trim() === "")) return null;
    const n = typeof value === "number" ? value : typeof value === "string" ? Number(value.trim()) : Number.NaN;
    if (Number.isInteger(n) && n >= 1 && n <= 5) return n;
    ctx.addIssue({ code: "custom", message: "The rating must be a whole number from 1 to 5 (or empty for no rating)." });
    return z.NEVER;
  }),
  notes: z
    .string({ error: "The notes must be text." })
    .max(REVIEW_LIMITS.maxNotesChars, { error: `The notes must be at most ${REVIEW_LIMITS.maxNotesChars} characters.` })
    .transform((v) => v.replace(/\r\n/g, "\n").trim()),
});
