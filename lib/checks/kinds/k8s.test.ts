import { describe, expect, test } from "vitest";
import type { AnyObject } from "../types";
import { imageProblem, k8sKinds, parseQuantity } from "./k8s";
import { contextWith } from "./test-helpers";

function deployment(overrides: { container?: Record<string, unknown>; pod?: Record<string, unknown>; replicas?: number; status?: Record<string, unknown>; labels?: Record<string, string> } = {}): AnyObject {
  const labels = overrides.labels ?? { app: "model" };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "model-server", generation: 2 },
    spec: {
      replicas: overrides.replicas ?? 2,
      template: {
        metadata: { labels },
        spec: {
          ...overrides.pod,
          containers: [{ name: "server", image: "ghcr.io/x/model:1.0.0", ports: [{ name: "http", containerPort: 8080 }], ...overrides.container }],
        },
      },
    },
    status: overrides.status ?? { observedGeneration: 2, replicas: 2, availableReplicas: 2, updatedReplicas: 2 },
  };
}

const service = (selector: Record<string, string>, targetPort: number | string = "http"): AnyObject => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "model-server" },
  spec: { selector, ports: [{ port: 80, targetPort }] },
});

const pod = (labels: Record<string, string>): AnyObject => ({ apiVersion: "v1", kind: "Pod", metadata: { name: "p1", labels } });

async function run<K extends keyof typeof k8sKinds>(kind: K, params: unknown, objects: AnyObject[]) {
  const spec = k8sKinds[kind];
  return spec.run(spec.params.parse(params) as never, contextWith({}, objects));
}

test("exists passes for a present object and says how to fix a missing one", async () => {
  expect((await run("k8s.exists", { apiVersion: "apps/v1", kind: "Deployment", name: "model-server" }, [deployment()])).status).toBe("pass");
  const missing = await run("k8s.exists", { apiVersion: "v1", kind: "ConfigMap", name: "settings" }, [deployment()]);
  expect(missing.status).toBe("fail");
  expect(missing.message).toMatch(/no ConfigMap "settings".*Apply/);
});

test("field: equals, matches, range and present", async () => {
  const ref = { apiVersion: "apps/v1", kind: "Deployment", name: "model-server" };
  expect((await run("k8s.field", { ...ref, path: "spec.replicas", equals: 2 }, [deployment()])).status).toBe("pass");
  const wrong = await run("k8s.field", { ...ref, path: "spec.replicas", equals: 3 }, [deployment()]);
  expect(wrong.message).toContain("is 2; expected 3");
  expect((await run("k8s.field", { ...ref, path: "spec.template.spec.containers[0].image", matches: ":\\d+\\.\\d+\\.\\d+$" }, [deployment()])).status).toBe("pass");
  expect((await run("k8s.field", { ...ref, path: "spec.replicas", min: 3 }, [deployment()])).message).toContain("at least 3");
  expect((await run("k8s.field", { ...ref, path: "spec.paused", present: true }, [deployment()])).message).toContain("not set");
});

test("field params need a rule", () => {
  expect(k8sKinds["k8s.field"].params.safeParse({ apiVersion: "v1", kind: "Pod", name: "x", path: "spec" }).success).toBe(false);
});

describe("serviceSelects", () => {
  test("passes when the selector matches the pod template and pods exist", async () => {
    expect((await run("k8s.serviceSelects", { service: "model-server", deployment: "model-server" }, [deployment(), service({ app: "model" }), pod({ app: "model" })])).status).toBe("pass");
  });
  test("names the mismatched labels", async () => {
    const outcome = await run("k8s.serviceSelects", { service: "model-server", deployment: "model-server" }, [deployment(), service({ app: "model-server" })]);
    expect(outcome.status).toBe("fail");
    expect(outcome.message).toContain("selects app=model-server");
    expect(outcome.message).toContain("labelled app=model");
  });
  test("fails when the Deployment has no pods", async () => {
    const none = deployment({ status: { replicas: 0 } });
    expect((await run("k8s.serviceSelects", { service: "model-server", deployment: "model-server" }, [none, service({ app: "model" })])).message).toContain("no pod exists");
  });
  test("refuses a targetPort no container declares", async () => {
    const outcome = await run("k8s.serviceSelects", { service: "model-server", deployment: "model-server" }, [deployment(), service({ app: "model" }, 8000), pod({ app: "model" })]);
    expect(outcome.message).toContain("port 8000");
  });
});

test("rolloutComplete reports available of desired", async () => {
  const slow = deployment({ status: { observedGeneration: 2, availableReplicas: 1, updatedReplicas: 2 } });
  const outcome = await run("k8s.rolloutComplete", { deployment: "model-server", minReplicas: 2 }, [slow]);
  expect(outcome.status).toBe("fail");
  expect(outcome.message).toContain("1 of 2 replicas available");
  expect((await run("k8s.rolloutComplete", { deployment: "model-server", minReplicas: 2 }, [deployment()])).status).toBe("pass");
  expect((await run("k8s.rolloutComplete", { deployment: "model-server", minReplicas: 3 }, [deployment()])).message).toContain("at least 3");
});

test("probes must be on every container", async () => {
  const outcome = await run("k8s.probes", { deployment: "model-server" }, [deployment({ container: { readinessProbe: { httpGet: { path: "/ready", port: 8080 } } } })]);
  expect(outcome.status).toBe("fail");
  expect(outcome.message).toContain("no livenessProbe");
  expect(outcome.message).not.toContain("no readinessProbe");
});

test("resources: missing, over the bound, request above limit", async () => {
  const none = await run("k8s.resources", { deployment: "model-server" }, [deployment()]);
  expect(none.message).toContain("no cpu request");
  const big = await run("k8s.resources", { deployment: "model-server", maxCpu: "1", maxMemory: "1Gi" }, [
    deployment({ container: { resources: { requests: { cpu: "2", memory: "256Mi" }, limits: { cpu: "500m", memory: "2Gi" } } } }),
  ]);
  expect(big.message).toContain("requests 2 of cpu");
  expect(big.message).toContain("limits 2Gi of memory");
  expect(big.message).toContain("requests more cpu (2) than its limit (500m)");
  const ok = await run("k8s.resources", { deployment: "model-server", maxCpu: "1" }, [
    deployment({ container: { resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "256Mi" } } } }),
  ]);
  expect(ok.status).toBe("pass");
});

test("securityContext: every requirement, pod-level runAsNonRoot counts", async () => {
  const open = await run("k8s.securityContext", { deployment: "model-server" }, [deployment()]);
  expect(open.message).toMatch(/runAsNonRoot.*readOnlyRootFilesystem.*allowPrivilegeEscalation.*capabilities/s);
  const locked = deployment({
    pod: { securityContext: { runAsNonRoot: true, runAsUser: 10001 } },
    container: { securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } },
  });
  expect((await run("k8s.securityContext", { deployment: "model-server" }, [locked])).status).toBe("pass");
  const root = deployment({ pod: { securityContext: { runAsNonRoot: true, runAsUser: 0 } } });
  expect((await run("k8s.securityContext", { deployment: "model-server", require: ["runAsNonRoot"] }, [root])).message).toContain("runAsUser: 0");
});

test("image rules: latest, untagged, registry ports, digests", () => {
  expect(imageProblem("python:latest")).toMatch(/latest/);
  expect(imageProblem("python")).toMatch(/no tag/);
  expect(imageProblem("localhost:5000/model")).toMatch(/no tag/);
  expect(imageProblem("localhost:5000/model:1.2.3")).toBeNull();
  expect(imageProblem("model@sha256:" + "a".repeat(64))).toBeNull();
  expect(imageProblem("model:1.2.3", true)).toMatch(/digest/);
  expect(imageProblem("model@sha256:nothex")).toMatch(/not a sha256/);
});

test("configConsumed: exists but unused, then used through envFrom or a volume", async () => {
  const cm: AnyObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings" } };
  expect((await run("k8s.configConsumed", { deployment: "model-server", configMap: "settings" }, [deployment(), cm])).message).toContain("does not use it");
  expect((await run("k8s.configConsumed", { deployment: "model-server", configMap: "settings" }, [deployment({ container: { envFrom: [{ configMapRef: { name: "settings" } }] } }), cm])).status).toBe("pass");
  expect((await run("k8s.configConsumed", { deployment: "model-server", configMap: "settings" }, [deployment({ pod: { volumes: [{ name: "s", configMap: { name: "settings" } }] } }), cm])).status).toBe("pass");
  expect((await run("k8s.configConsumed", { deployment: "model-server", secret: "creds" }, [deployment()])).message).toContain('no Secret "creds"');
});

test("quantities", () => {
  expect(parseQuantity("250m")).toBeCloseTo(0.25);
  expect(parseQuantity("1Gi")).toBe(2 ** 30);
  expect(parseQuantity("512Mi")).toBeLessThan(parseQuantity("1G"));
  expect(parseQuantity("1e3")).toBe(1000);
  expect(parseQuantity("lots")).toBeNaN();
});
