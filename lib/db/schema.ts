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

export const ROLES = ["learner", "instructor", "reviewer", "admin"] as const;
export type Role = (typeof ROLES)[number];

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

export const LAB_FILE_SOURCES = ["save", "reset"] as const;

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
