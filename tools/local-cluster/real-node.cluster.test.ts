// The local cluster's real node, tested from the outside: pods really run (exit codes, logs, memory
// limits), Services route and resolve by name, exec works through the API server, and pods reach
// nothing off the machine nor anything on the host but the API server and DNS.
// Kubeconfig: $ACADEMY_TEST_KUBECONFIG, else .academy-data/cluster/admin.kubeconfig.
import fs from "node:fs";
import path from "node:path";
import { Writable } from "node:stream";
import { AppsV1Api, BatchV1Api, CoreV1Api, Exec, KubeConfig, type V1Container, type V1Node, type V1Pod } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "@/tests/support/waiting";

const kubeconfigPath = path.resolve(process.env.ACADEMY_TEST_KUBECONFIG || path.join(".academy-data", "cluster", "admin.kubeconfig"));
const ns = `test-real-node-${Date.now().toString(36)}`;
const PYTHON = "docker.io/library/python:3.11-slim";
const MODEL_SERVER = "ghcr.io/academy-labs/model-server:1.4.2";

let kc: KubeConfig;
let core: CoreV1Api;
let apps: AppsV1Api;
let batch: BatchV1Api;
let node: V1Node;


/** A container that meets the `restricted` Pod Security level. */
function locked(c: V1Container): V1Container {
  return {
    ...c,
    securityContext: { runAsNonRoot: true, runAsUser: 10001, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } },
  };
}

const onRealNode = {
  nodeSelector: { "academy.dev/node": "real" },
  tolerations: [{ key: "academy.dev/node", operator: "Equal", value: "real", effect: "NoSchedule" }],
  terminationGracePeriodSeconds: 1,
  automountServiceAccountToken: false,
};

async function runPod(name: string, script: string, extra: Partial<V1Container> = {}): Promise<V1Pod> {
  await core.createNamespacedPod({
    namespace: ns,
    body: { metadata: { name }, spec: { ...onRealNode, restartPolicy: "Never", containers: [locked({ name: "main", image: PYTHON, command: ["python3", "-c", script], ...extra })] } },
  });
  return eventually(`pod ${name} to finish`, async () => {
    const p = await core.readNamespacedPod({ name, namespace: ns });
    return p.status?.phase === "Succeeded" || p.status?.phase === "Failed" ? p : undefined;
  }, 90_000);
}

async function logs(name: string): Promise<string> {
  return String(await core.readNamespacedPodLog({ name, namespace: ns }));
}

describe("the real node", { timeout: 180_000 }, () => {
  beforeAll(async () => {
    if (!fs.existsSync(kubeconfigPath)) throw new Error(`no kubeconfig at ${kubeconfigPath}: start the cluster with \`npm run cluster -- start\``);
    kc = new KubeConfig();
    kc.loadFromFile(kubeconfigPath);
    core = kc.makeApiClient(CoreV1Api);
    apps = kc.makeApiClient(AppsV1Api);
    batch = kc.makeApiClient(BatchV1Api);
    const nodes = await core.listNode({ labelSelector: "academy.dev/node=real" });
    const found = nodes.items[0];
    if (!found) {
      throw new Error("the cluster has no node labelled academy.dev/node=real: `npm run cluster -- status` says whether the real node runs and, in its start output, why not");
    }
    node = found;
    await core.createNamespace({
      body: { metadata: { name: ns, labels: { "pod-security.kubernetes.io/enforce": "restricted", "academy.dev/test": "true" } } },
    });
  });

  afterAll(async () => {
    await core?.deleteNamespace({ name: ns }).catch(() => undefined);
  });

  it("is Ready, labelled and tainted so only chosen pods land on it", () => {
    expect(node.metadata?.name).toBe("academy-node");
    expect(node.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
    expect(node.spec?.taints).toContainEqual(expect.objectContaining({ key: "academy.dev/node", value: "real", effect: "NoSchedule" }));
    expect(node.status?.nodeInfo?.containerRuntimeVersion).toMatch(/^containerd:\/\//);
  });

  it("runs a container for real: its output, its exit code, its user", async () => {
    const ok = await runPod("prints", "import os; print('sum', sum(range(10)), 'uid', os.getuid())");
    expect(ok.status?.phase).toBe("Succeeded");
    expect(await logs("prints")).toContain("sum 45 uid 10001");
    const failed = await runPod("exits-3", "import sys; print('bad input', file=sys.stderr); sys.exit(3)");
    expect(failed.status?.phase).toBe("Failed");
    expect(failed.status?.containerStatuses?.[0]?.state?.terminated?.exitCode).toBe(3);
  });

  it("enforces a memory limit: a container that allocates past it is OOMKilled", async () => {
    const pod = await runPod("hungry", "b = bytearray(200 * 1024 * 1024); print(len(b))", {
      resources: { requests: { memory: "32Mi", cpu: "50m" }, limits: { memory: "48Mi", cpu: "500m" } },
    });
    expect(pod.status?.phase).toBe("Failed");
    expect(pod.status?.containerStatuses?.[0]?.state?.terminated?.reason).toBe("OOMKilled");
  });

  it("routes Services by name, gates them on readiness, and answers through the API server's service proxy", async () => {
    const labels = { app: "model-server" };
    await apps.createNamespacedDeployment({
      namespace: ns,
      body: {
        metadata: { name: "model-server" },
        spec: {
          replicas: 1,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: { ...onRealNode, containers: [locked({ name: "server", image: MODEL_SERVER, ports: [{ name: "http", containerPort: 8080 }], readinessProbe: { httpGet: { path: "/ready", port: "http" }, periodSeconds: 1 } })] },
          },
        },
      },
    });
    await core.createNamespacedService({ namespace: ns, body: { metadata: { name: "model-server" }, spec: { selector: labels, ports: [{ port: 80, targetPort: "http" }] } } });
    await eventually("the model server to be ready", async () => {
      const d = await apps.readNamespacedDeployment({ name: "model-server", namespace: ns });
      return d.status?.readyReplicas === 1 ? true : undefined;
    }, 120_000);
    const viaProxy = await eventually("the service proxy to answer", async () => {
      const text = await core.connectGetNamespacedServiceProxyWithPath({ name: "model-server:80", namespace: ns, path: "healthz" });
      return typeof text === "string" ? text : JSON.stringify(text);
    });
    expect(viaProxy).toContain('"status":"ok"');
    // kube-proxy programs a Service's endpoints a moment after the pod turns Ready: the client retries for a while.
    const client = await runPod("client", [
      "import json, time, urllib.request",
      "for attempt in range(40):",
      "    try:",
      `        r = urllib.request.urlopen(urllib.request.Request('http://model-server.${ns}.svc.cluster.local/predict', data=json.dumps({'tenure_months': 3, 'monthly_charges': 95.0, 'contract': 'month-to-month'}).encode(), headers={'content-type': 'application/json'}), timeout=5)`,
      "        break",
      "    except OSError as e:",
      "        print('attempt', attempt, e); time.sleep(0.5)",
      "print('status', r.status, json.loads(r.read()))",
    ].join("\n"));
    const out = await logs("client");
    expect(client.status?.phase, out).toBe("Succeeded");
    expect(out).toMatch(/status 200 .*'churn_probability': 0\.\d+/);
  });

  it("keeps pods in: nothing off the machine, nothing on the host but the API server and DNS", async () => {
    const hostIp = node.status?.addresses?.find((a) => a.type === "InternalIP")?.address ?? "";
    expect(hostIp).toMatch(/^198\.19\.254\./);
    const pod = await runPod("egress", [
      "import socket",
      "def probe(host, port):",
      "    try:",
      "        socket.create_connection((host, port), timeout=2).close(); return 'open'",
      "    except OSError as e:",
      "        return type(e).__name__ + ':' + str(e.errno)",
      "print('offsite', probe('198.51.100.7', 80))",
      `print('registry', probe('${hostIp}', 5000))`,
      `print('kubelet', probe('${hostIp}', 10250))`,
      "print('apiserver', probe('kubernetes.default.svc.cluster.local', 443))",
    ].join("\n"));
    const out = await logs("egress");
    expect(pod.status?.phase, out).toBe("Succeeded");
    expect(out).toMatch(/offsite OSError:101/); // ENETUNREACH: no route off the machine
    expect(out).toMatch(/registry (TimeoutError|timeout)/);
    expect(out).toMatch(/kubelet (TimeoutError|timeout)/);
    expect(out).toContain("apiserver open");
  });

  it("execs into a running container through the API server and kubelet", async () => {
    await core.createNamespacedPod({
      namespace: ns,
      body: { metadata: { name: "sleeper" }, spec: { ...onRealNode, containers: [locked({ name: "main", image: PYTHON, command: ["sleep", "300"] })] } },
    });
    await eventually("the sleeper to run", async () => ((await core.readNamespacedPod({ name: "sleeper", namespace: ns })).status?.phase === "Running" ? true : undefined));
    let stdout = "";
    const sink = new Writable({ write(chunk, _enc, done) { stdout += String(chunk); done(); } });
    await new Promise<void>((resolve, reject) => {
      void new Exec(kc).exec(ns, "sleeper", "main", ["id", "-u"], sink, null, null, false, (status) => {
        if (status.status === "Success") resolve();
        else reject(new Error(JSON.stringify(status)));
      }).catch(reject);
    });
    expect(stdout.trim()).toBe("10001");
  });

  it("runs a Job to completion", async () => {
    await batch.createNamespacedJob({
      namespace: ns,
      body: {
        metadata: { name: "count" },
        spec: { backoffLimit: 0, template: { spec: { ...onRealNode, restartPolicy: "Never", containers: [locked({ name: "main", image: PYTHON, command: ["python3", "-c", "print('rows', 3)"] })] } } },
      },
    });
    const job = await eventually("the Job to complete", async () => {
      const j = await batch.readNamespacedJob({ name: "count", namespace: ns });
      return (j.status?.succeeded ?? 0) > 0 || (j.status?.failed ?? 0) > 0 ? j : undefined;
    }, 90_000);
    expect(job.status?.succeeded).toBe(1);
  });
});
