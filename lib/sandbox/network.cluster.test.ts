// Network isolation, proven from inside pods on the real node: the sandbox NetworkPolicies are
// enforced (kube-router's policy controller, decision 014). Two real sandboxes, each with a web
// server behind a Service; a plain pod and a workspace pod in the first one try to reach
// everything they must not (the other sandbox, the API server, the host, the metadata address)
// and what they must (their own namespace, the cluster DNS, and for the workspace the API server).
// Needs the local cluster's real node (`npm run cluster -- start` as root).
import os from "node:os";
import { Writable } from "node:stream";
import { Exec } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { DatabaseHandle } from "@/lib/db/client";
import type { KubeClient, KubeObject } from "@/lib/k8s/client";
import { createLearners, testCluster, testInstallation } from "@/tests/support/cluster";
import { openTestDatabase } from "@/tests/support/databases";
import { eventually } from "@/tests/support/waiting";
import { startSandbox, stopSandbox } from "./lifecycle";
import { WORKSPACE_POD_LABEL } from "./manifests";
import { readClusterEndpoints } from "./platform";
import { removeClusterPolicies } from "./policies";
import type { SandboxDTO } from "./queries";
import type { SandboxDeps } from "./results";

const IMAGE = "ghcr.io/academy-labs/workspace:1.0.0";

let handle: DatabaseHandle;
let admin: KubeClient;
let deps: SandboxDeps;
let learners: Array<{ id: string }>;
let a: SandboxDTO;
let b: SandboxDTO;
const ips: Record<string, string> = {};
const serviceIps: Record<string, string> = {};

type Pod = KubeObject & { status?: { phase?: string; podIP?: string; conditions?: { type: string; status: string }[] } };

const securityContext = {
  runAsNonRoot: true,
  runAsUser: 10001,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

function pod(namespace: string, name: string, labels: Record<string, string>, command: string[], readyPort?: number): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace, labels },
    spec: {
      terminationGracePeriodSeconds: 1,
      automountServiceAccountToken: false,
      containers: [{
        name: "main",
        image: IMAGE,
        command,
        resources: { requests: { cpu: "20m", memory: "32Mi" }, limits: { cpu: "200m", memory: "96Mi" } },
        securityContext,
        // A readiness probe from kubelet: traffic from the node must still reach pods under default-deny.
        ...(readyPort ? { readinessProbe: { tcpSocket: { port: readyPort }, periodSeconds: 2 } } : {}),
      }],
    },
  } as KubeObject;
}

const web = (namespace: string) => pod(namespace, "web", { app: "web" }, ["python3", "-m", "http.server", "8080", "--directory", "/usr/share"], 8080);
const sleeper = (namespace: string, name: string, labels: Record<string, string>) => pod(namespace, name, labels, ["sleep", "3600"]);

async function ready(namespace: string, name: string): Promise<Pod> {
  return eventually(`pod ${namespace}/${name} ready`, async () => {
    const p = await admin.get<Pod>({ apiVersion: "v1", kind: "Pod", namespace, name });
    return p?.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ? p : undefined;
  }, 120_000);
}

/** Runs a shell command in a pod; its exit code and output. */
async function sh(namespace: string, name: string, script: string): Promise<{ code: number; out: string }> {
  let out = "";
  const sink = new Writable({ write(chunk, _enc, done) { out += String(chunk); done(); } });
  const code = await new Promise<number>((resolve, reject) => {
    void new Exec(admin.kubeConfig)
      .exec(namespace, name, "main", ["sh", "-c", script], sink, sink, null, false, (status) => {
        if (status.status === "Success") return resolve(0);
        const cause = status.details?.causes?.find((c) => c.reason === "ExitCode");
        if (cause?.message) resolve(Number(cause.message));
        else reject(new Error(`exec failed: ${JSON.stringify(status)}`));
      })
      .catch(reject);
  });
  return { code, out: out.trim() };
}

/** The HTTP status curl got (000 when nothing answered), with a short timeout. */
async function httpStatus(namespace: string, from: string, url: string): Promise<string> {
  const r = await sh(namespace, from, `curl -sk -o /dev/null -m 4 -w '%{http_code}' '${url}'; true`);
  return r.out;
}

beforeAll(async () => {
  admin = testCluster();
  deps = { cluster: admin, installation: testInstallation("net") };
  handle = await openTestDatabase("pglite");
  learners = await createLearners(handle.db, 2);
  const started = await Promise.all(
    learners.map((l, i) => startSandbox(handle.db, l, { labId: `network-${i ? "b" : "a"}`, placement: "real" }, () => {}, deps)),
  );
  if (!started[0]?.ok || !started[1]?.ok) throw new Error(`sandboxes did not start: ${JSON.stringify(started)}`);
  a = started[0].sandbox;
  b = started[1].sandbox;
  for (const s of [a, b]) {
    await admin.apply(web(s.namespace));
    await admin.apply({
      apiVersion: "v1", kind: "Service", metadata: { name: "web", namespace: s.namespace },
      spec: { selector: { app: "web" }, ports: [{ port: 80, targetPort: 8080 }] },
    } as KubeObject);
  }
  for (const s of [a, b]) await admin.apply(sleeper(s.namespace, "probe", { app: "probe" }));
  await admin.apply(sleeper(a.namespace, "workspace", { [WORKSPACE_POD_LABEL.key]: WORKSPACE_POD_LABEL.value }));
  for (const s of [a, b]) {
    ips[s.namespace] = (await ready(s.namespace, "web")).status!.podIP!;
    const svc = await admin.get<KubeObject & { spec: { clusterIP: string } }>({ apiVersion: "v1", kind: "Service", namespace: s.namespace, name: "web" });
    serviceIps[s.namespace] = svc!.spec.clusterIP;
    await ready(s.namespace, "probe");
    // A Ready pod is not yet a Service that routes to it: the endpoints reach kube-proxy (and the
    // pod's address kube-router's sets) a moment later, longer on a busy node. Wait until each
    // sandbox's own probe gets an answer through its Service's name, so that a "000" from the
    // other sandbox below means the policy refused it, not that the Service was not ready yet.
    await eventually(`${s.namespace}'s Service answering its own probe`, async () =>
      (await httpStatus(s.namespace, "probe", `http://web.${s.namespace}.svc.cluster.local/`)) === "200" || undefined, 90_000);
  }
  await ready(a.namespace, "workspace");
}, 300_000);

afterAll(async () => {
  if (handle && learners) {
    await Promise.all([
      a && stopSandbox(handle.db, learners[0]!, a.id, () => {}, deps),
      b && stopSandbox(handle.db, learners[1]!, b.id, () => {}, deps),
    ]);
  }
  if (admin && deps?.installation) await removeClusterPolicies(admin, deps.installation);
  await handle?.close();
});

describe("from a pod in sandbox A on the real node", () => {
  test("its own namespace is reachable, by pod address and by Service name (cluster DNS works)", async () => {
    expect(await httpStatus(a.namespace, "probe", `http://${ips[a.namespace]}:8080/`)).toBe("200");
    expect(await httpStatus(a.namespace, "probe", `http://web.${a.namespace}.svc.cluster.local/`)).toBe("200");
    const dns = await sh(a.namespace, "probe", "getent hosts kubernetes.default.svc.cluster.local");
    expect(dns.code).toBe(0);
    expect(dns.out).toContain("198.19.0.1");
  });

  test("sandbox B's pod and Service are unreachable, though B's server answers its own namespace", async () => {
    // B's server is up (its readiness probe passed, so kubelet reaches it) ...
    expect(await httpStatus(a.namespace, "probe", `http://${ips[b.namespace]}:8080/`)).toBe("000");
    expect(await httpStatus(a.namespace, "probe", `http://${serviceIps[b.namespace]}/`)).toBe("000");
    expect(await httpStatus(a.namespace, "probe", `http://web.${b.namespace}.svc.cluster.local/`)).toBe("000");
  });

  test("the API server is unreachable, by its Service and by its endpoints", async () => {
    expect(await httpStatus(a.namespace, "probe", "https://kubernetes.default.svc/version")).toBe("000");
    const endpoints = await readClusterEndpoints(admin);
    expect(endpoints.apiServer.length).toBeGreaterThan(0);
    for (const e of endpoints.apiServer) expect(await httpStatus(a.namespace, "probe", `https://${e.address}:${e.port}/version`)).toBe("000");
  });

  test("the host and the cloud metadata address are unreachable", async () => {
    expect(await httpStatus(a.namespace, "probe", "http://169.254.169.254/latest/meta-data/")).toBe("000");
    const hostAddresses = Object.values(os.networkInterfaces()).flat()
      .filter((i) => i && i.family === "IPv4" && !i.internal)
      .map((i) => i!.address);
    expect(hostAddresses.length).toBeGreaterThan(0);
    for (const address of hostAddresses) {
      // The API server relay and the registry relay listen on the link's host address; nothing answers a pod on any of them.
      for (const port of [6443, 5000, 22, 3000]) expect(await httpStatus(a.namespace, "probe", `http://${address}:${port}/`), `${address}:${port}`).toBe("000");
    }
  });
});

describe("from the workspace pod in sandbox A", () => {
  test("the API server answers (kubectl's way in), and nothing else outside the sandbox does", async () => {
    // Any HTTP status (401 without a token) means the API server was reached.
    expect(await httpStatus(a.namespace, "workspace", "https://kubernetes.default.svc/version")).toMatch(/^[1-5]\d\d$/);
    expect(await httpStatus(a.namespace, "workspace", `http://${ips[b.namespace]}:8080/`)).toBe("000");
    expect(await httpStatus(a.namespace, "workspace", `http://${ips[a.namespace]}:8080/`)).toBe("200");
  });
});
