import { describe, expect, test } from "vitest";
import type { AnyObject } from "../types";
import { imageProblem, k8sKinds, parseQuantity } from "./k8s";
import { containersOf, podTemplateOf } from "../workloads";
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

const DEP = { kind: "Deployment", name: "model-server" } as const;

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
    expect((await run("k8s.serviceSelects", { service: "model-server", workload: DEP }, [deployment(), service({ app: "model" }), pod({ app: "model" })])).status).toBe("pass");
  });
  test("names the mismatched labels", async () => {
    const outcome = await run("k8s.serviceSelects", { service: "model-server", workload: DEP }, [deployment(), service({ app: "model-server" })]);
    expect(outcome.status).toBe("fail");
    expect(outcome.message).toContain("selects app=model-server");
    expect(outcome.message).toContain("labelled app=model");
  });
  test("fails when the Deployment has no pods", async () => {
    const none = deployment({ status: { replicas: 0 } });
    expect((await run("k8s.serviceSelects", { service: "model-server", workload: DEP }, [none, service({ app: "model" })])).message).toContain("no pod exists");
  });
  test("refuses a targetPort no container declares", async () => {
    const outcome = await run("k8s.serviceSelects", { service: "model-server", workload: DEP }, [deployment(), service({ app: "model" }, 8000), pod({ app: "model" })]);
    expect(outcome.message).toContain("port 8000");
  });
});

test("rolloutComplete reports available of desired", async () => {
  const slow = deployment({ status: { observedGeneration: 2, availableReplicas: 1, updatedReplicas: 2 } });
  const outcome = await run("k8s.rolloutComplete", { workload: DEP, minReplicas: 2 }, [slow]);
  expect(outcome.status).toBe("fail");
  expect(outcome.message).toContain("1 of 2 replicas available");
  expect((await run("k8s.rolloutComplete", { workload: DEP, minReplicas: 2 }, [deployment()])).status).toBe("pass");
  expect((await run("k8s.rolloutComplete", { workload: DEP, minReplicas: 3 }, [deployment()])).message).toContain("at least 3");
});

test("probes must be on every container", async () => {
  const outcome = await run("k8s.probes", { workload: DEP }, [deployment({ container: { readinessProbe: { httpGet: { path: "/ready", port: 8080 } } } })]);
  expect(outcome.status).toBe("fail");
  expect(outcome.message).toContain("no livenessProbe");
  expect(outcome.message).not.toContain("no readinessProbe");
});

test("resources: missing, over the bound, request above limit", async () => {
  const none = await run("k8s.resources", { workload: DEP }, [deployment()]);
  expect(none.message).toContain("no cpu request");
  const big = await run("k8s.resources", { workload: DEP, maxCpu: "1", maxMemory: "1Gi" }, [
    deployment({ container: { resources: { requests: { cpu: "2", memory: "256Mi" }, limits: { cpu: "500m", memory: "2Gi" } } } }),
  ]);
  expect(big.message).toContain("requests 2 of cpu");
  expect(big.message).toContain("limits 2Gi of memory");
  expect(big.message).toContain("requests more cpu (2) than its limit (500m)");
  const ok = await run("k8s.resources", { workload: DEP, maxCpu: "1" }, [
    deployment({ container: { resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "256Mi" } } } }),
  ]);
  expect(ok.status).toBe("pass");
});

test("securityContext: every requirement, pod-level runAsNonRoot counts", async () => {
  const open = await run("k8s.securityContext", { workload: DEP }, [deployment()]);
  expect(open.message).toMatch(/runAsNonRoot.*readOnlyRootFilesystem.*allowPrivilegeEscalation.*capabilities/s);
  const locked = deployment({
    pod: { securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } } },
    container: { securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } },
  });
  expect((await run("k8s.securityContext", { workload: DEP }, [locked])).status).toBe("pass");
  const root = deployment({ pod: { securityContext: { runAsNonRoot: true, runAsUser: 0 } } });
  expect((await run("k8s.securityContext", { workload: DEP, require: ["runAsNonRoot"] }, [root])).message).toContain("runAsUser: 0");
});

test("image rules: latest, untagged, registry ports, digests", () => {
  expect(imageProblem("python:latest")).toMatch(/latest/);
  expect(imageProblem("python")).toMatch(/no tag/);
  expect(imageProblem("localhost:5000/model")).toMatch(/no tag/);
  expect(imageProblem("localhost:5000/model:1.2.3")).toBeNull();
  expect(imageProblem("model@sha256:" + "a".repeat(64))).toBeNull();
  expect(imageProblem("model:1.2.3", true)).toMatch(/digest/);
  expect(imageProblem("model@sha256:nothex")).toMatch(/not a sha256/);
  expect(imageProblem("python:slim")).toMatch(/tag slim, a name that moves/);
  expect(imageProblem("python:bookworm")).toMatch(/moves/);
  expect(imageProblem("python:3.12.7-slim-bookworm")).toBeNull();
});

test("configConsumed: exists but unused, then used through envFrom or a volume", async () => {
  const cm: AnyObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings" } };
  expect((await run("k8s.configConsumed", { workload: DEP, configMap: "settings" }, [deployment(), cm])).message).toContain("does not use it");
  expect((await run("k8s.configConsumed", { workload: DEP, configMap: "settings" }, [deployment({ container: { envFrom: [{ configMapRef: { name: "settings" } }] } }), cm])).status).toBe("pass");
  expect((await run("k8s.configConsumed", { workload: DEP, configMap: "settings" }, [deployment({ pod: { volumes: [{ name: "s", configMap: { name: "settings" } }] } }), cm])).status).toBe("pass");
  expect((await run("k8s.configConsumed", { workload: DEP, secret: "creds" }, [deployment()])).message).toContain('no Secret "creds"');
});

test("quantities", () => {
  expect(parseQuantity("250m")).toBeCloseTo(0.25);
  expect(parseQuantity("1Gi")).toBe(2 ** 30);
  expect(parseQuantity("512Mi")).toBeLessThan(parseQuantity("1G"));
  expect(parseQuantity("1e3")).toBe(1000);
  expect(parseQuantity("lots")).toBeNaN();
});

// ---------------------------------------------------------------------------------------------
// Every pod-template owner: the same pod template judged the same way.

type Template = { pod?: Record<string, unknown>; container?: Record<string, unknown>; initContainers?: unknown[] };

function template(t: Template) {
  return {
    metadata: { labels: { app: "model" } },
    spec: { ...t.pod, ...(t.initContainers ? { initContainers: t.initContainers } : {}), containers: [{ name: "main", image: "ghcr.io/x/model:1.0.0", ...t.container }] },
  };
}

function workload(kind: "Deployment" | "StatefulSet" | "Job" | "CronJob", t: Template = {}, extra: { spec?: Record<string, unknown>; status?: Record<string, unknown> } = {}): AnyObject {
  const apiVersion = kind === "Job" || kind === "CronJob" ? "batch/v1" : "apps/v1";
  const spec =
    kind === "CronJob"
      ? { schedule: "0 2 * * *", jobTemplate: { spec: { ...extra.spec, template: template(t) } } }
      : { ...(kind === "Job" ? {} : { replicas: 2 }), ...extra.spec, template: template(t) };
  return { apiVersion, kind, metadata: { name: "w", generation: 1 }, spec, ...(extra.status ? { status: extra.status } : {}) };
}

const LOCKED: Template = {
  pod: { securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } } },
  container: {
    securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
    resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "500m", memory: "1Gi" } },
    envFrom: [{ configMapRef: { name: "settings" } }],
  },
};

describe.each(["Deployment", "StatefulSet", "Job", "CronJob"] as const)("a %s", (kind) => {
  const ref = { kind, name: "w" };
  const cm: AnyObject = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings" } };

  test("its pod template is found", () => {
    expect(podTemplateOf(workload(kind, LOCKED))?.spec?.containers[0]?.name).toBe("main");
    expect(containersOf(workload(kind, { initContainers: [{ name: "init", image: "busybox:1.36" }] }), { init: true }).map((c) => c.name)).toEqual(["init", "main"]);
  });

  test("securityContext judges its containers and passes when locked down", async () => {
    const open = await run("k8s.securityContext", { workload: ref }, [workload(kind)]);
    expect(open.status).toBe("fail");
    expect(open.message).toContain(`${kind} "w" is not locked down`);
    expect(open.message).toMatch(/runAsNonRoot.*readOnlyRootFilesystem.*allowPrivilegeEscalation.*capabilities.*seccompProfile/s);
    expect(await run("k8s.securityContext", { workload: ref }, [workload(kind, LOCKED)])).toMatchObject({ status: "pass", message: expect.stringContaining("restricted") });
  });

  test("resources, images and config are read from its template", async () => {
    expect((await run("k8s.resources", { workload: ref, maxCpu: "1", maxMemory: "1Gi" }, [workload(kind, LOCKED)])).status).toBe("pass");
    expect((await run("k8s.resources", { workload: ref }, [workload(kind)])).message).toContain('container "main" has no cpu request');
    expect((await run("k8s.imagePinned", { workload: ref }, [workload(kind, { container: { image: "python:latest" } })])).message).toMatch(/latest/);
    expect((await run("k8s.imagePinned", { workload: ref }, [workload(kind, LOCKED)])).status).toBe("pass");
    expect((await run("k8s.configConsumed", { workload: ref, configMap: "settings" }, [workload(kind, LOCKED), cm])).status).toBe("pass");
    expect((await run("k8s.configConsumed", { workload: ref, configMap: "settings" }, [workload(kind), cm])).message).toContain(`${kind} "w" does not use it`);
  });

  test("a missing one says which kind and name to apply", async () => {
    const missing = await run("k8s.probes", { workload: ref }, []);
    expect(missing).toMatchObject({ status: "fail", message: expect.stringContaining(`There is no ${kind} "w"`) });
  });
});

describe("securityContext is as strict as the restricted Pod Security level", () => {
  const ref = { kind: "Job", name: "w" } as const;
  const locked = (t: Template) => workload("Job", { pod: { ...LOCKED.pod, ...t.pod }, container: { ...LOCKED.container, ...t.container }, initContainers: t.initContainers });
  const sc = LOCKED.container!.securityContext as Record<string, unknown>;

  test.each([
    ["no seccomp profile", locked({ pod: { securityContext: { runAsNonRoot: true } } }), "seccompProfile"],
    ["a privileged container", locked({ container: { securityContext: { ...sc, privileged: true } } }), "privileged"],
    ["capabilities added back", locked({ container: { securityContext: { ...sc, capabilities: { drop: ["ALL"], add: ["SYS_ADMIN"] } } } }), "adds capabilities back"],
    ["the node's network", locked({ pod: { hostNetwork: true } }), "network, PID or IPC"],
    ["a hostPath volume", locked({ pod: { volumes: [{ name: "root", hostPath: { path: "/" } }] } }), "hostPath"],
    ["an init container running as it likes", locked({ initContainers: [{ name: "init", image: "busybox:1.36" }] }), 'container "init"'],
  ])("%s fails", async (_what, object, expected) => {
    const outcome = await run("k8s.securityContext", { workload: ref }, [object]);
    expect(outcome.status).toBe("fail");
    expect(outcome.message).toContain(expected);
  });

  test("NET_BIND_SERVICE may be added back", async () => {
    const object = locked({ container: { securityContext: { ...sc, capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] } } } });
    expect((await run("k8s.securityContext", { workload: ref }, [object])).status).toBe("pass");
  });
});

test("resources: the pods running at once must fit the namespace quota", async () => {
  const quota = { requestsCpu: "1", requestsMemory: "2Gi", limitsCpu: "2", limitsMemory: "4Gi" };
  const job = (parallelism: number) => workload("Job", LOCKED, { spec: { parallelism } });
  const fits = await run("k8s.resources", { workload: { kind: "Job", name: "w" }, quota }, [job(2)]);
  expect(fits).toMatchObject({ status: "pass", message: expect.stringContaining("2 pod(s) at once fit the quota") });
  const over = await run("k8s.resources", { workload: { kind: "Job", name: "w" }, quota }, [job(5)]);
  expect(over.status).toBe("fail");
  expect(over.message).toContain("5 pods at once request more cpu than the namespace quota allows (requests.cpu 1)");
  expect(over.details).toContain("5 pods at once are limited to more memory than the namespace quota allows (limits.memory 4Gi)");
  const none = await run("k8s.resources", { workload: { kind: "Job", name: "w" } }, [{ ...job(1), spec: { template: { spec: { containers: [] } } } }]);
  expect(none.message).toContain("has no container");
});

test("rolloutComplete covers StatefulSets and sends Jobs to jobComplete", async () => {
  const sts = workload("StatefulSet", LOCKED, { status: { observedGeneration: 1, availableReplicas: 2, updatedReplicas: 2 } });
  expect((await run("k8s.rolloutComplete", { workload: { kind: "StatefulSet", name: "w" } }, [sts])).status).toBe("pass");
  const params = k8sKinds["k8s.rolloutComplete"].params.safeParse({ workload: { kind: "Job", name: "w" } });
  expect(params.success).toBe(false);
  expect(JSON.stringify(params.error?.issues)).toContain("k8s.jobComplete");
});

describe("jobComplete", () => {
  const old = new Date(Date.now() - 60_000).toISOString();
  const job = (status: Record<string, unknown>, created = old): AnyObject => ({
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: "scoring", creationTimestamp: created },
    spec: { completions: 4 },
    status,
  });

  test("complete, failed and still running", async () => {
    const done = job({ succeeded: 4, conditions: [{ type: "Complete", status: "True" }] });
    expect(await run("k8s.jobComplete", { job: "scoring" }, [done])).toMatchObject({ status: "pass", message: 'Job "scoring" completed: 4 of 4 pod(s) succeeded.' });
    const failed = job({ conditions: [{ type: "Failed", status: "True", reason: "DeadlineExceeded", message: "Job was active longer than specified deadline" }] });
    expect((await run("k8s.jobComplete", { job: "scoring" }, [failed])).message).toMatch(/failed \(DeadlineExceeded\).*delete the Job and apply it again/);
    const running = await run("k8s.jobComplete", { job: "scoring" }, [job({ succeeded: 1, active: 2 })]);
    expect(running.message).toContain("has not finished yet: 1 of 4 succeeded, 2 running, 0 failed");
  });

  test("pods the API server refuses are named from the Job's events", async () => {
    const event: AnyObject = { apiVersion: "v1", kind: "Event", metadata: { name: "e1" }, involvedObject: { kind: "Job", name: "scoring" }, reason: "FailedCreate", message: 'pods "scoring-0" is forbidden: exceeded quota' };
    const outcome = await run("k8s.jobComplete", { job: "scoring" }, [job({}), event]);
    expect(outcome.message).toContain("cannot create its pods: pods \"scoring-0\" is forbidden: exceeded quota");
  });

  test("a young Job is read again until it finishes, within the settle time", async () => {
    const objects = [job({ active: 4 }, new Date().toISOString())];
    setTimeout(() => (objects[0] = job({ succeeded: 4, conditions: [{ type: "Complete", status: "True" }] }, objects[0]!.metadata.creationTimestamp as string)), 300);
    const started = Date.now();
    const outcome = await run("k8s.jobComplete", { job: "scoring", settleSeconds: 5 }, objects);
    expect(outcome.status).toBe("pass");
    expect(Date.now() - started).toBeLessThan(3000);
  });

  test("a young Job that is deleted while waiting says so", async () => {
    const objects = [job({ active: 4 }, new Date().toISOString())];
    setTimeout(() => objects.pop(), 200);
    expect((await run("k8s.jobComplete", { job: "scoring", settleSeconds: 3 }, objects)).message).toContain("was deleted while the check waited");
  });
});

test("probes: readiness on the liveness endpoint, the wrong path and a port the server does not listen on fail", async () => {
  const probes = (readiness: Record<string, unknown>, liveness: Record<string, unknown>, ports = [{ name: "http", containerPort: 8080 }]) =>
    deployment({ container: { ports, readinessProbe: { httpGet: readiness }, livenessProbe: { httpGet: liveness } } });
  const params = { workload: DEP, readinessPath: "/ready", livenessPath: "/healthz", port: 8080 };
  expect((await run("k8s.probes", params, [probes({ path: "/ready", port: "http" }, { path: "/healthz", port: "http" })])).status).toBe("pass");
  const same = await run("k8s.probes", params, [probes({ path: "/healthz", port: "http" }, { path: "/healthz", port: "http" })]);
  expect(same.status).toBe("fail");
  expect(same.message).toContain("readinessProbe must be an HTTP GET of `/ready`, not `/healthz`");
  expect(same.message).toContain("asks exactly what the livenessProbe asks");
  // Without expected paths, the same action on both probes still fails; timings do not make them different.
  const alike = await run("k8s.probes", { workload: DEP }, [
    deployment({ container: { readinessProbe: { httpGet: { path: "/healthz", port: 8080 }, periodSeconds: 5 }, livenessProbe: { httpGet: { path: "/healthz", port: 8080 } } } }),
  ]);
  expect(alike.message).toContain("asks exactly what the livenessProbe asks");
  const wrongPort = await run("k8s.probes", params, [probes({ path: "/ready", port: "http" }, { path: "/healthz", port: "http" }, [{ name: "http", containerPort: 8000 }])]);
  expect(wrongPort.message).toContain("asks port 8000, but the server listens on 8080");
  const undeclared = await run("k8s.probes", { workload: DEP }, [probes({ path: "/ready", port: "web" }, { path: "/healthz", port: 8080 })]);
  expect(undeclared.message).toContain('the port named "web", which the container does not declare');
});

test("serviceSelects with containerPort: a Service and container that agree on the wrong port fail", async () => {
  const wrong = deployment({ container: { ports: [{ name: "http", containerPort: 8000 }] } });
  const params = { service: "model-server", workload: DEP, containerPort: 8080 };
  const outcome = await run("k8s.serviceSelects", params, [wrong, service({ app: "model" }), pod({ app: "model" })]);
  expect(outcome.status).toBe("fail");
  expect(outcome.message).toContain('reaches container port 8000 (the port named "http"), but the server listens on 8080');
  expect((await run("k8s.serviceSelects", params, [wrong, service({ app: "model" }, 8000), pod({ app: "model" })])).message).toContain("reaches container port 8000, but");
  expect((await run("k8s.serviceSelects", params, [deployment(), service({ app: "model" }), pod({ app: "model" })])).status).toBe("pass");
  expect((await run("k8s.serviceSelects", params, [deployment(), service({ app: "model" }, 8080), pod({ app: "model" })])).status).toBe("pass");
});

test("securityContext with writablePaths: a read-only root filesystem needs a writable mount there", async () => {
  const locked = (mounts: unknown[]) =>
    deployment({
      pod: { securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } } },
      container: { volumeMounts: mounts, securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } } },
    });
  const params = { workload: DEP, writablePaths: ["/tmp"] };
  expect((await run("k8s.securityContext", params, [locked([{ name: "tmp", mountPath: "/tmp" }])])).status).toBe("pass");
  expect((await run("k8s.securityContext", params, [locked([{ name: "tmp", mountPath: "/tmp/" }])])).status).toBe("pass");
  const none = await run("k8s.securityContext", params, [locked([])]);
  expect(none.status).toBe("fail");
  expect(none.message).toContain("nothing writable is mounted at /tmp");
  expect((await run("k8s.securityContext", params, [locked([{ name: "tmp", mountPath: "/tmp", readOnly: true }])])).status).toBe("fail");
  expect((await run("k8s.securityContext", params, [locked([{ name: "t", mountPath: "/tmpfiles" }])])).status).toBe("fail");
});

describe("absent", () => {
  const old = (name: string, labels: Record<string, string> = { app: "model-v1" }, extra: Record<string, unknown> = {}): AnyObject => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, labels, ...extra },
    spec: { replicas: 0 },
  });
  const byName = { apiVersion: "apps/v1", kind: "Deployment", name: "model-v1" };

  test("by name: passes when it is gone, and a Deployment scaled to 0 still exists", async () => {
    expect(await run("k8s.absent", byName, [deployment()])).toMatchObject({ status: "pass", message: 'No Deployment "model-v1" exists in your namespace.' });
    const scaled = await run("k8s.absent", byName, [deployment(), old("model-v1")]);
    expect(scaled.status).toBe("fail");
    expect(scaled.message).toContain('Deployment "model-v1" still exists in your namespace lab-test');
    expect(scaled.message).toContain("`kubectl delete deployment model-v1`");
    expect(scaled.message).toContain("the next Apply brings it back");
  });

  test("by selector: names every object that still carries the labels, and nothing else counts", async () => {
    const objects = [old("model-v1"), old("model-v1-canary"), old("model-v2", { app: "model-v2" }), deployment()];
    const outcome = await run("k8s.absent", { apiVersion: "apps/v1", kind: "Deployment", selector: { app: "model-v1" } }, objects);
    expect(outcome.status).toBe("fail");
    expect(outcome.message).toContain('2 Deployments labelled app=model-v1 still exist in your namespace lab-test: "model-v1", "model-v1-canary"');
    expect(outcome.message).toContain("`kubectl delete deployment -l app=model-v1`");
    expect(outcome.message).not.toContain("model-v2");
    expect((await run("k8s.absent", { apiVersion: "apps/v1", kind: "Deployment", selector: { app: "model-v1" } }, [old("model-v2", { app: "model-v2" })])).status).toBe("pass");
  });

  test("every label of the selector must match; a Deployment's pods are another kind", async () => {
    const labelled = old("model-v1", { app: "model", track: "canary" });
    const params = { apiVersion: "apps/v1", kind: "Deployment", selector: { app: "model", track: "canary" } };
    expect((await run("k8s.absent", params, [labelled])).status).toBe("fail");
    expect((await run("k8s.absent", params, [old("model-v1", { app: "model", track: "stable" })])).status).toBe("pass");
    // The Deployment is gone but its pod is still listed: a check on Pods says so, one on Deployments passes.
    const leftover = pod({ app: "model", track: "canary" });
    expect((await run("k8s.absent", params, [leftover])).status).toBe("pass");
    expect((await run("k8s.absent", { ...params, kind: "Pod", apiVersion: "v1" }, [leftover])).message).toContain('1 Pod labelled app=model,track=canary still exists in your namespace lab-test: "p1"');
  });

  test("grader pods are never counted", async () => {
    const grader = { ...pod({ app: "model", "academy.dev/grader-pod": "true" }), metadata: { name: "grader-x", labels: { app: "model", "academy.dev/grader-pod": "true" } } };
    expect((await run("k8s.absent", { apiVersion: "v1", kind: "Pod", selector: { app: "model" } }, [grader])).status).toBe("pass");
  });

  test("an object being deleted is read again until it is gone; one that stays says it is being deleted", async () => {
    const objects = [old("model-v1", undefined, { deletionTimestamp: new Date().toISOString() })];
    setTimeout(() => objects.pop(), 300);
    const started = Date.now();
    expect((await run("k8s.absent", { ...byName, settleSeconds: 5 }, objects)).status).toBe("pass");
    expect(Date.now() - started).toBeLessThan(3000);
    const stuck = await run("k8s.absent", { ...byName, settleSeconds: 1 }, [old("model-v1", undefined, { deletionTimestamp: new Date().toISOString(), finalizers: ["x/y"] })]);
    expect(stuck.status).toBe("fail");
    expect(stuck.message).toContain("being deleted");
    expect(stuck.message).toContain("Check again in a few seconds");
  });

  test("params: a name or a selector, not both or neither; labels Kubernetes accepts", () => {
    const params = k8sKinds["k8s.absent"].params;
    expect(params.safeParse({ apiVersion: "v1", kind: "Pod" }).success).toBe(false);
    expect(params.safeParse({ apiVersion: "v1", kind: "Pod", name: "p", selector: { app: "x" } }).success).toBe(false);
    expect(params.safeParse({ apiVersion: "v1", kind: "Pod", selector: {} }).success).toBe(false);
    expect(params.safeParse({ apiVersion: "v1", kind: "Pod", selector: { "bad key!": "x" } }).success).toBe(false);
    expect(params.safeParse({ apiVersion: "v1", kind: "Pod", selector: { app: "has space" } }).success).toBe(false);
    expect(params.safeParse({ apiVersion: "v1", kind: "Pod", selector: { "app.kubernetes.io/name": "model" } }).success).toBe(true);
  });
});

describe("selected", () => {
  const worker = (name: string, labels: Record<string, string>, replicas = 2, image = "ghcr.io/x/model:1.0.0"): AnyObject => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, labels },
    spec: { replicas, template: { metadata: { labels }, spec: { containers: [{ name: "main", image }] } } },
  });
  const base = { apiVersion: "apps/v1", kind: "Deployment", selector: { tier: "serving" } };
  const fields = [
    { path: "spec.replicas", min: 2 },
    { path: "spec.template.spec.containers[0].image", matches: ":\\d+\\.\\d+\\.\\d+$" },
  ];

  test("passes when the count and every object's fields are as asked", async () => {
    const objects = [worker("model-a", { tier: "serving" }), worker("model-b", { tier: "serving" }), worker("batch", { tier: "batch" }, 1)];
    const outcome = await run("k8s.selected", { ...base, count: 2, fields }, objects);
    expect(outcome).toMatchObject({ status: "pass", message: '2 Deployments labelled tier=serving exist ("model-a", "model-b"), and each meets the lab\'s 2 rules.' });
  });

  test("a label the learner mistyped selects nothing, and the message says where to look", async () => {
    const outcome = await run("k8s.selected", { ...base, fields }, [worker("model-a", { tier: "server" })]);
    expect(outcome.status).toBe("fail");
    expect(outcome.message).toContain("No Deployment is labelled tier=serving in your namespace; the lab expects at least 1.");
    expect(outcome.message).toContain("--show-labels");
  });

  test("exact, min and max counts", async () => {
    const three = ["a", "b", "c"].map((n) => worker(n, { tier: "serving" }));
    expect((await run("k8s.selected", { ...base, count: 2 }, three)).message).toMatch(/^3 Deployments labelled tier=serving exist \("a", "b", "c"\); the lab expects exactly 2\. Delete the ones/);
    expect((await run("k8s.selected", { ...base, count: { min: 1, max: 2 } }, three)).message).toContain("the lab expects from 1 to 2");
    expect((await run("k8s.selected", { ...base, count: { min: 4 } }, three)).message).toContain("the lab expects at least 4");
    expect((await run("k8s.selected", { ...base, count: { max: 3 } }, three)).status).toBe("pass");
    // `max` alone still asks for at least one: a check over nothing would pass whatever the fields say.
    expect((await run("k8s.selected", { ...base, count: { max: 3 }, fields }, [])).status).toBe("fail");
    expect((await run("k8s.selected", { ...base, count: { min: 0, max: 3 } }, [])).status).toBe("pass");
  });

  test("every selected object must meet the fields; the failing ones are named", async () => {
    const objects = [worker("model-a", { tier: "serving" }), worker("model-b", { tier: "serving" }, 1), worker("model-c", { tier: "serving" }, 2, "ghcr.io/x/model:latest")];
    const outcome = await run("k8s.selected", { ...base, fields }, objects);
    expect(outcome.status).toBe("fail");
    expect(outcome.message).toContain("2 of the 3 Deployments labelled tier=serving do not meet the lab's rules");
    expect(outcome.message).toContain('Deployment "model-b": `spec.replicas` is 1; expected at least 2');
    expect(outcome.message).toContain('Deployment "model-c": `spec.template.spec.containers[0].image` is "ghcr.io/x/model:latest"');
    expect(outcome.message).not.toContain('"model-a"');
    expect(outcome.details).toHaveLength(2);
    const single = await run("k8s.selected", { ...base, fields: [{ path: "spec.replicas", equals: 3 }] }, [worker("model-a", { tier: "serving" })]);
    expect(single.message).toBe('The Deployment labelled tier=serving does not meet the lab\'s rules: Deployment "model-a": `spec.replicas` is 2; expected 3.');
  });

  test("pods: grader pods are not selected", async () => {
    const learner = pod({ app: "model" });
    const grader: AnyObject = { apiVersion: "v1", kind: "Pod", metadata: { name: "grader-1", labels: { app: "model", "academy.dev/grader-pod": "true" } } };
    expect((await run("k8s.selected", { apiVersion: "v1", kind: "Pod", selector: { app: "model" }, count: 1 }, [learner, grader])).status).toBe("pass");
  });

  test("params: no count of 0 (that is k8s.absent), min not above max, field rules need a rule", () => {
    const params = k8sKinds["k8s.selected"].params;
    const zero = params.safeParse({ ...base, count: 0 });
    expect(zero.success).toBe(false);
    expect(JSON.stringify(zero.error?.issues)).toContain("k8s.absent");
    expect(params.safeParse({ ...base, count: { max: 0 } }).success).toBe(false);
    expect(params.safeParse({ ...base, count: { min: 3, max: 2 } }).success).toBe(false);
    expect(params.safeParse({ ...base, count: { atLeast: 2 } }).success).toBe(false);
    expect(params.safeParse({ ...base, fields: [{ path: "spec.replicas" }] }).success).toBe(false);
    expect(params.safeParse({ ...base, selector: {} }).success).toBe(false);
    expect(params.parse(base).count).toEqual({ min: 1 });
  });
});
