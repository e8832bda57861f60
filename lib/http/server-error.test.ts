import { expect, test } from "vitest";
import { ClusterUnreachable, KubeApiError } from "@/lib/k8s/errors";
import { clusterFailure } from "@/lib/sandbox/results";
import { CLUSTER_UNREACHABLE, reportServerError } from "./server-error";

test("the details go to the log under a request id; the person gets the situation and the id", () => {
  const logged: unknown[][] = [];
  const detail = new Error("ENOENT: no such file or directory, open '/home/ada/.academy-data/cluster/admin.kubeconfig'");
  const reported = reportServerError("The database is not available.", "health check", detail, { log: (...args) => logged.push(args) });
  expect(reported.requestId).toMatch(/^[0-9a-f-]{36}$/);
  expect(reported.error).toBe(`The database is not available. If it keeps happening, tell your instructor the request id ${reported.requestId}.`);
  expect(logged).toEqual([[`request ${reported.requestId}: health check:`, detail]]);
});

test("a cluster failure tells the learner neither the kubeconfig path, the address nor the API server's words", () => {
  const original = console.error;
  const logged: unknown[][] = [];
  console.error = (...args: unknown[]) => logged.push(args);
  try {
    const unreachable = clusterFailure(new ClusterUnreachable("https://10.0.0.7:6443", "no kubeconfig at /srv/academy/data/cluster/admin.kubeconfig"));
    expect(unreachable).toMatchObject({ ok: false, code: "cluster-unreachable", error: expect.stringMatching(new RegExp(`^${escape(CLUSTER_UNREACHABLE)} If it keeps happening, tell your instructor the request id [0-9a-f-]{36}\\.$`)) });
    expect(unreachable.error).not.toMatch(/kubeconfig|10\.0\.0\.7|\/srv/);

    const refused = clusterFailure(new KubeApiError(500, "etcdserver: leader changed at 10.0.0.9:2379", "InternalError", {}));
    expect(refused).toMatchObject({ ok: false, code: "failed", error: expect.stringContaining("The cluster refused to change your sandbox") });
    expect(refused.error).not.toMatch(/etcd|10\.0\.0\.9/);

    // Both are in the log, each under the id its learner was given.
    const ids = [unreachable, refused].map((f) => /request id ([0-9a-f-]{36})/.exec(f.error)![1]);
    expect(logged.map(([line]) => /request ([0-9a-f-]{36}):/.exec(String(line))?.[1])).toEqual(ids);
    expect(String((logged[0]![1] as Error).message)).toContain("/srv/academy/data/cluster/admin.kubeconfig");
    expect(String((logged[1]![1] as Error).message)).toContain("etcdserver: leader changed");
  } finally {
    console.error = original;
  }
  // Anything else is not a cluster failure: it is rethrown for error.tsx or the stream's handler.
  expect(() => clusterFailure(new TypeError("bug"))).toThrow("bug");
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
