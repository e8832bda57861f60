// One log read, on a stand-in for the API server: what the kubelet answers (text, a log that
// happens to be JSON, a log file already gone, a container not started, an unreachable node)
// always becomes a log view in words, and the read asks for the tail, a byte cap and, when
// planned, the previous run.
import { expect, test } from "vitest";
import { KubeApiError, type KubeClient } from "@/lib/k8s/client";
import { LOG_LIMIT_BYTES, LOG_TAIL_LINES, readLog } from "./workloads-view";

function clientAnswering(answer: () => unknown): KubeClient & { asked: Array<{ path: string; query: unknown }> } {
  const asked: Array<{ path: string; query: unknown }> = [];
  return {
    asked,
    pathFor: async (ref: { namespace?: string; name?: string }) => `/api/v1/namespaces/${ref.namespace}/pods/${ref.name}`,
    request: async (_method: string, path: string, options: { query?: unknown } = {}) => {
      asked.push({ path, query: options.query });
      return answer();
    },
  } as unknown as KubeClient & { asked: typeof asked };
}

const current = { read: true, source: "current", previous: false } as const;

test("a log is read as its last lines, with a byte cap, cleaned", async () => {
  const client = clientAnswering(() => "starting\n\u001b[31mfatal\u001b[0m: no model\n");
  expect(await readLog(client, "lab-x", "web-1", "app", current)).toEqual({ available: true, source: "current", lines: ["starting", "fatal: no model"], truncated: false });
  expect(client.asked).toEqual([
    { path: "/api/v1/namespaces/lab-x/pods/web-1/log", query: { container: "app", tailLines: LOG_TAIL_LINES, limitBytes: LOG_LIMIT_BYTES, previous: undefined } },
  ]);
  const previous = clientAnswering(() => "x");
  await readLog(previous, "lab-x", "web-1", "app", { read: true, source: "previous-run", previous: true });
  expect(previous.asked[0]!.query).toMatchObject({ previous: true });
});

test("a log that is one JSON value comes back as text, and a full cap says it was cut", async () => {
  expect(await readLog(clientAnswering(() => ({ level: "info", msg: "ready" })), "n", "p", "c", current)).toMatchObject({ lines: ['{"level":"info","msg":"ready"}'] });
  expect(await readLog(clientAnswering(() => "y\n".repeat(LOG_LIMIT_BYTES / 2)), "n", "p", "c", current)).toMatchObject({ truncated: true, lines: Array(LOG_TAIL_LINES).fill("y") });
});

test("every way a log cannot be had is said in words", async () => {
  const gone = clientAnswering(() => "unable to retrieve container logs for containerd://f4d8e14b4e3c");
  expect(await readLog(gone, "n", "p", "c", current)).toEqual({ available: false, reason: "The log of that run is gone (the node keeps only the latest ended run)." });
  expect(await readLog(clientAnswering(() => ""), "n", "p", "c", current)).toEqual({ available: false, reason: "The container has written nothing to its log." });
  const refuse = (status: number, message: string) =>
    clientAnswering(() => {
      throw new KubeApiError(status, message, "BadRequest", { message });
    });
  expect(await readLog(refuse(400, 'container "app" in pod "badimage" is waiting to start: trying and failing to pull image'), "n", "p", "c", current)).toEqual({
    available: false,
    reason: "No logs yet: the container has not started.",
  });
  expect(await readLog(refuse(404, 'pods "p" not found'), "n", "p", "c", current)).toEqual({ available: false, reason: "The pod is gone." });
  const unreachable = await readLog(refuse(500, 'Get "https://127.0.0.1:10250/containerLogs/n/p/c": dial tcp 127.0.0.1:10250: connect: connection refused'), "n", "p", "c", current);
  expect(unreachable).toEqual({ available: false, reason: "The log cannot be read right now; it may show on the next refresh." });
  expect(await readLog(clientAnswering(() => "never asked"), "n", "p", "c", { read: false, reason: "No logs yet: the pod has not been placed on a node." })).toEqual({
    available: false,
    reason: "No logs yet: the pod has not been placed on a node.",
  });
});
