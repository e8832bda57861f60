// The build route refuses before any stream starts: a lab that builds nothing is a 404, a learner
// past the build limit a 429 with Retry-After, a second build while one is queued a 409; on
// PGlite and PostgreSQL.
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import { enqueueBuild } from "@/lib/builds/queue";
import type { DatabaseHandle } from "@/lib/db/client";
import { siteOrigin } from "@/lib/http/json-body";
import { takeUserLimit, USER_LIMITS } from "@/lib/rate-limit/limits";
import { createLearners } from "@/tests/support/cluster";
import { DATABASE_KINDS, openTestDatabase } from "@/tests/support/databases";

const current = vi.hoisted(() => ({ db: null as unknown, user: null as { id: string } | null }));
vi.mock("@/lib/db", () => ({ getDb: async () => current.db }));
vi.mock("@/lib/auth/session", () => ({ getCurrentUser: async () => current.user }));

const { POST: buildRoute } = await import("./route");

const LAB = "containerise-the-model";
const paramsOf = (labId: string) => ({ params: Promise.resolve({ labId }) });
const post = (labId: string) =>
  new Request(`${siteOrigin()}/api/labs/${labId}/build`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: siteOrigin() },
    body: "{}",
  });

describe.each(DATABASE_KINDS)("the build route on %s", (kind) => {
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

  test("signed out is a 401, a lab without a build a 404", async () => {
    current.user = null;
    expect((await buildRoute(post(LAB), paramsOf(LAB))).status).toBe(401);
    const [learner] = await createLearners(handle.db, 1);
    current.user = learner!;
    const none = await buildRoute(post("deploy-the-model"), paramsOf("deploy-the-model"));
    expect(none.status).toBe(404);
    expect(await none.json()).toEqual({ error: "This lab builds no image." });
  });

  test("past the build limit is a 429 with Retry-After and the words", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-06-01T11:00:45Z") });
    const [learner] = await createLearners(handle.db, 1);
    for (let i = 0; i < USER_LIMITS.build.policy.limit; i++) await takeUserLimit(handle.db, "build", learner!.id);
    current.user = learner!;
    const refused = await buildRoute(post(LAB), paramsOf(LAB));
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("15");
    expect(await refused.json()).toMatchObject({ code: "rate-limited", error: expect.stringMatching(/^Too many image builds .*15 seconds\.$/) });
  });

  test("a second build while one is queued is a 409 that says to wait", async () => {
    const [learner] = await createLearners(handle.db, 1);
    await enqueueBuild(handle.db, { id: `busy-${kind}`, userId: learner!.id, labId: LAB, image: "learners/x/model-server:latest" });
    current.user = learner!;
    const refused = await buildRoute(post(LAB), paramsOf(LAB));
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ code: "already-building", error: expect.stringMatching(/already queued or running/) });
  });
});
