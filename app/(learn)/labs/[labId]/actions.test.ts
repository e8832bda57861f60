// The save action counts a learner's saves: past the limit it returns the rate-limited refusal
// (which the editor shows as "try again in N seconds" and retries), and stores nothing.
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import type { DatabaseHandle } from "@/lib/db/client";
import { currentFiles } from "@/lib/labs/files";
import { getLab } from "@/lib/labs/registry";
import { USER_LIMITS } from "@/lib/rate-limit/limits";
import { createLearners } from "@/tests/support/cluster";
import { DATABASE_KINDS, openTestDatabase } from "@/tests/support/databases";

const current = vi.hoisted(() => ({ db: null as unknown, user: null as { id: string } | null }));
vi.mock("@/lib/db", () => ({ getDb: async () => current.db }));
vi.mock("@/lib/auth/session", () => ({ getCurrentUser: async () => current.user }));

const { saveFileAction, resetFileAction } = await import("./actions");

const LAB = "deploy-the-model";
const lab = getLab(LAB)!;
const file = lab.files.find((f) => !f.readonly)!;

describe.each(DATABASE_KINDS)("saves under the rate limit on %s", (kind) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await openTestDatabase(kind);
    current.db = handle.db;
  }, 60_000);
  afterAll(async () => {
    await handle?.close();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  test("saves and resets share the limit; past it nothing is stored, and another learner still saves", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-06-01T13:00:05Z") });
    const [learner, other] = await createLearners(handle.db, 2);
    current.user = learner!;
    const { limit } = USER_LIMITS["file-save"].policy;
    for (let i = 0; i < limit - 1; i++) expect(await saveFileAction(LAB, file.path, `# save ${i}\n`)).toMatchObject({ ok: true });
    expect(await resetFileAction(LAB, file.path)).toMatchObject({ ok: true });
    expect(await saveFileAction(LAB, file.path, "# one too many\n")).toEqual({
      ok: false,
      code: "rate-limited",
      retryAfterSeconds: 55,
      error: `Too many saves (at most ${limit} a minute). Try again in 55 seconds.`,
    });
    expect((await currentFiles(handle.db, learner!.id, lab))[file.path]).not.toBe("# one too many\n");
    current.user = other!;
    expect(await saveFileAction(LAB, file.path, "# mine\n")).toMatchObject({ ok: true });
  }, 120_000);
});
