// Where a sandbox's pods run is the platform's choice, enforced by the API server: a "real"
// sandbox's pods land on the real node and really run (the learner reads their real logs), a
// "simulated" one's on KWOK nodes, and a learner's own nodeSelector cannot move them.
// Needs the local cluster's real node (`npm run cluster -- start` as root).
import net from "node:net";
import { Writable } from "node:stream";
import { Exec, KubeConfig, PortForward } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { DatabaseHandle } from "@/lib/db/client";
import { learnerClient, type KubeClient, type KubeObject } from "@/lib/k8s/client";
import { createLearners, testCluster, testInstallation } from "@/tests/support/cluster";
import { openTestDatabase } from "@/tests/support/databases";
import { learnerKubeconfig } from "./kubeconfig";
import { startSandbox, stopSandbox } from "./lifecycle";
import { removeClusterPolicies } from "./policies";
import type { SandboxDTO } from "./queries";
import type { SandboxDeps } from "./results";

let handle: DatabaseHandle;
let admin: KubeClient;
let deps: SandboxDeps;
let learners: Array<{ id: string }>;
let real: SandboxDTO;
let simulated: SandboxDTO;

const container = {
  name: "app",
  image: "docker.io/library/python:3.11-slim",
  command: ["python3", "-c", "import os, time; print('hello from uid', os.getuid(), flush=True); time.sleep(600)"],
  resources: { requests: { cpu: "50m", memory: "32Mi" }, limits: { cpu: "200m", memory: "64Mi" } },
  securityContext: { runAsNonRoot: true, runAsUser: 10001, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } },
};

function deployment(namespace: string, name: string, extraSpec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { terminationGracePeriodSeconds: 1, containers: [container], ...extraSpec } },
    },
  } as KubeObject;
}

type Pod = KubeObject & {
  spec: { nodeName?: string; tolerations?: unknown[] };
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
};

async function podOf(me: KubeClient, namespace: string, app: string, until: (p: Pod) => boolean, timeoutMs = 60_000): Promise<Pod> {
  const deadline = Date.now() + timeoutMs;
  let last: Pod | undefined;
  while (Date.now() < deadline) {
    last = (await me.list<Pod>("v1", "Pod", { namespace, labelSelector: `app=${app}` }))[0];
    if (last && until(last)) return last;
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`no pod of ${app} reached the expected state; last: ${JSON.stringify(last?.status ?? null)}`);
}

beforeAll(async () => {
  admin = testCluster();
  deps = { cluster: admin, installation: testInstallation("place") };
  handle = await openTestDatabase("pglite");
  learners = await createLearners(handle.db, 2);
  const [a, b] = await Promise.all([
    startSandbox(handle.db, learners[0]!, { labId: "placement-real", placement: "real" }, () => {}, deps),
    startSandbox(handle.db, learners[1]!, { labId: "placement-simulated" }, () => {}, deps),
  ]);
  if (!a?.ok || !b?.ok) throw new Error(`sandboxes did not start: ${JSON.stringify([a, b])}`);
  real = a.sandbox;
  simulated = b.sandbox;
});

afterAll(async () => {
  if (handle && learners) {
    await Promise.all([
      real && stopSandbox(handle.db, learners[0]!, real.id, () => {}, deps),
      simulated && stopSandbox(handle.db, learners[1]!, simulated.id, () => {}, deps),
    ]);
  }
  if (admin && deps?.installation) await removeClusterPolicies(admin, deps.installation);
  await handle?.close();
});

describe("sandbox placement", { timeout: 120_000 }, () => {
  test("a real sandbox's pods run on the real node, and the learner reads their real logs", async () => {
    const me = learnerClient(admin, real.namespace);
    await me.apply(deployment(real.namespace, "hello"));
    const pod = await podOf(me, real.namespace, "hello", (p) => p.status?.phase === "Running");
    expect(pod.spec.nodeName).toBe("academy-node");
    expect(pod.spec.tolerations).toContainEqual(expect.objectContaining({ key: "academy.dev/node", value: "real", effect: "NoSchedule" }));
    const deadline = Date.now() + 20_000;
    let log = "";
    while (!log.includes("hello") && Date.now() < deadline) {
      log = String(await me.request("GET", `/api/v1/namespaces/${real.namespace}/pods/${pod.metadata.name}/log`).catch(() => ""));
      if (!log.includes("hello")) await new Promise((r) => setTimeout(r, 300));
    }
    expect(log).toContain("hello from uid 10001");
  });

  test("a learner's nodeSelector cannot move a real sandbox's pods to a KWOK node", async () => {
    const me = learnerClient(admin, real.namespace);
    // The API server adds the namespace's selector to the pod's own: no node has both labels.
    await me.apply(deployment(real.namespace, "elsewhere", { nodeSelector: { type: "kwok" } }));
    const pod = await podOf(me, real.namespace, "elsewhere", () => true);
    const deadline = Date.now() + 30_000;
    let message = "";
    while (!message && Date.now() < deadline) {
      const events = await me.list<KubeObject & { reason?: string; message?: string; involvedObject?: { name?: string } }>("v1", "Event", { namespace: real.namespace });
      message = events.find((e) => e.reason === "FailedScheduling" && e.involvedObject?.name === pod.metadata.name)?.message ?? "";
      if (!message) await new Promise((r) => setTimeout(r, 300));
    }
    expect(message).toMatch(/didn't match Pod's node affinity\/selector/);
    const again = await podOf(me, real.namespace, "elsewhere", () => true);
    expect(again.spec.nodeName).toBeUndefined();
  });

  test("the learner debugs with their own kubeconfig: logs, exec and port-forward reach the real container", async () => {
    const me = learnerClient(admin, real.namespace);
    // Ready, not just Running: the server must listen before a forwarded connection can reach it.
    await me.apply(deployment(real.namespace, "web", {
      containers: [{
        ...container,
        command: ["python3", "-m", "http.server", "8000", "--directory", "/usr/share"],
        readinessProbe: { tcpSocket: { port: 8000 }, periodSeconds: 1 },
      }],
    }));
    const pod = await podOf(me, real.namespace, "web", (p) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false, 90_000);
    const issued = await learnerKubeconfig(handle.db, learners[0]!, real.id, {}, deps);
    if (!issued.ok) throw new Error(issued.error);
    const kc = new KubeConfig();
    kc.loadFromString(issued.kubeconfig);

    let stdout = "";
    const sink = new Writable({ write(chunk, _enc, done) { stdout += String(chunk); done(); } });
    await new Promise<void>((resolve, reject) => {
      void new Exec(kc).exec(real.namespace, pod.metadata.name, "app", ["id", "-u"], sink, null, null, false, (status) => {
        if (status.status === "Success") resolve();
        else reject(new Error(JSON.stringify(status)));
      }).catch(reject);
    });
    expect(stdout.trim()).toBe("10001");

    const forward = new PortForward(kc);
    // A refused forward arrives on the error stream and leaves the WebSocket open: end the local
    // connection then (and when the WebSocket closes), so the fetch below fails and is retried
    // instead of waiting forever.
    const server = net.createServer((socket) => {
      const refused = new Writable({ write(chunk: Buffer, _enc, done) { if (chunk.length > 0) socket.destroy(); done(); } });
      forward.portForward(real.namespace, pod.metadata.name, [8000], socket, refused, socket)
        .then((ws) => { if (ws && "on" in ws) (ws as { on(event: "close", listener: () => void): void }).on("close", () => socket.destroy()); })
        .catch(() => socket.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const port = (server.address() as net.AddressInfo).port;
      let body = "";
      const deadline = Date.now() + 20_000;
      while (!body.includes("Directory listing") && Date.now() < deadline) {
        body = await fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(5_000) }).then((r) => r.text(), () => "");
        if (!body.includes("Directory listing")) await new Promise((r) => setTimeout(r, 500));
      }
      expect(body).toContain("Directory listing for /");
    } finally {
      server.close();
    }
  });

  test("a simulated sandbox's pods stay on KWOK nodes, even when they ask for the real node", async () => {
    const me = learnerClient(admin, simulated.namespace);
    await me.apply(deployment(simulated.namespace, "sim"));
    const pod = await podOf(me, simulated.namespace, "sim", (p) => !!p.spec.nodeName);
    expect(pod.spec.nodeName).toMatch(/^kwok-node-/);
    await me.apply(deployment(simulated.namespace, "sneaky", {
      nodeSelector: { "academy.dev/node": "real" },
      tolerations: [{ key: "academy.dev/node", operator: "Equal", value: "real", effect: "NoSchedule" }],
    }));
    await new Promise((r) => setTimeout(r, 3000));
    const sneaky = await me.list<Pod>("v1", "Pod", { namespace: simulated.namespace, labelSelector: "app=sneaky" });
    expect(sneaky.every((p) => p.spec.nodeName !== "academy-node")).toBe(true);
  });
});
