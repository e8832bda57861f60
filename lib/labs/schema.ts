// Shapes at the labs boundary: lab.mdx frontmatter, check definitions, lab ids and learner file
// content (validated before anything is stored). The lab file path rule itself is
// lib/checks/file-paths.ts (check params name lab files too).
import { z } from "zod";
import { LabPathSchema } from "@/lib/checks/file-paths";
import { SIZE_PROFILES, WORKLOAD_PLACEMENTS } from "@/lib/sandbox/profiles";

/** Lower-case words joined by "-": lab ids, module slugs, check ids. */
const KEBAB_CASE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** The one lab id rule: lab folders, URLs, sandboxes and attempts all use it. */
export const LAB_ID_PATTERN = KEBAB_CASE;

export const LabIdSchema = z.string().regex(LAB_ID_PATTERN, "A lab id is lower-case words joined by '-'.").max(80);

export const DIFFICULTIES = ["beginner", "intermediate", "advanced"] as const;
/** What `sandbox:` in lab.mdx may say: a size profile, or "none" for a lab without a cluster. */
export const LAB_SANDBOXES = [...SIZE_PROFILES, "none"] as const;
export const FILE_LANGUAGES = ["yaml", "json", "dockerfile", "shell", "python", "markdown", "plaintext", "ini", "sql"] as const;
export type FileLanguage = (typeof FILE_LANGUAGES)[number];

/** Limits on what a learner may store (defined beside the size check the browser runs too). */
export { LEARNER_FILE_LIMITS } from "./file-size";

const text = z.string({ error: "must be text" }).trim().min(1, { error: "must not be empty" });

export const LabFileSchema = z.strictObject({
  path: LabPathSchema,
  language: z.enum(FILE_LANGUAGES, { error: `must be one of ${FILE_LANGUAGES.join(", ")}` }),
  /** Shown for context; the learner cannot change it and it is graded from starter/. */
  readonly: z.boolean().default(false),
  /** Applied to the sandbox (the learner's "Apply"; labs:verify applies it). */
  apply: z.boolean().default(false),
});

/** An image name a lab builds: one lower-case path component, like `model-server`. */
const IMAGE_NAME = /^[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

/**
 * `build:` in lab.mdx: the lab has a "Build image" button that builds the learner's Dockerfile for
 * real (lib/builds). `context` is a folder of the lab's files ("." for all of them), `dockerfile`
 * a lab file inside it, `image` the name the result is pushed under.
 */
export const LabBuildSchema = z.strictObject({
  dockerfile: LabPathSchema,
  context: z.union([z.literal("."), LabPathSchema]).default("."),
  image: z.string().regex(IMAGE_NAME, { error: "must be an image name such as model-server" }).max(60),
});

export type LabBuild = z.output<typeof LabBuildSchema>;

/** Lab folders with a meaning of their own, which cannot hold setup objects. */
const RESERVED_FOLDERS = ["starter", "solution", "fixtures"];

/**
 * `setup:` in lab.mdx: a folder of the lab (`setup/`) whose manifests the sandbox starts with
 * (docs/decisions/015-lab-setup-objects.md). One folder name; a trailing `/` is allowed.
 */
export const LabSetupSchema = z
  .string({ error: "must be a folder of the lab, such as setup/" })
  .regex(/^[a-z0-9]+(?:[._-][a-z0-9]+)*\/?$/, { error: "must be one folder of the lab, such as setup/ (lower-case letters, digits, `.`, `_`, `-`)" })
  .transform((folder) => folder.replace(/\/$/, ""))
  .refine((folder) => !RESERVED_FOLDERS.includes(folder), { error: `must not be ${RESERVED_FOLDERS.join(", ")}: those folders have their own meaning` });

/**
 * A step's `setup:`: a folder of the lab (one or more path segments, such as `steps/scale/setup`)
 * whose manifests are applied to the sandbox when the step unlocks. Same rules as LabSetupSchema.
 */
export const StepSetupSchema = z
  .string({ error: "must be a folder of the lab, such as steps/scale/setup" })
  .regex(/^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*\/?$/, {
    error: "must be a folder of the lab, such as steps/scale/setup (lower-case letters, digits, `.`, `_`, `-`, folders joined by `/`)",
  })
  .transform((folder) => folder.replace(/\/$/, ""))
  .refine((folder) => !RESERVED_FOLDERS.includes(folder.split("/")[0]!), { error: `must not be inside ${RESERVED_FOLDERS.join(", ")}: those folders have their own meaning` });

/**
 * One entry of `steps:` in lab.mdx (docs/lab-format.md, "Steps"): its text is steps/<id>.mdx, its
 * checks are ids from checks.ts (each check of the lab in exactly one step; content:check).
 */
export const LabStepSchema = z.strictObject({
  id: z.string({ error: "must be a step id" }).regex(KEBAB_CASE, { error: "must be kebab-case, such as create-the-deployment" }).max(60),
  title: text.max(120),
  checks: z
    .array(z.string({ error: "must be a check id" }).regex(KEBAB_CASE, { error: "must be a check id (kebab-case)" }), { error: "must be a list of check ids from checks.ts" })
    .min(1, { error: "needs at least one check: a step completes when its checks pass" }),
  setup: StepSetupSchema.optional(),
});

export type LabStepFrontmatter = z.output<typeof LabStepSchema>;

export const LabFrontmatterSchema = z
  .strictObject({
    title: text,
    module: z.string().regex(KEBAB_CASE, { error: "must be a module slug" }),
    summary: text,
    difficulty: z.enum(DIFFICULTIES, { error: `must be one of ${DIFFICULTIES.join(", ")}` }),
    minutes: z.number({ error: "must be a number of minutes" }).int({ error: "must be a whole number" }).min(5).max(480),
    sandbox: z.enum(LAB_SANDBOXES, { error: `must be one of ${LAB_SANDBOXES.join(", ")}` }),
    ttlMinutes: z.number({ error: "must be a number of minutes" }).int().min(5).max(480).optional(),
    /** Where the sandbox's pods run: simulated (KWOK; default) or real (containers really run). */
    workloads: z.enum(WORKLOAD_PLACEMENTS, { error: `must be one of ${WORKLOAD_PLACEMENTS.join(", ")}` }).default("simulated"),
    files: z.array(LabFileSchema, { error: "must be a list of files" }).min(1, { error: "needs at least one file" }),
    build: LabBuildSchema.optional(),
    /** A folder of manifests applied to the sandbox at start and reset, as the learner (see LabSetupSchema). */
    setup: LabSetupSchema.optional(),
    /** Ordered steps, each with its own text and checks (see LabStepSchema); a lab without them is graded as one. */
    steps: z.array(LabStepSchema, { error: "must be a list of steps" }).min(1, { error: "needs at least one step (or leave `steps` out)" }).optional(),
  })
  .superRefine((fm, ctx) => {
    if (fm.sandbox === "none" && fm.workloads === "real") {
      ctx.addIssue({ code: "custom", path: ["workloads"], message: "needs a sandbox (the lab has `sandbox: none`)" });
    }
    if (fm.sandbox === "none" && fm.setup !== undefined) {
      ctx.addIssue({ code: "custom", path: ["setup"], message: "needs a sandbox (the lab has `sandbox: none`): setup objects are applied to it" });
    }
    if (fm.sandbox === "none" && fm.ttlMinutes !== undefined) {
      ctx.addIssue({ code: "custom", path: ["ttlMinutes"], message: "only makes sense for a lab with a sandbox" });
    }
    const seen = new Set<string>();
    fm.files.forEach((f, i) => {
      if (seen.has(f.path)) ctx.addIssue({ code: "custom", path: ["files", i, "path"], message: `lists ${f.path} twice` });
      seen.add(f.path);
      if (fm.sandbox === "none" && f.apply) ctx.addIssue({ code: "custom", path: ["files", i, "apply"], message: "needs a sandbox (the lab has `sandbox: none`)" });
      if (f.readonly && f.apply) ctx.addIssue({ code: "custom", path: ["files", i, "apply"], message: "read-only files are not applied" });
    });
    if (fm.build) {
      const { dockerfile, context } = fm.build;
      const inContext = (p: string) => context === "." || p.startsWith(`${context}/`);
      if (!fm.files.some((f) => f.path === dockerfile)) {
        ctx.addIssue({ code: "custom", path: ["build", "dockerfile"], message: `${dockerfile} is not one of the lab's files` });
      } else if (!inContext(dockerfile)) {
        ctx.addIssue({ code: "custom", path: ["build", "dockerfile"], message: `${dockerfile} is outside the build context ${context}` });
      }
      if (!fm.files.some((f) => inContext(f.path))) {
        ctx.addIssue({ code: "custom", path: ["build", "context"], message: `no lab file is inside ${context}` });
      }
    }
    const stepIds = new Map<string, number>();
    fm.steps?.forEach((step, i) => {
      if (stepIds.has(step.id)) ctx.addIssue({ code: "custom", path: ["steps", i, "id"], message: `step id "${step.id}" is used twice (first by step ${stepIds.get(step.id)! + 1}); step ids are unique in a lab` });
      else stepIds.set(step.id, i);
      if (step.setup !== undefined && fm.sandbox === "none") {
        ctx.addIssue({ code: "custom", path: ["steps", i, "setup"], message: "needs a sandbox (the lab has `sandbox: none`): setup objects are applied to it" });
      } else if (step.setup !== undefined && i === 0) {
        ctx.addIssue({ code: "custom", path: ["steps", i, "setup"], message: "the first step unlocks when the sandbox starts: put its objects in the lab's `setup:` instead" });
      }
      const twice = step.checks.filter((id, j) => step.checks.indexOf(id) !== j);
      for (const id of new Set(twice)) ctx.addIssue({ code: "custom", path: ["steps", i, "checks"], message: `names check "${id}" twice` });
    });
    if (fm.files.every((f) => f.readonly)) ctx.addIssue({ code: "custom", path: ["files"], message: "needs at least one file the learner edits" });
  });

export type LabFrontmatter = z.output<typeof LabFrontmatterSchema>;

/** A check's time limit when it names none (and its kind brings none). */
export const DEFAULT_CHECK_TIMEOUT_MS = 10_000;
/** The longest a check may wait (`waitFor.seconds`): a check's time limit is at most 60 s. */
export const MAX_WAIT_SECONDS = 55;
/** Room a waiting check's time limit must leave beyond its wait, for its last run. */
export const WAIT_MARGIN_MS = 5_000;

export const CheckIdSchema = z.string().regex(KEBAB_CASE, "a check id is kebab-case").max(60);

export const CheckCommonSchema = z.object({
  id: CheckIdSchema,
  title: text.max(200),
  points: z.number().int().min(1).max(100),
  hints: z.array(text).min(1, "needs at least one hint for learners who fail it"),
  timeoutMs: z.number().int().min(100).max(60_000).optional(),
  waitFor: z
    .object({
      seconds: z.number().int().min(1).max(MAX_WAIT_SECONDS, `may be at most ${MAX_WAIT_SECONDS} (a check's time limit is at most 60 s)`),
      what: text.max(120),
    })
    .strict()
    .optional(),
  kind: z.string().min(1),
});

/** A learner's save: which file and its text. */
export const SaveLabFileSchema = z.object({
  labId: LabIdSchema,
  path: LabPathSchema,
  content: z.string({ error: "The file content must be text." }),
});
