// The organisation pages rendered as the server renders them, on both databases: an admin sees
// organisations and their reviewers, an unknown id is a 404, a reviewer gets the 403 page.
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { createOrganisationWithReviewer, createUser } from "@/lib/assessments/test-helpers";
import type { DatabaseHandle } from "@/lib/db/client";
import { DATABASE_KINDS, openTestDatabase } from "@/tests/support/databases";

const { current, dbModule, navigationModule, render, sessionModule } = await vi.hoisted(() => import("@/tests/support/next-page"));
vi.mock("@/lib/db", dbModule);
vi.mock("@/lib/auth/session", sessionModule);
vi.mock("next/navigation", navigationModule);

const { default: OrganisationsPage } = await import("./page");
const { default: OrganisationPage } = await import("./[organisationId]/page");

describe.each(DATABASE_KINDS)("organisation pages on %s", (kind) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await openTestDatabase(kind);
    current.db = handle.db;
  });
  afterAll(async () => {
    await handle?.close();
  });

  test("an admin sees each organisation and its reviewers; an unknown one is 404; a reviewer is refused", async () => {
    const { organisationId, reviewer } = await createOrganisationWithReviewer(handle.db, "Acme Hiring");
    current.user = await createUser(handle.db, "admin");
    const list = (await render(OrganisationsPage())) as string;
    expect(list).toContain(`<a href="/admin/organisations/${organisationId}">Acme Hiring</a></td><td>1</td>`);
    const one = (await render(OrganisationPage({ params: Promise.resolve({ organisationId }) }))) as string;
    expect(one).toContain(reviewer.email);
    expect(one).toContain(`Remove ${reviewer.email} from this organisation`);
    expect(await render(OrganisationPage({ params: Promise.resolve({ organisationId: "no-such-id" }) }))).toBe(404);
    current.user = reviewer;
    expect(await render(OrganisationsPage())).toBe(403);
    expect(await render(OrganisationPage({ params: Promise.resolve({ organisationId }) }))).toBe(403);
  });
});
