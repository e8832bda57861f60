// The lab page's data on both databases: the user's saved files beside their starters, their
// attempts newest first as the browser gets them, and the cluster's state in words fit for the
// viewer (an admin sees what is wrong; a learner or candidate a request id). The cluster's state is
// a stand-in: what matters here is who sees how much of it.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { createUser, recordAttempt } from "@/lib/assessments/test-helpers";
import type { DatabaseHandle } from "@/lib/db/client";
import { keyringOf } from "@/lib/grading/attempt-keys";
import { saveLabFiles } from "@/lib/labs/files";
import { getLab, starterFiles } from "@/lib/labs/registry";
import { DATABASE_KINDS, openTestDatabase } from "@/tests/support/databases";
import { labPageView } from "./lab-page";

const UNAVAILABLE = vi.hoisted(() => ({ state: "unavailable", reason: "KUBECONFIG points at /nowhere", howToFix: ["Set KUBECONFIG."] }) as const);
vi.mock("@/lib/k8s/availability", async (original) => ({ ...(await original<object>()), clusterAvailability: async () => UNAVAILABLE }));

const NO_SANDBOX_LAB = "design-the-prediction-api";
const SANDBOX_LAB = "deploy-the-model";
const keys = keyringOf({ test: randomBytes(32) });

describe.each(DATABASE_KINDS)("the lab page's data on %s", (kind) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await handle?.close();
  });

  test("a learner's saved file beside its starter, attempts newest first, no cluster needed", async () => {
    const learner = await createUser(handle.db, "learner");
    const lab = getLab(NO_SANDBOX_LAB)!;
    const starter = starterFiles(lab);
    expect(await saveLabFiles(handle.db, learner, lab.id, [{ path: "openapi.yaml", content: "openapi: 3.1.0\n" }])).toMatchObject({ ok: true });
    await recordAttempt(handle.db, keys, learner.id, lab.id, [{ id: "a1", points: 4, earned: 2 }], new Date("2026-01-01T10:00:00Z"));
    await recordAttempt(handle.db, keys, learner.id, lab.id, [{ id: "a1", points: 4, earned: 4 }], new Date("2026-01-01T10:05:00Z"));

    const view = await labPageView(handle.db, learner, lab);
    expect(view?.instructions).toEqual(expect.any(String));
    expect(view?.room).toMatchObject({
      labId: lab.id,
      files: [{ path: "openapi.yaml", content: "openapi: 3.1.0\n", starter: starter["openapi.yaml"], readonly: false }],
      hasSandbox: false,
      availability: { state: "ready" },
      initialSandbox: null,
      checks: lab.checks.map(({ id, title, points }) => ({ id, title, points })),
      buildsImage: false,
      lastImage: null,
      hasTerminal: false,
    });
    expect(view?.room.initialAttempts.map((a) => [a.score, a.createdAt])).toEqual([
      [4, "2026-01-01T10:05:00.000Z"],
      [2, "2026-01-01T10:00:00.000Z"],
    ]);
  });

  test("an unavailable cluster: the admin is told what is wrong, a learner and a candidate only a request id", async () => {
    const lab = getLab(SANDBOX_LAB)!;
    const admin = await labPageView(handle.db, await createUser(handle.db, "admin"), lab);
    expect(admin?.room).toMatchObject({ hasSandbox: true, initialSandbox: null, availability: { state: "unavailable", reason: UNAVAILABLE.reason, howToFix: UNAVAILABLE.howToFix } });
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      for (const role of ["learner", "candidate"] as const) {
        const user = { id: (await createUser(handle.db, "learner")).id, role };
        const view = await labPageView(handle.db, user, lab);
        expect(view?.room.availability).toEqual({ state: "unavailable", reason: expect.stringMatching(/request id/i), howToFix: [] });
        expect(JSON.stringify(view?.room.availability)).not.toContain("KUBECONFIG");
      }
      expect(errors).toHaveBeenCalledTimes(2);
      expect(errors).toHaveBeenCalledWith(expect.stringContaining("lab page"), expect.objectContaining({ reason: UNAVAILABLE.reason }));
    } finally {
      errors.mockRestore();
    }
  });
});
