// Shapes of what callers (server actions, route handlers, scripts) hand the sandbox service.
import { z } from "zod";
import { LabIdSchema } from "@/lib/labs/schema";
import { SIZE_PROFILES, WORKLOAD_PLACEMENTS } from "./profiles";

/** One file of a lab's setup objects (frontmatter `setup:`): its path in the lab folder and its text. */
export const SetupManifestSchema = z.object({ file: z.string().min(1).max(200), text: z.string().max(256 * 1024) });
export type SetupManifest = z.output<typeof SetupManifestSchema>;
/** A lab's setup: at most 20 files, applied in order. */
export const SetupSchema = z.array(SetupManifestSchema).max(20, "A lab's setup has at most 20 files.");

export const StartSandboxSchema = z.object({
  labId: LabIdSchema,
  sizeProfile: z.enum(SIZE_PROFILES).default("small"),
  placement: z.enum(WORKLOAD_PLACEMENTS).default("simulated"),
  /** Lifetime from the lab definition; the site default when the lab says nothing. */
  ttlMinutes: z.number().int().min(5, "A sandbox lives at least 5 minutes.").max(480, "A sandbox lives at most 8 hours.").optional(),
  /** The lab's setup objects, applied as the learner once the platform objects are in (start and reset). */
  setup: SetupSchema.default([]),
});
export type StartSandboxInput = z.input<typeof StartSandboxSchema>;

export const ExtendSandboxSchema = z.object({
  minutes: z.number().int().min(5).max(240).default(30),
});

export const SandboxIdSchema = z.string().uuid("Not a sandbox id.");

export const ManifestTextSchema = z.string().max(1024 * 1024, "The input is larger than 1 MiB.");
