// The one place that reads process.env. Everything else imports `env` from here, so a bad
// setting fails at start-up with the name of the variable to fix.
import "server-only";
import path from "node:path";
import { z } from "zod";

const booleanFlag = z
  .enum(["true", "false", "1", "0", "yes", "no"])
  .transform((v) => v === "true" || v === "1" || v === "yes");

const EnvSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  /** Where the embedded database, generated secrets, caches and local-cluster state live. */
  ACADEMY_DATA_DIR: z.string().min(1).default(".academy-data"),
  /** postgres://… switches from the embedded PGlite database to a PostgreSQL server. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "DATABASE_URL must start with postgres:// or postgresql://")
    .optional(),
  /** Public URL of the site; next-auth uses it for callbacks. */
  NEXTAUTH_URL: z.string().url().default("http://localhost:3000"),
  /** Secret for signing sessions. When unset, one is generated and kept in the data directory. */
  NEXTAUTH_SECRET: z.string().min(32, "NEXTAUTH_SECRET must be at least 32 characters").optional(),
  /**
   * Keys that sign graded attempts: an absolute path to a key file (production: outside the data
   * directory, owner-only), or inline `kid:base64` entries separated by commas. The last entry
   * signs; older ones verify. Unset: a key file generated in ~/.config/academy/attempt-keys.
   */
  ACADEMY_ATTEMPT_KEYS: z
    .string()
    .refine(
      (v) => v.trim().startsWith("/") || /^\s*[A-Za-z0-9][A-Za-z0-9._-]*:[A-Za-z0-9+/_=-]+\s*(,\s*[A-Za-z0-9][A-Za-z0-9._-]*:[A-Za-z0-9+/_=-]+\s*)*,?\s*$/.test(v),
      "ACADEMY_ATTEMPT_KEYS must be an absolute path to a key file or `kid:base64` entries separated by commas",
    )
    .optional(),
  /** Whether anyone may create a learner account with email + password. */
  ACADEMY_OPEN_SIGNUP: booleanFlag.default(true),
  /**
   * How many reverse proxies in front of the server append to X-Forwarded-For. The sign-in limits
   * per address use the entry that many places from the end (0: the server faces clients directly).
   */
  ACADEMY_TRUSTED_PROXIES: z.coerce.number().int().min(0).max(10).default(0),
  GITHUB_ID: z.string().min(1).optional(),
  GITHUB_SECRET: z.string().min(1).optional(),
  OIDC_ISSUER: z.string().url().optional(),
  OIDC_CLIENT_ID: z.string().min(1).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).optional(),
  OIDC_NAME: z.string().min(1).default("Single sign-on"),
  /** A kubeconfig for the cluster that hosts learner sandboxes. Unset: the local control plane. */
  KUBECONFIG: z.string().min(1).optional(),
  /** Sandbox lifetime when a lab does not set one, in minutes. */
  ACADEMY_SANDBOX_TTL_MINUTES: z.coerce.number().int().min(5).max(24 * 60).default(60),
  /** A sandbox nobody has used for this many minutes is reaped. */
  ACADEMY_SANDBOX_IDLE_MINUTES: z.coerce.number().int().min(5).max(24 * 60).default(30),
  /**
   * Names this Academy installation on the cluster; reconcile only touches namespaces carrying
   * it, so two installations (or test runs) can share one cluster.
   */
  ACADEMY_INSTALLATION_ID: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$/, "ACADEMY_INSTALLATION_ID must be a short DNS label")
    .default("academy"),
  /** How many live sandboxes one learner may have at once. */
  ACADEMY_SANDBOX_MAX_PER_LEARNER: z.coerce.number().int().min(1).max(50).default(3),
  /** Learner image builds (lib/builds) running at once on this installation; the rest queue. */
  ACADEMY_BUILD_CONCURRENCY: z.coerce.number().int().min(1).max(50).default(2),
  /**
   * The Academy image registry as build pods on the real node reach it (host:port, plain HTTP):
   * buildah pulls bases from it and pushes learners' images to it. Unset: the registry relay on
   * the real node's InternalIP (the local cluster's, port 5000).
   */
  ACADEMY_BUILD_REGISTRY: z
    .string()
    .regex(/^[a-z0-9.-]+(:\d{1,5})?$/i, "ACADEMY_BUILD_REGISTRY must be host:port, e.g. 198.19.254.1:5000")
    .optional(),
  /** A build that runs longer than this is stopped and reported. */
  ACADEMY_BUILD_DEADLINE_SECONDS: z.coerce.number().int().min(30).max(3600).default(600),
  /**
   * The lab terminal's service (lib/terminal) listens on 127.0.0.1 at this port, inside the
   * Academy server process; proxy.ts forwards /api/terminal/* to it.
   */
  ACADEMY_TERMINAL_PORT: z.coerce.number().int().min(1).max(65535).default(3001),
  /** A terminal nobody typed into for this many minutes is closed, saying so. */
  ACADEMY_TERMINAL_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(30),
  /** A terminal session is closed after this many minutes whatever happens in it. */
  ACADEMY_TERMINAL_MAX_MINUTES: z.coerce.number().int().min(5).max(7 * 24 * 60).default(480),
  /** How long a terminal's shell and scrollback wait for a browser that dropped off. */
  ACADEMY_TERMINAL_GRACE_SECONDS: z.coerce.number().int().min(5).max(3600).default(120),
  /** Terminals one user may have at once (open, or waiting for a reconnect). */
  ACADEMY_TERMINAL_MAX_PER_USER: z.coerce.number().int().min(1).max(20).default(3),
  /** Terminals this server runs at once. */
  ACADEMY_TERMINAL_MAX_TOTAL: z.coerce.number().int().min(1).max(10_000).default(200),
  /**
   * An SMTP server for assessment invites (smtp://user:pass@host:587, or smtps:// for TLS from the
   * first byte). Unset: email is off and reviewers copy or download the links instead.
   */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/[^\s]+$/, "SMTP_URL must look like smtp://user:password@host:587 or smtps://host:465")
    .optional(),
  /** The From of invite emails, e.g. "Acme Hiring <hiring@acme.example>"; required with SMTP_URL. */
  SMTP_FROM: z.string().min(3).max(200).optional(),
});

export type Env = z.infer<typeof EnvSchema>;

export function parseEnv(source: Record<string, string | undefined>): Env {
  const cleaned = Object.fromEntries(
    Object.entries(source).filter(([, v]) => v !== undefined && v !== ""),
  );
  const result = EnvSchema.safeParse(cleaned);
  if (!result.success) {
    const problems = result.error.issues
      .map((issue) => `  ${issue.path.join(".")}: ${issue.message}`)
      .join("\n");
    throw new Error(`Invalid Academy configuration (environment variables):\n${problems}`);
  }
  const env = result.data;
  if (Boolean(env.GITHUB_ID) !== Boolean(env.GITHUB_SECRET)) {
    throw new Error("Invalid Academy configuration: set both GITHUB_ID and GITHUB_SECRET, or neither.");
  }
  const oidc = [env.OIDC_ISSUER, env.OIDC_CLIENT_ID, env.OIDC_CLIENT_SECRET].filter(Boolean).length;
  if (oidc !== 0 && oidc !== 3) {
    throw new Error(
      "Invalid Academy configuration: OIDC needs OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET together.",
    );
  }
  if (env.SMTP_URL && !env.SMTP_FROM) {
    throw new Error("Invalid Academy configuration: SMTP_URL needs SMTP_FROM (the sender of invite emails, e.g. \"Hiring <hiring@example.com>\").");
  }
  return { ...env, ACADEMY_DATA_DIR: path.resolve(env.ACADEMY_DATA_DIR) };
}

export const env: Env = parseEnv(process.env);
