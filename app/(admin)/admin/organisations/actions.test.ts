// The organisation actions on both databases: an admin creates one (and is sent to it) and
// assigns a reviewer; anyone else gets the role message and changes nothing.
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { eq } from "drizzle-orm";
import { createUser } from "@/lib/assessments/test-helpers";
import type { DatabaseHandle } from "@/lib/db/client";
import { organisationMembers, organisations } from "@/lib/db/schema";
import { DATABASE_KINDS, openTestDatabase } from "@/tests/support/databases";
import { formData, RedirectSignal } from "@/tests/support/next-action";

const current = vi.hoisted(() => ({ db: null as unknown, user: null as { id: string; role: string } | null }));
vi.mock("@/lib/db", () => ({ getDb: async () => current.db }));
vi.mock("@/lib/auth/session", () => ({ getCurrentUser: async () => current.user }));
vi.mock("next/cache", () => ({ revalidatePath: () => {} }));
vi.mock("next/navigation", async () => {
  const { RedirectSignal } = await import("@/tests/support/next-action");
  return {
    redirect: (location: string) => {
      throw new RedirectSignal(location);
    },
  };
});

const { addMemberAction, createOrganisationAction, removeMemberAction } = await import("./actions");

const EMPTY = { message: "", error: false };

describe.each(DATABASE_KINDS)("organisation actions on %s", (kind) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await openTestDatabase(kind);
    current.db = handle.db;
  });
  afterAll(async () => {
    await handle?.close();
  });

  test("an admin creates an organisation, adds and removes a reviewer; a reviewer cannot", async () => {
    const admin = await createUser(handle.db, "admin");
    const reviewer = await createUser(handle.db, "reviewer");
    current.user = reviewer;
    expect(await createOrganisationAction(EMPTY, formData({ name: "Sneaky" }))).toEqual({ message: "Only administrators can do this.", error: true });
    expect(await handle.db.select().from(organisations).where(eq(organisations.name, "Sneaky"))).toEqual([]);

    current.user = admin;
    expect(await createOrganisationAction(EMPTY, formData({ name: "" }))).toMatchObject({ error: true, message: expect.stringContaining("must not be empty") });
    const redirect = await createOrganisationAction(EMPTY, formData({ name: "Acme" })).catch((e: unknown) => e);
    expect(redirect).toBeInstanceOf(RedirectSignal);
    const organisationId = (redirect as RedirectSignal).location.split("/").at(-1)!;
    const [org] = await handle.db.select().from(organisations).where(eq(organisations.id, organisationId));
    expect(org?.name).toBe("Acme");

    expect(await addMemberAction(EMPTY, formData({ organisationId, email: reviewer.email }))).toEqual({ message: `${reviewer.email} now reviews for this organisation.`, error: false });
    current.user = reviewer;
    expect(await removeMemberAction(EMPTY, formData({ organisationId, userId: reviewer.id }))).toEqual({ message: "Only administrators can do this.", error: true });
    current.user = admin;
    expect(await removeMemberAction(EMPTY, formData({ organisationId, userId: reviewer.id }))).toMatchObject({ error: false });
    expect(await handle.db.select().from(organisationMembers).where(eq(organisationMembers.userId, reviewer.id))).toEqual([]);
  });
});
