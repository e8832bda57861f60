// The lab routes answer a rate-limited learner with 429 and Retry-After, before any stream starts,
// with the same words the lab page shows; on PGlite and PostgreSQL.
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import type { DatabaseHandle } from "@/lib/db/client";
import { siteOrigin } from "@/lib/http/json-body";
import { takeUserLimit, USER_LIMITS } from "@/lib/rate-limit/limits";
import { createLearners } from "@/tests/support/cluster";
import { DATABASE_KINDS, openTestDatabase } from "@/tests/support/databases";

const current = vi.hoisted(() => ({ db: null as unknown, user: null as { id: string } | null }));
vi.mock("@/lib/db", () => ({ getDb: async () => current.db }));
vi.mock("@/lib/auth/session", () => ({ getCurrentUser: async () => current.user }));

const { POST: sandboxRoute } = await import("./sandbox/route");
const { GET: kubeconfigRoute } = await import("./kubeconfig/route");
const { POST: workspaceRoute } = await import("./workspace/route");
const { POST: syncRoute } = await import("./workspace/sync/route");

const LAB = "deploy-the-model";
const params = { params: Promise.resolve({ labId: LAB }) };

function postAction(action: string): Request {
  return new Request(`${siteOrigin()}/api/labs/${LAB}/sandbox`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: siteOrigin() },
    body: JSON.stringify({ action }),
  });
}

describe.each(DATABASE_KINDS)("lab routes under the rate limits on %s", (kind) => {
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

  test("a sandbox change past the limit is a 429 with Retry-After and the words, and another learner still gets a stream", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-06-01T11:00:20Z") });
    const [learner, other] = await createLearners(handle.db, 2);
    for (let i = 0; i < USER_LIMITS.sandbox.policy.limit; i++) await takeUserLimit(handle.db, "sandbox", learner!.id);
    current.user = learner!;
    const refused = await sandboxRoute(postAction("start"), params);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("40");
    expect(await refused.json()).toEqual({
      ok: false,
      code: "rate-limited",
      retryAfterSeconds: 40,
      error: `Too many lab environment starts, resets and stops (at most ${USER_LIMITS.sandbox.policy.limit} a minute). Try again in 40 seconds.`,
    });

    // Stopping without a sandbox touches no cluster: the other learner's request is admitted and streamed.
    current.user = other!;
    const admitted = await sandboxRoute(postAction("stop"), params);
    expect(admitted.status).toBe(200);
    expect(admitted.headers.get("content-type")).toMatch(/application\/x-ndjson/);
    expect((await admitted.text()).trim()).toBe(JSON.stringify({ type: "done", sandbox: null }));
  });

  test("a kubeconfig past the limit is a 429 with Retry-After and the words", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-06-01T11:00:50Z") });
    const [learner] = await createLearners(handle.db, 1);
    for (let i = 0; i < USER_LIMITS.kubeconfig.policy.limit; i++) await takeUserLimit(handle.db, "kubeconfig", learner!.id);
    current.user = learner!;
    const refused = await kubeconfigRoute(new Request(`${siteOrigin()}/api/labs/${LAB}/kubeconfig`), params);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("10");
    expect(await refused.text()).toMatch(/^Too many kubeconfig downloads .*Try again in 10 seconds\.\n$/);
  });

  test("the terminal's sync: no sandbox and no lab environment are 404s in words, another origin 403, past the limit 429 with Retry-After", async () => {
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-06-01T11:00:30Z") });
    const [learner] = await createLearners(handle.db, 1);
    current.user = learner!;
    const post = (lab: string, origin = siteOrigin()) =>
      new Request(`${siteOrigin()}/api/labs/${lab}/workspace/sync`, { method: "POST", headers: { origin } });
    // deploy-the-model runs real workloads but the learner has no sandbox: said so, before the cluster is asked.
    const none = await syncRoute(post(LAB), params);
    expect(none.status).toBe(404);
    expect(await none.json()).toMatchObject({ ok: false, code: "no-sandbox", error: "Start your lab environment first; the terminal runs in it." });
    const noCluster = await syncRoute(post("containerise-the-model"), { params: Promise.resolve({ labId: "containerise-the-model" }) });
    expect(noCluster.status).toBe(404);
    expect(await noCluster.json()).toMatchObject({ code: "not-found", error: "This lab has no lab environment." });
    const foreign = await syncRoute(post(LAB, "https://evil.example"), params);
    expect(foreign.status).toBe(403);
    for (let i = 0; i < USER_LIMITS["workspace-sync"].policy.limit; i++) await takeUserLimit(handle.db, "workspace-sync", learner!.id);
    const refused = await syncRoute(post(LAB), params);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("30");
    current.user = null;
    expect((await syncRoute(post(LAB), params)).status).toBe(401);
  });

  test("opening the terminal streams its refusal in words: no sandbox yet", async () => {
    const [learner] = await createLearners(handle.db, 1);
    current.user = learner!;
    const answer = await workspaceRoute(new Request(`${siteOrigin()}/api/labs/${LAB}/workspace`, { method: "POST", headers: { origin: siteOrigin() } }), params);
    expect(answer.status).toBe(200);
    expect(JSON.parse((await answer.text()).trim())).toEqual({ type: "error", code: "no-sandbox", error: "Start your lab environment first; the terminal runs in it." });
  });
});
