// The Workloads card as the learner reads it: empty state in words, status badges, restarts,
// explanations, events and logs as text (never HTML), the calm summary, and the fetch that
// turns every answer into a value.
import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { expect, test } from "vitest";
import type { PodView, WorkloadsView } from "@/lib/workspace/views";
import { fetchWorkloads } from "./hooks/fetch-workloads";
import { podHealth, summaryText, WorkloadsBody } from "./workloads-panel";

const base: WorkloadsView = { namespace: "lab-x", observedAt: "2026-12-02T06:00:00Z", pods: [], workloads: [], morePods: 0 };

function pod(overrides: Partial<PodView>): PodView {
  return {
    name: "web-6d4cf56db6-x2x4z",
    owner: { kind: "Deployment", name: "web" },
    phase: "Running",
    status: "Running",
    ready: { ready: 1, total: 1 },
    restarts: 0,
    age: "5m",
    createdAt: "2026-12-02T05:55:00Z",
    node: { kind: "real", name: "academy-node" },
    containers: [
      {
        name: "app",
        init: false,
        image: "ghcr.io/academy-labs/model-server:1.4.2",
        ready: true,
        restarts: 0,
        state: { state: "running", startedAt: "2026-12-02T05:55:01Z" },
        lastTermination: null,
        logs: { available: true, source: "current", lines: ["INFO: Uvicorn running on http://0.0.0.0:8080"], truncated: false },
        previousLogs: null,
      },
    ],
    events: [],
    problems: [],
    ...overrides,
  };
}

const render = (view: WorkloadsView | null, error = "", loading = false) => renderToStaticMarkup(createElement(WorkloadsBody, { view, loading, error }));

test("with no pods the card says so and how to get some", () => {
  const html = render(base);
  expect(html).toContain("No pods in your namespace yet. Apply your files");
  expect(html).toContain("No pods.");
  expect(render(null, "", true)).toContain("Reading your workloads…");
});

test("a crashing pod shows its status badge, restarts, the explanation, events and the last run's log", () => {
  const crashing = pod({
    status: "CrashLoopBackOff",
    ready: { ready: 0, total: 1 },
    restarts: 4,
    problems: ["Container “app” keeps crashing (CrashLoopBackOff, restarted 4 times): it last exited with code 1 (Error)."],
    events: [{ type: "Warning", reason: "BackOff", message: "Back-off restarting failed container app", count: 7, object: "Pod web-1", lastSeen: null, age: "5s" }],
  });
  crashing.containers[0]!.logs = { available: true, source: "last-run", lines: ["Traceback (most recent call last):", "ValueError: bad"], truncated: false };
  const html = render({ ...base, pods: [crashing] });
  expect(html).toContain('class="badge badge-bad" data-testid="pod-status">CrashLoopBackOff</span>');
  expect(html).toContain("4 restarts");
  expect(html).toContain("ready 0/1");
  expect(html).toContain("Deployment <code>web</code>");
  expect(html).toContain("keeps crashing (CrashLoopBackOff, restarted 4 times)");
  expect(html).toContain("<summary>Events (1)</summary>");
  expect(html).toContain("(Pod web-1, 7 times)");
  expect(html).toContain("(the run that ended)");
  expect(html).toContain("Traceback (most recent call last):\nValueError: bad</pre>");
  expect(summaryText({ ...base, pods: [crashing, pod({ name: "b" })] })).toBe("2 pods: 1 ready or done, 1 with a problem.");
});

test("text from the cluster is text: a log line or event with markup is escaped", () => {
  const evil = pod({ events: [{ type: "Normal", reason: "X", message: "<img src=x onerror=alert(1)>", count: 1, object: "Pod p", lastSeen: null, age: "" }] });
  evil.containers[0]!.logs = { available: true, source: "current", lines: ["<script>alert(1)</script>"], truncated: true };
  const html = render({ ...base, pods: [evil] });
  expect(html).not.toContain("<script>");
  expect(html).not.toContain("<img");
  expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  expect(html).toContain("Only the end of a long log is shown");
});

test("a pod on a simulated node says why it has no logs; a Deployment that cannot create pods shows once, with its problem", () => {
  const kwok = pod({ node: { kind: "simulated", name: "kwok-node-0" } });
  kwok.containers[0]!.logs = { available: false, reason: "No logs: this pod is on a simulated node, where containers are marked running without really running." };
  const html = render({
    ...base,
    pods: [kwok],
    workloads: [{ kind: "ReplicaSet", name: "big-7f9c", owner: { kind: "Deployment", name: "big" }, pods: 0, problems: ["ReplicaSet “big-7f9c” cannot create its pods: quota."], events: [] }],
  });
  expect(html).toContain("simulated node");
  expect(html).toContain("No logs: this pod is on a simulated node");
  expect(html).toContain("Deployment big</code>");
  expect(html).toContain(">no pods</span>");
  expect(html).toContain("cannot create its pods: quota.");
  expect(summaryText({ ...base, pods: [kwok], workloads: [{ kind: "ReplicaSet", name: "b", owner: null, pods: 1, problems: ["x"], events: [] }] })).toBe(
    "1 pod: 1 ready or done. 1 workload has a problem.",
  );
});

test("health: ready, completed, starting, failing", () => {
  expect(podHealth(pod({}))).toBe("ok");
  expect(podHealth(pod({ phase: "Succeeded", status: "Completed", ready: { ready: 0, total: 1 } }))).toBe("ok");
  expect(podHealth(pod({ phase: "Pending", status: "ContainerCreating", ready: { ready: 0, total: 1 } }))).toBe("progress");
  expect(podHealth(pod({ phase: "Failed", status: "Error" }))).toBe("bad");
  expect(podHealth(pod({ problems: ["x"] }))).toBe("bad");
});

test("fetchWorkloads: the view, the server's words, or a lost connection", async () => {
  const answer = (status: number, body: unknown) => (async () => new Response(JSON.stringify(body), { status })) as unknown as typeof fetch;
  expect(await fetchWorkloads("lab", { fetch: answer(200, { ok: true, view: base }) })).toEqual({ ok: true, view: base });
  expect(await fetchWorkloads("lab", { fetch: answer(409, { ok: false, code: "not-ready", error: "Still starting." }) })).toEqual({ ok: false, code: "not-ready", error: "Still starting." });
  expect(await fetchWorkloads("lab", { fetch: answer(502, "<html>") })).toEqual({ ok: false, code: "failed", error: "The server answered 502." });
  const lost = (async () => {
    throw new TypeError("fetch failed");
  }) as unknown as typeof fetch;
  expect(await fetchWorkloads("lab", { fetch: lost })).toMatchObject({ ok: false, code: "lost" });
});
