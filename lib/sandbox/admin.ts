// Administration of every learner's sandboxes: the admin page's list (with quota usage read from
// the cluster) and deletion. Only administrators may call these; the check is here, not in pages.
import "server-only";
import { desc, eq, inArray } from "drizzle-orm";
import { assertRole } from "@/lib/auth/authorize";
import type { UserDTO } from "@/lib/auth/users";
import type { Database } from "@/lib/db/client";
import { sandboxes, users } from "@/lib/db/schema";
import { adminClient, type KubeObject } from "@/lib/k8s/client";
import { stopSandbox } from "./lifecycle";
import { toSandboxDTO, type SandboxDTO } from "./queries";
import type { SandboxResult } from "./results";

export type QuotaUsage = { resource: string; used: string; hard: string };

export type AdminSandboxView = SandboxDTO & {
  learnerEmail: string;
  learnerName: string;
  /** null when the cluster could not be asked (the page says so). */
  quota: QuotaUsage[] | null;
  ageMinutes: number;
  /** Minutes until expiry; 0 when due. */
  expiresInMinutes: number;
};

type QuotaObject = KubeObject & { status?: { hard?: Record<string, string>; used?: Record<string, string> } };

async function quotaOf(namespace: string): Promise<QuotaUsage[] | null> {
  try {
    const quotas = await adminClient().list<QuotaObject>("v1", "ResourceQuota", { namespace });
    return quotas.flatMap((q) =>
      Object.entries(q.status?.hard ?? {}).map(([resource, hard]) => ({ resource, hard, used: q.status?.used?.[resource] ?? "0" })),
    );
  } catch {
    return null;
  }
}

/** Every live sandbox (and the most recent ended ones), newest first, with learner and quota usage. */
export async function listAllSandboxes(db: Database, actor: UserDTO | null, options: { includeEnded?: number } = {}): Promise<AdminSandboxView[]> {
  assertRole(actor, "admin");
  const rows = await db
    .select({ sandbox: sandboxes, email: users.email, name: users.name })
    .from(sandboxes)
    .innerJoin(users, eq(users.id, sandboxes.userId))
    .where(inArray(sandboxes.state, ["provisioning", "ready", "failed", "deleting"]))
    .orderBy(desc(sandboxes.createdAt));
  const ended = options.includeEnded
    ? await db
        .select({ sandbox: sandboxes, email: users.email, name: users.name })
        .from(sandboxes)
        .innerJoin(users, eq(users.id, sandboxes.userId))
        .where(eq(sandboxes.state, "gone"))
        .orderBy(desc(sandboxes.createdAt))
        .limit(options.includeEnded)
    : [];
  const all = [...rows, ...ended];
  const quotas = await Promise.all(all.map((r) => (r.sandbox.state === "ready" ? quotaOf(r.sandbox.namespace) : Promise.resolve([]))));
  const now = Date.now();
  return all.map((r, i) => ({
    ...toSandboxDTO(r.sandbox),
    learnerEmail: r.email,
    learnerName: r.name,
    quota: quotas[i] ?? null,
    ageMinutes: Math.max(0, Math.round((now - r.sandbox.createdAt.getTime()) / 60_000)),
    expiresInMinutes: Math.max(0, Math.round((r.sandbox.expiresAt.getTime() - now) / 60_000)),
  }));
}

/** Deletes a learner's sandbox on the administrator's behalf (the learner's files are kept). */
export async function adminDeleteSandbox(db: Database, actor: UserDTO | null, sandboxId: string): Promise<SandboxResult> {
  assertRole(actor, "admin");
  const [row] = await db.select().from(sandboxes).where(eq(sandboxes.id, sandboxId));
  if (!row) return { ok: false, code: "not-found", error: "That sandbox no longer exists." };
  // Authorised above; the teardown itself runs as the sandbox's owner would.
  return stopSandbox(db, { id: row.userId }, row.id);
}
