// GET /api/labs/[labId]/workloads: a session is required, the namespace is the learner's own
// (there is no way to name another), and every refusal is JSON with words and a status.
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import type { DatabaseHandle } from "@/lib/db/client";
import { takeUserLimit, USER_LIMITS } from "@/lib/rate-limit/limits";
import { createLearners } from "@/tests/support/cluster";
import { DATABASE_KINDS, openTestDatabase } from "@/tests/support/databases";

const current = vi.hoisted(() => ({ db: null as unknown, user: null as { id: string } | null }));
vi.mock("@/lib/db", () => ({ getDb: async () => current.db }));
vi.mock("@/lib/auth/session", () => ({ getCurrentUser: async () => current.user }));

const { GET } = await import("./route");

const read = (labId: string) => GET(new Request(`http://localhost/api/labs/${labId}/workloads?namespace=kube-system`), { params: Promise.resolve({ labId }) });

describe.each(DATABASE_KINDS)("the workloads route on %s", (kind) => {
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

  test("without a session it is a 401 in words, never cached", async () => {
    current.user = null;
    const response = await read("deploy-the-model");
    expect(response.status).toBe(401);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toEqual({ ok: false, code: "unauthenticated", error: "Sign in to see your workloads." });
  });

  test("a lab without a lab environment, or a learner without a sandbox, is a 404 that says what to do", async () => {
    const [learner] = await createLearners(handle.db, 1);
    current.user = learner!;
    expect((await read("containerise-the-model")).status).toBe(404);
    expect((await read("no-such-lab")).status).toBe(404);
    // A namespace in the query is ignored: only the learner's own sandbox is ever read.
    const none = await read("deploy-the-model");
    expect(none.status).toBe(404);
    expect(await none.json()).toEqual({ ok: false, code: "no-sandbox", error: "Start your lab environment to see your workloads." });
  });

  test("past the learner's read limit it is a 429 with Retry-After and the words", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-06-01T12:00:30Z") });
    const [learner] = await createLearners(handle.db, 1);
    current.user = learner!;
    for (let i = 0; i < USER_LIMITS.workloads.policy.limit; i++) await takeUserLimit(handle.db, "workloads", learner!.id);
    const refused = await read("deploy-the-model");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("30");
    expect(await refused.json()).toMatchObject({ ok: false, code: "rate-limited", error: `Too many reads of your workloads (at most ${USER_LIMITS.workloads.policy.limit} a minute). Try again in 30 seconds.` });
  });
});
