// The one PostgreSQL schema, shared by the embedded PGlite database and a PostgreSQL server.
// drizzle-kit generates the SQL migrations in drizzle/ from this file (`npm run db:generate`).

import {
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";
import { sql } from "drizzle-orm";

/**
 * `candidate` is the hidden per-invite user an assessment candidate works as (issue 11, part 4,
 * decision 017): made at Start, never signed in with a password, allowed only the assessment's
 * pages. No form assigns it: ASSIGNABLE_ROLES is what an administrator can choose.
 */
export const ROLES = ["learner", "instructor", "reviewer", "admin", "candidate"] as const;
export type Role = (typeof ROLES)[number];
export const ASSIGNABLE_ROLES = ["learner", "instructor", "reviewer", "admin"] as const satisfies readonly Role[];

export const users = pgTable(
  "users",
  {
    id: text("id").primaryKey(),
    /** Always stored lower-cased; unique. */
    email: text("email").notNull(),
    name: text("name").notNull(),
    /** scrypt hash; null for accounts that only sign in through GitHub or OIDC. */
    passwordHash: text("password_hash"),
    role: text("role", { enum: ROLES }).notNull().default("learner"),
    /**
     * Copied into each session token at sign-in; a token with another number is refused. Raising it
     * ("sign out everywhere", an admin revoking sessions) ends every session of the user at once.
     */
    sessionVersion: integer("session_version").notNull().default(0),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("users_email_unique").on(t.email)],
);

/** Links an external identity (GitHub, OIDC) to a user. */
export const accounts = pgTable(
  "accounts",
  {
    provider: text("provider").notNull(),
    providerAccountId: text("provider_account_id").notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.provider, t.providerAccountId] }), index("accounts_user_idx").on(t.userId)],
);

/**
 * Sign-in and sign-up attempts per key ("sign-in:account:<email>", "sign-in:address:<ip>", …), so
 * the limits hold across every server process that shares the database (lib/rate-limit/limiter.ts).
 */
export const authThrottles = pgTable(
  "auth_throttles",
  {
    key: text("key").primaryKey(),
    /** Attempts since the key was last forgotten (a quiet period or a successful sign-in). */
    attempts: integer("attempts").notNull(),
    lastAttemptAt: timestamp("last_attempt_at", { withTimezone: true }).notNull(),
    /** No attempt is taken for this key before this time. */
    blockedUntil: timestamp("blocked_until", { withTimezone: true }),
  },
  (t) => [index("auth_throttles_last_attempt_idx").on(t.lastAttemptAt)],
);

/** One row per learner and lesson they opened; completedAt is set by "Mark complete". */
export const lessonProgress = pgTable(
  "lesson_progress",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    /** "<module>/<lesson>" */
    lessonId: text("lesson_id").notNull(),
    firstViewedAt: timestamp("first_viewed_at", { withTimezone: true }).notNull().defaultNow(),
    lastViewedAt: timestamp("last_viewed_at", { withTimezone: true }).notNull().defaultNow(),
    completedAt: timestamp("completed_at", { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.userId, t.lessonId] }),
    index("lesson_progress_recent_idx").on(t.userId, t.lastViewedAt),
  ],
);

export type QuizAnswerRecord = { id: string; chosen: number; correct: boolean };

/** Every quiz submission is kept; the latest one is shown on the lesson page. */
export const quizAttempts = pgTable(
  "quiz_attempts",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    lessonId: text("lesson_id").notNull(),
    answers: jsonb("answers").$type<QuizAnswerRecord[]>().notNull(),
    score: integer("score").notNull(),
    total: integer("total").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("quiz_attempts_user_lesson_idx").on(t.userId, t.lessonId, t.createdAt)],
);

export const SANDBOX_STATES = ["provisioning", "ready", "failed", "deleting", "gone"] as const;
export type SandboxState = (typeof SANDBOX_STATES)[number];

/** A learner's Kubernetes namespace for one lab (see lib/sandbox/). */
export const sandboxes = pgTable(
  "sandboxes",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    labId: text("lab_id").notNull(),
    namespace: text("namespace").notNull(),
    sizeProfile: text("size_profile").notNull(),
    /** Where its pods run: "simulated" (KWOK nodes) or "real" (the real node); lib/sandbox/profiles.ts. */
    placement: text("placement", { enum: ["simulated", "real"] }).notNull().default("simulated"),
    state: text("state", { enum: SANDBOX_STATES }).notNull().default("provisioning"),
    /** Last error the learner should see (quota, cluster unreachable, …). */
    error: text("error"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    readyAt: timestamp("ready_at", { withTimezone: true }),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    lastActivityAt: timestamp("last_activity_at", { withTimezone: true }).notNull().defaultNow(),
    deletedAt: timestamp("deleted_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("sandboxes_namespace_unique").on(t.namespace),
    index("sandboxes_user_idx").on(t.userId, t.state),
    index("sandboxes_expiry_idx").on(t.state, t.expiresAt),
  ],
);

export type UserRow = typeof users.$inferSelect;
export type SandboxRow = typeof sandboxes.$inferSelect;


// ---------------------------------------------------------------------------------------------
// Labs and grading (lib/labs, lib/grading)

/** The learner's current text of one lab file; absent rows mean "the starter file". */
export const labFiles = pgTable(
  "lab_files",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    labId: text("lab_id").notNull(),
    path: text("path").notNull(),
    content: text("content").notNull(),
    sha256: text("sha256").notNull(),
    /** Number of the latest revision in lab_file_revisions. */
    revision: integer("revision").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.labId, t.path] })],
);

/** "terminal": imported from the sandbox's workspace pod (lib/workspace/terminal-files.ts). */
export const LAB_FILE_SOURCES = ["save", "reset", "terminal"] as const;

/** Every saved version of a lab file, append-only. */
export const labFileRevisions = pgTable(
  "lab_file_revisions",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    labId: text("lab_id").notNull(),
    path: text("path").notNull(),
    revision: integer("revision").notNull(),
    content: text("content").notNull(),
    sha256: text("sha256").notNull(),
    source: text("source", { enum: LAB_FILE_SOURCES }).notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("lab_file_revisions_unique").on(t.userId, t.labId, t.path, t.revision)],
);

/**
 * Where each lab file of a sandbox's workspace pod was last in step with the editor: the sha256
 * the pod's copy had when it was last written there or imported from there. The pod instance is
 * part of it (`pod_uid`): a new pod (after a reset, or the pod was lost) is seeded afresh. A pod
 * file whose sha256 differs from this was changed in the terminal; only those are imported, so a
 * stale pod copy never overwrites a newer editor save.
 */
export const workspaceFiles = pgTable(
  "workspace_files",
  {
    sandboxId: text("sandbox_id")
      .notNull()
      .references(() => sandboxes.id, { onDelete: "cascade" }),
    path: text("path").notNull(),
    podUid: text("pod_uid").notNull(),
    sha256: text("sha256").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.sandboxId, t.path] })],
);

export type WorkspaceFileRow = typeof workspaceFiles.$inferSelect;

/** One file of a recorded apply: what each object of it came to (lib/workspace/applies.ts). */
export type StoredApplyFile = {
  path: string;
  /** The sha256 of the text applied. */
  sha256: string;
  /** Objects the API server accepted. */
  applied: number;
  /** Objects it refused, with its reason (the first few). */
  rejected: Array<{ kind: string; name: string; message: string }>;
  rejectedCount: number;
  /** Set when the file could not be applied at all (empty, not YAML, too big). */
  error?: string;
};

/**
 * Every apply of a lab's files to the learner's sandbox, append-only: when, the text applied (as
 * sha256 per file) and what the cluster made of it. The report on an assessment candidate shows
 * them (issue 11, part 5); `error` is set when the apply as a whole failed (cluster unreachable).
 */
export const labApplies = pgTable(
  "lab_applies",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    labId: text("lab_id").notNull(),
    files: jsonb("files").$type<StoredApplyFile[]>().notNull(),
    error: text("error"),
    durationMs: integer("duration_ms").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("lab_applies_user_lab_idx").on(t.userId, t.labId, t.createdAt)],
);

export type LabApplyRow = typeof labApplies.$inferSelect;

export type StoredCheckResult = {
  id: string;
  title: string;
  status: "pass" | "fail" | "error";
  points: number;
  earned: number;
  message: string;
  details?: string[];
  hints?: string[];
  durationMs: number;
  /** Instructor-only: what went wrong inside a check that errored. */
  internal?: string;
};

/**
 * Graded attempts, append-only. Each row's `hash` is an HMAC, with the key named by `kid`, over
 * its canonical content and the previous attempt's hash of the same learner and lab (see
 * lib/grading/attempts.ts).
 */
export const labAttempts = pgTable(
  "lab_attempts",
  {
    id: integer("id").primaryKey().generatedAlwaysAsIdentity(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    labId: text("lab_id").notNull(),
    /** 1, 2, 3… per learner and lab. */
    seq: integer("seq").notNull(),
    filesSha256: text("files_sha256").notNull(),
    results: jsonb("results").$type<StoredCheckResult[]>().notNull(),
    score: integer("score").notNull(),
    maxScore: integer("max_score").notNull(),
    completed: boolean("completed").notNull(),
    durationMs: integer("duration_ms").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
    prevHash: text("prev_hash"),
    hash: text("hash").notNull(),
    /**
     * Id of the key that made `hash` (lib/grading/attempt-keys.ts). Rows from before attempt keys
     * existed get "session-v1": the legacy key derived from the session secret.
     */
    kid: text("kid").notNull().default("session-v1"),
    /** The step this attempt graded (frontmatter `steps:`); null for a lab without steps. Signed. */
    step: text("step"),
    /** The lab's steps completed after this attempt, in step order; empty for a lab without steps. Signed. */
    completedSteps: jsonb("completed_steps").$type<string[]>().notNull().default([]),
  },
  (t) => [
    uniqueIndex("lab_attempts_seq_unique").on(t.userId, t.labId, t.seq),
    index("lab_attempts_lab_idx").on(t.labId, t.createdAt),
    index("lab_attempts_user_recent_idx").on(t.userId, t.createdAt),
  ],
);

/**
 * The newest attempt of each learner+lab chain, signed (HMAC with `kid`): deleting the newest
 * attempts leaves a chain shorter than its head. Written in the same transaction as the attempt.
 */
export const labAttemptHeads = pgTable(
  "lab_attempt_heads",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    labId: text("lab_id").notNull(),
    seq: integer("seq").notNull(),
    hash: text("hash").notNull(),
    kid: text("kid").notNull(),
    signature: text("signature").notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.labId] })],
);

export type AttemptCounts = Record<string, { attempts: number; chains: number }>;

/**
 * One signed row (id 1): how many attempts and chains each lab has. Deleting a whole chain, its
 * head included, leaves fewer than counted. Locked and re-signed by every append.
 */
export const labAttemptCheckpoint = pgTable("lab_attempt_checkpoint", {
  id: integer("id").primaryKey(),
  counts: jsonb("counts").$type<AttemptCounts>().notNull(),
  kid: text("kid").notNull(),
  signature: text("signature").notNull(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull(),
});

/** One grading at a time per learner and lab: a row exists while a grading runs. */
export const labGradingLocks = pgTable(
  "lab_grading_locks",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    labId: text("lab_id").notNull(),
    token: text("token").notNull(),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.labId] })],
);

export type LabFileRow = typeof labFiles.$inferSelect;
export type LabAttemptRow = typeof labAttempts.$inferSelect;
export type LabAttemptHeadRow = typeof labAttemptHeads.$inferSelect;

// ---------------------------------------------------------------------------------------------
// Learner image builds (lib/builds)

export const IMAGE_BUILD_STATES = ["queued", "running", "succeeded", "failed"] as const;
export type ImageBuildState = (typeof IMAGE_BUILD_STATES)[number];

/**
 * Learner image builds: the queue (queued, running) and their results. At most one live build per
 * learner and lab (the partial unique index); at most ACADEMY_BUILD_CONCURRENCY running per
 * installation (lib/builds/queue.ts). The process driving a build beats `heartbeat_at`; a live
 * row whose heartbeat stopped belongs to a process that died, and is failed by the next claim.
 */
export const imageBuilds = pgTable(
  "image_builds",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    labId: text("lab_id").notNull(),
    state: text("state", { enum: IMAGE_BUILD_STATES }).notNull().default("queued"),
    /** repository:tag in the Academy registry, e.g. learners/<key>/model-server:latest. */
    image: text("image").notNull(),
    digest: text("digest"),
    /** Why it failed (lib/builds/outcome.ts BuildFailureReason) and the words the learner saw. */
    reason: text("reason"),
    error: text("error"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    heartbeatAt: timestamp("heartbeat_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("image_builds_live_unique").on(t.userId, t.labId).where(sql`${t.state} in ('queued', 'running')`),
    index("image_builds_state_idx").on(t.state, t.createdAt),
    index("image_builds_user_lab_idx").on(t.userId, t.labId, t.createdAt),
  ],
);

export type ImageBuildRow = typeof imageBuilds.$inferSelect;

// ---------------------------------------------------------------------------------------------
// Hiring assessments (lib/assessments; docs/decisions/017-assessments.md)

/** A company or team whose reviewers share assessments and candidates; nothing crosses it. */
export const organisations = pgTable("organisations", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Who reviews for which organisation. A user belongs to at most one (the primary key is the user),
 * so "the reviewer's organisation" needs no choosing and every query filters by exactly one.
 */
export const organisationMembers = pgTable(
  "organisation_members",
  {
    userId: text("user_id")
      .primaryKey()
      .references(() => users.id, { onDelete: "cascade" }),
    organisationId: text("organisation_id")
      .notNull()
      .references(() => organisations.id, { onDelete: "cascade" }),
    /** Who added them (an administrator or a colleague); null once that user is deleted. */
    addedBy: text("added_by").references(() => users.id, { onDelete: "set null" }),
    addedAt: timestamp("added_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("organisation_members_org_idx").on(t.organisationId)],
);

/** One lab of an assessment as it was when the version was saved (the catalogue may change later). */
export type AssessmentLabSnapshot = { labId: string; weight: number; title: string; minutes: number; points: number };

/** Everything a candidate's run depends on, frozen per version (lib/assessments/schema.ts validates it). */
export type AssessmentSettings = {
  title: string;
  introduction: string;
  labs: AssessmentLabSnapshot[];
  timeLimitMinutes: number;
  passMarkPercent: number;
  showResults: boolean;
  showHints: boolean;
  inviteValidityDays: number;
};

/** An assessment of one organisation; what it asks is in its versions, the newest being `current_version`. */
export const assessments = pgTable(
  "assessments",
  {
    id: text("id").primaryKey(),
    organisationId: text("organisation_id")
      .notNull()
      .references(() => organisations.id, { onDelete: "cascade" }),
    /** The `number` of the version new invites get and the builder edits. */
    currentVersion: integer("current_version").notNull().default(1),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("assessments_org_idx").on(t.organisationId, t.createdAt)],
);

/**
 * The settings and labs of an assessment at one point. A version that invites point at is never
 * changed again: editing then adds version n+1 (lib/assessments/assessments.ts), so every report
 * can say which version its candidate took.
 */
export const assessmentVersions = pgTable(
  "assessment_versions",
  {
    id: text("id").primaryKey(),
    assessmentId: text("assessment_id")
      .notNull()
      .references(() => assessments.id, { onDelete: "cascade" }),
    /** 1, 2, 3… per assessment. */
    number: integer("number").notNull(),
    settings: jsonb("settings").$type<AssessmentSettings>().notNull(),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("assessment_versions_number_unique").on(t.assessmentId, t.number)],
);

/** What parts 4–6 record in `status` once a candidate has started (null before that). */
export const CANDIDATE_SESSION_STATES = ["started", "grading", "submitted"] as const;
export type CandidateSessionState = (typeof CANDIDATE_SESSION_STATES)[number];

/** The final grading of one lab at submission: the attempt it stored, or why there is none. */
export type FinalLabGrading = { labId: string; attemptId: number | null; score: number | null; maxScore: number | null; error: string | null };
export type CandidateSubmission = { reason: "candidate" | "deadline"; labs: FinalLabGrading[] };

/**
 * One candidate invited to one assessment version. The link's token is stored only as its SHA-256
 * (`token_hash`); the raw token is shown once when it is made. The session columns (started_at,
 * candidate_user_id, submitted_at, status) are filled by the candidate's flow (issue 11, part 4).
 */
export const assessmentInvites = pgTable(
  "assessment_invites",
  {
    id: text("id").primaryKey(),
    assessmentId: text("assessment_id")
      .notNull()
      .references(() => assessments.id, { onDelete: "cascade" }),
    versionId: text("version_id")
      .notNull()
      .references(() => assessmentVersions.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    /** Always lower-cased; one invite per email and assessment. */
    email: text("email").notNull(),
    /** hex SHA-256 of the base64url token in the link. */
    tokenHash: text("token_hash").notNull(),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    /** The link cannot be used to start after this. */
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
    /** When the link was last emailed (null: never, or email is off). */
    emailedAt: timestamp("emailed_at", { withTimezone: true }),
    startedAt: timestamp("started_at", { withTimezone: true }),
    /** The per-invite hidden user the candidate works as (part 4); null before Start. */
    candidateUserId: text("candidate_user_id").references(() => users.id, { onDelete: "set null" }),
    submittedAt: timestamp("submitted_at", { withTimezone: true }),
    status: text("status", { enum: CANDIDATE_SESSION_STATES }),
    /** started_at + the version's time limit, fixed at Start: nothing is accepted after it. */
    deadlineAt: timestamp("deadline_at", { withTimezone: true }),
    /** hex SHA-256 of the secret in the browser's binding cookie, set at Start (one browser per link). */
    bindingHash: text("binding_hash"),
    /** How the submission came about and what the final grading did per lab (part 4). */
    submission: jsonb("submission").$type<CandidateSubmission>(),
  },
  (t) => [
    uniqueIndex("assessment_invites_token_unique").on(t.tokenHash),
    uniqueIndex("assessment_invites_email_unique").on(t.assessmentId, t.email),
    index("assessment_invites_list_idx").on(t.assessmentId, t.createdAt),
    index("assessment_invites_version_idx").on(t.versionId),
    // The candidate's lab pages find their invite by the hidden user they work as (part 4).
    index("assessment_invites_candidate_idx").on(t.candidateUserId),
    // The deadline sweep looks for started candidates whose time is up.
    index("assessment_invites_deadline_idx").on(t.status, t.deadlineAt),
  ],
);

/**
 * What the candidate's browser reports while they work (issue 11, part 5): a paste above the size
 * limit (its size, never its content), the page losing or regaining focus, and active time on a
 * lab (a heartbeat's worth of visible, focused time, clamped by the server). Append-only.
 */
export const ASSESSMENT_EVENT_KINDS = ["paste", "focus-lost", "focus-back", "active"] as const;
export type AssessmentEventKind = (typeof ASSESSMENT_EVENT_KINDS)[number];

export const assessmentEvents = pgTable(
  "assessment_events",
  {
    id: text("id").primaryKey(),
    inviteId: text("invite_id")
      .notNull()
      .references(() => assessmentInvites.id, { onDelete: "cascade" }),
    /** The lab the candidate was on (null on the assessment's own pages). */
    labId: text("lab_id"),
    kind: text("kind", { enum: ASSESSMENT_EVENT_KINDS }).notNull(),
    /** The server's time when the event arrived (the browser's clock is not trusted). */
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    /** paste: characters pasted; active: milliseconds of active time this heartbeat covers. */
    amount: integer("amount"),
    /** paste: the file it went into. */
    path: text("path"),
  },
  (t) => [index("assessment_events_invite_idx").on(t.inviteId, t.at)],
);

/** One reviewer's notes and 1–5 rating of one candidate (part 6); each reviewer has their own. */
export const assessmentReviews = pgTable(
  "assessment_reviews",
  {
    inviteId: text("invite_id")
      .notNull()
      .references(() => assessmentInvites.id, { onDelete: "cascade" }),
    reviewerId: text("reviewer_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    rating: integer("rating"),
    notes: text("notes").notNull().default(""),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.inviteId, t.reviewerId] })],
);

/** A read-only link to one candidate's report for someone without an account (part 8). */
export const assessmentShareLinks = pgTable(
  "assessment_share_links",
  {
    id: text("id").primaryKey(),
    inviteId: text("invite_id")
      .notNull()
      .references(() => assessmentInvites.id, { onDelete: "cascade" }),
    /** hex SHA-256 of the link's random token; the token itself is shown once. */
    tokenHash: text("token_hash").notNull(),
    createdBy: text("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [uniqueIndex("assessment_share_links_token_unique").on(t.tokenHash), index("assessment_share_links_invite_idx").on(t.inviteId)],
);

/** Every opening of a share link (part 8: "each use is logged"). */
export const assessmentShareLinkUses = pgTable(
  "assessment_share_link_uses",
  {
    id: text("id").primaryKey(),
    linkId: text("link_id")
      .notNull()
      .references(() => assessmentShareLinks.id, { onDelete: "cascade" }),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    /** The client's address as lib/auth/client-address.ts reads it, and its user agent (truncated). */
    clientAddress: text("client_address"),
    userAgent: text("user_agent"),
  },
  (t) => [index("assessment_share_link_uses_link_idx").on(t.linkId, t.at)],
);

export type OrganisationRow = typeof organisations.$inferSelect;
export type AssessmentRow = typeof assessments.$inferSelect;
export type AssessmentVersionRow = typeof assessmentVersions.$inferSelect;
export type AssessmentInviteRow = typeof assessmentInvites.$inferSelect;
