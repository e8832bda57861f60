// Reading and writing sandbox rows: the DTO pages see, the learner's live sandboxes, the one a lab
// is graded on, and the row updates the other sandbox modules share. Every read for a learner
// filters by that learner, so nothing here can hand out another learner's sandbox.
import "server-only";
import { and, desc, eq, inArray } from "drizzle-orm";
import type { ActingUser } from "@/lib/auth/acting-user";
import type { Database } from "@/lib/db/client";
import { sandboxes, type SandboxRow, type SandboxState } from "@/lib/db/schema";
import { SandboxIdSchema } from "./schema";

/** What pages see of a sandbox. */
export type SandboxDTO = {
  id: string;
  labId: string;
  namespace: string;
  sizeProfile: string;
  state: SandboxState;
  error: string | null;
  createdAt: Date;
  readyAt: Date | null;
  expiresAt: Date;
  lastActivityAt: Date;
};

/** A sandbox in these states counts against the learner's cap and owns its namespace. */
export const LIVE_STATES: SandboxState[] = ["provisioning", "ready"];

export function toSandboxDTO(row: SandboxRow): SandboxDTO {
  return {
    id: row.id,
    labId: row.labId,
    namespace: row.namespace,
    sizeProfile: row.sizeProfile,
    state: row.state,
    error: row.error,
    createdAt: row.createdAt,
    readyAt: row.readyAt,
    expiresAt: row.expiresAt,
    lastActivityAt: row.lastActivityAt,
  };
}

/** The user's sandbox with this id, or null (also for an id that is not a sandbox id). */
export async function ownedSandbox(db: Database, user: ActingUser, sandboxId: string): Promise<SandboxRow | null> {
  if (!SandboxIdSchema.safeParse(sandboxId).success) return null;
  const rows = await db
    .select()
    .from(sandboxes)
    .where(and(eq(sandboxes.id, sandboxId), eq(sandboxes.userId, user.id)))
    .limit(1);
  return rows[0] ?? null;
}

export async function updateSandbox(db: Database, id: string, values: Partial<SandboxRow>): Promise<SandboxRow> {
  const rows = await db.update(sandboxes).set(values).where(eq(sandboxes.id, id)).returning();
  return rows[0]!;
}

/** The learner's sandboxes that are starting or running, newest first. */
export async function listSandboxes(db: Database, user: ActingUser): Promise<SandboxDTO[]> {
  const rows = await db
    .select()
    .from(sandboxes)
    .where(and(eq(sandboxes.userId, user.id), inArray(sandboxes.state, LIVE_STATES)));
  return rows.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime()).map(toSandboxDTO);
}

/** The learner's live sandbox for this lab (provisioning or ready), if any. */
export async function liveSandboxForLab(db: Database, user: ActingUser, labId: string): Promise<SandboxDTO | null> {
  const live = await listSandboxes(db, user);
  return live.find((sandbox) => sandbox.labId === labId) ?? null;
}

/** The sandbox a lab is graded on: the learner's newest ready one for it, if it has not expired by `now`. */
export async function readySandboxForLab(
  db: Database,
  user: ActingUser,
  labId: string,
  now: Date = new Date(),
): Promise<{ namespace: string; expiresAt: Date } | null> {
  const [sandbox] = await db
    .select({ namespace: sandboxes.namespace, expiresAt: sandboxes.expiresAt })
    .from(sandboxes)
    .where(and(eq(sandboxes.userId, user.id), eq(sandboxes.labId, labId), eq(sandboxes.state, "ready")))
    .orderBy(desc(sandboxes.createdAt))
    .limit(1);
  return sandbox && sandbox.expiresAt > now ? sandbox : null;
}
