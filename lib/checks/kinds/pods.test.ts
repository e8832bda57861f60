import { describe, expect, test } from "vitest";
import type { AnyObject, ExecResult } from "../types";
import { effectiveUid, jobFailure, podKinds } from "./pods";
import { fakeLive, liveContextWith, type FakeLive } from "./test-helpers";

const labels = { app: "model" };

function deployment(container: Record<string, unknown> = {}): AnyObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "model-server" },
    spec: {
      replicas: 2,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          securityContext: { runAsNonRoot: true, runAsUser: 10001 },
          containers: [{ name: "server", image: "ghcr.io/academy-labs/model-server:1.4.2", readinessProbe: { httpGet: { path: "/ready", port: "http" }, periodSeconds: 5 }, ...container }],
        },
      },
    },
  };
}

function pod(name: string, state: "running" | "ready" | Record<string, unknown>, extra: Partial<AnyObject> = {}): AnyObject {
  const running = state === "running" || state === "ready";
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels, ...(extra.metadata as object) },
    status: {
      phase: running ? "Running" : "Pending",
      conditions: [{ type: "Ready", status: state === "ready" ? "True" : "False" }],
      containerStatuses: [{ name: "server", image: "x", ready: state === "ready", restartCount: 0, state: running ? { running: {} } : state }],
      ...(extra.status as object),
    },
  };
}

const service: AnyObject = { apiVersion: "v1", kind: "Service", metadata: { name: "model-server" }, spec: { selector: labels } };
const slice = (pods: Array<[string, boolean]>): AnyObject => ({
  apiVersion: "discovery.k8s.io/v1",
  kind: "EndpointSlice",
  metadata: { name: "model-server-x", labels: { "kubernetes.io/service-name": "model-server" } },
  endpoints: pods.map(([name, ready]) => ({ conditions: { ready }, targetRef: { kind: "Pod", name } })),
});

async function run<K extends keyof typeof podKinds>(kind: K, params: unknown, objects: AnyObject[], live: FakeLive) {
  const spec = podKinds[kind];
  return spec.run(spec.params.parse(params) as never, liveContextWith(objects, live));
}

const procStatus = (uid: number) => `Name:\tpython3\nState:\tS (sleeping)\nUid:\t${uid}\t${uid}\t${uid}\t${uid}\nGid:\t${uid}\t${uid}\t${uid}\t${uid}\n`;
const ok = (stdout: string): ExecResult => ({ ok: true, exitCode: 0, stdout, stderr: "" });

describe("k8s.runsAsUser", () => {
  const params = { workload: { kind: "Deployment", name: "model-server" }, uid: 10001, settleSeconds: 0 };

  test("reads the main process's effective uid with exec and passes on the expected one", async () => {
    const live = fakeLive({ exec: async () => ok(procStatus(10001)) });
    const outcome = await run("k8s.runsAsUser", params, [deployment(), pod("model-server-1", "ready")], live);
    expect(outcome).toEqual({ status: "pass", message: 'Container "server" of pod model-server-1 runs as uid 10001, as expected.' });
    expect(live.commands).toEqual([["cat", "/proc/1/status"]]);
  });

  test("says when the container really runs as root", async () => {
    const live = fakeLive({ exec: async () => ok(procStatus(0)) });
    const outcome = await run("k8s.runsAsUser", params, [deployment(), pod("model-server-1", "ready")], live);
    expect(outcome.status).toBe("fail");
    expect(outcome.message).toContain("runs as root (uid 0), not as uid 10001");
  });

  test("falls back to `id -u` when there is no cat", async () => {
    const live = fakeLive({ exec: async (_p, _c, command) => (command[0] === "cat" ? { ok: false, error: "executable file not found in $PATH", stdout: "", stderr: "" } : ok("1000\n")) });
    const outcome = await run("k8s.runsAsUser", params, [deployment(), pod("model-server-1", "ready")], live);
    expect(outcome.message).toContain("runs as uid 1000, not as uid 10001");
  });

  test("a container that cannot start is explained by its own state", async () => {
    const waiting = { waiting: { reason: "CreateContainerConfigError", message: "container has runAsNonRoot and image will run as root" } };
    const outcome = await run("k8s.runsAsUser", params, [deployment(), pod("model-server-1", waiting)], fakeLive());
    expect(outcome.status).toBe("fail");
    expect(outcome.message).toContain("No container of Deployment \"model-server\" is running");
    expect(outcome.details?.[0]).toContain("runAsNonRoot is set, but the image runs as root");
  });

  test("a container that stops while it is read is explained, not reported as unreadable", async () => {
    const objects: AnyObject[] = [deployment(), pod("model-server-1", "ready")];
    const live = fakeLive({
      async exec() {
        objects[1] = pod("model-server-1", { waiting: { reason: "CrashLoopBackOff" } }, { status: { containerStatuses: [{ name: "server", image: "x", ready: false, restartCount: 2, state: { waiting: { reason: "CrashLoopBackOff" } }, lastState: { terminated: { exitCode: 1 } } }] } });
        return { ok: false, error: "container not found", stdout: "", stderr: "" };
      },
    });
    const outcome = await run("k8s.runsAsUser", params, objects, live);
    expect(outcome.message).toBe('Container "server" of pod model-server-1 stopped while the check read which user it runs as.');
    expect(outcome.details?.[0]).toContain("keeps crashing");
  });

  test("effectiveUid reads the second Uid field", () => {
    expect(effectiveUid("Uid:\t1000\t0\t0\t0\n")).toBe(0);
    expect(effectiveUid("nothing")).toBeNull();
  });
});

describe("k8s.readinessGates", () => {
  const params = { service: "model-server", workload: { kind: "Deployment", name: "model-server" }, hold: { env: "MODEL_LOAD_DELAY_SECONDS", value: "120" }, watchSeconds: 5 };

  test("passes when the held copy's readiness probe fails, and deletes the copy", async () => {
    const objects: AnyObject[] = [service, deployment(), pod("model-server-1", "ready"), slice([["model-server-1", true]])];
    const live = fakeLive({
      async createPod(copy) {
        objects.push(pod(copy.metadata.name, "running", { metadata: { name: copy.metadata.name, labels: copy.metadata.labels } }));
        objects.push({ apiVersion: "v1", kind: "Event", metadata: { name: "e1" }, reason: "Unhealthy", type: "Warning", message: "Readiness probe failed: HTTP probe failed with statuscode: 503", involvedObject: { kind: "Pod", name: copy.metadata.name } });
        return { ok: true, pod: copy };
      },
    });
    const outcome = await run("k8s.readinessGates", params, objects, live);
    expect(outcome.status).toBe("pass");
    expect(outcome.message).toContain("its probe, GET /ready on port http, answered: HTTP probe failed with statuscode: 503");
    const [copy] = live.created;
    // The copy is held loading and carries none of the template's labels (no ReplicaSet adopts it, no traffic reaches it).
    expect(copy!.metadata.labels).toEqual({ "academy.dev/check": "readiness" });
    expect((copy!.spec as { containers: Array<{ env: unknown[] }> }).containers[0]!.env).toEqual([{ name: "MODEL_LOAD_DELAY_SECONDS", value: "120" }]);
    expect(live.deleted).toEqual([copy!.metadata.name]);
  });

  test("a probe that failed only because nothing listened yet proves nothing", async () => {
    const objects: AnyObject[] = [service, deployment({ readinessProbe: { tcpSocket: { port: 8080 } } }), pod("model-server-1", "ready"), slice([["model-server-1", true]])];
    let polls = 0;
    const live = fakeLive({
      async createPod(copy) {
        objects.push(pod(copy.metadata.name, "running", { metadata: { name: copy.metadata.name, labels: copy.metadata.labels } }));
        objects.push({ apiVersion: "v1", kind: "Event", metadata: { name: "e1" }, reason: "Unhealthy", type: "Warning", message: 'Readiness probe failed: dial tcp 198.18.1.35:8080: connect: connection refused', involvedObject: { kind: "Pod", name: copy.metadata.name } });
        return { ok: true, pod: copy };
      },
      async logs() {
        return "";
      },
    });
    // The copy becomes Ready on the next look, as a TCP probe does once the port opens.
    const ctx = liveContextWith(objects, live);
    const original = ctx.cluster!.get.bind(ctx.cluster);
    ctx.cluster = { ...ctx.cluster!, get: async (ref, options) => {
      const found = await original(ref, options);
      if (found && ref.kind === "Pod" && ++polls > 1) return { ...found, status: { ...(found.status as object), conditions: [{ type: "Ready", status: "True" }] } };
      return found;
    } };
    const spec = podKinds["k8s.readinessGates"];
    const outcome = await spec.run(spec.params.parse(params), ctx);
    expect(outcome.status).toBe("fail");
    expect(outcome.message).toContain("its readiness probe (a TCP connection to port 8080) passes before the app can serve");
  });

  test("fails when a copy whose model is still loading becomes Ready (probe on the liveness path)", async () => {
    const objects: AnyObject[] = [service, deployment({ readinessProbe: { httpGet: { path: "/healthz", port: 8080 } } }), pod("model-server-1", "ready"), slice([["model-server-1", true]])];
    const live = fakeLive({
      async createPod(copy) {
        objects.push(pod(copy.metadata.name, "ready"));
        return { ok: true, pod: copy };
      },
    });
    const outcome = await run("k8s.readinessGates", params, objects, live);
    expect(outcome.status).toBe("fail");
    expect(outcome.message).toContain("became Ready within 0 s: its readiness probe (GET /healthz on port 8080) passes before the app can serve");
    expect(live.deleted).toHaveLength(1);
  });

  test("with readyPath, the copy's own /ready tells a too-early probe from an image that ignores the hold", async () => {
    const run503 = async (path: string, status: number) => {
      const objects: AnyObject[] = [service, deployment({ readinessProbe: { httpGet: { path, port: "http" } }, ports: [{ name: "http", containerPort: 8080 }] }), pod("model-server-1", "ready"), slice([["model-server-1", true]])];
      const asked: string[] = [];
      const live = fakeLive({
        async createPod(copy) {
          objects.push(pod(copy.metadata.name, "ready", { metadata: { name: copy.metadata.name, labels: copy.metadata.labels } }));
          return { ok: true, pod: copy };
        },
        async http(target, request) {
          asked.push(`${target.kind}:${target.port}${request.path}`);
          return { status, text: "", json: undefined, fromApiServer: false };
        },
      });
      const outcome = await run("k8s.readinessGates", { ...params, readyPath: "/ready" }, objects, live);
      return { outcome, asked };
    };
    const early = await run503("/healthz", 503);
    expect(early.outcome.message).toContain("while `/ready` still answered 503");
    expect(early.asked).toEqual(["pod:8080/ready"]);
    expect((await run503("/ready", 200)).outcome).toMatchObject({ status: "pass", message: expect.stringContaining("ignores MODEL_LOAD_DELAY_SECONDS") });
    expect((await run503("/healthz", 200)).outcome.message).toContain("does not ask the app's readiness endpoint `/ready`");
  });

  test("a container without a readiness probe fails before anything is started", async () => {
    const live = fakeLive();
    const outcome = await run("k8s.readinessGates", params, [service, deployment({ readinessProbe: undefined }), pod("model-server-1", "ready")], live);
    expect(outcome.message).toContain("has no readinessProbe");
    expect(live.created).toEqual([]);
  });

  test("a Service without ready endpoints is explained from the pods", async () => {
    const live = fakeLive();
    const waiting = { waiting: { reason: "ImagePullBackOff", message: "not found" } };
    const outcome = await run("k8s.readinessGates", params, [service, deployment(), pod("model-server-1", waiting), slice([["model-server-1", false]])], live);
    expect(outcome.message).toContain('Service "model-server" has no ready endpoint');
    expect(outcome.details?.[0]).toContain("does not exist in the registry (ImagePullBackOff)");
    expect(live.created).toEqual([]);
  });

  test("a Service whose selector matches none of the Ready pods says so", async () => {
    const live = fakeLive();
    const outcome = await run("k8s.readinessGates", params, [service, deployment(), pod("model-server-1", "ready"), slice([])], live);
    expect(outcome.message).toContain("sends traffic to none of the Ready pods");
    expect(live.created).toEqual([]);
  });

  test("no room in the quota for the copy is said in words", async () => {
    const live = fakeLive({ createPod: async () => ({ ok: false, status: 403, error: 'pods "x" is forbidden: exceeded quota: sandbox, requested: requests.cpu=1' }) });
    const outcome = await run("k8s.readinessGates", params, [service, deployment(), pod("model-server-1", "ready"), slice([["model-server-1", true]])], live);
    expect(outcome.message).toContain("your sandbox quota has no room for it");
  });
});

describe("k8s.jobOutput", () => {
  const job = (status: Record<string, unknown>, spec: Record<string, unknown> = {}): AnyObject => ({
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: "churn-scoring" },
    spec: { completions: 2, backoffLimit: 2, activeDeadlineSeconds: 5, ...spec },
    status,
  });
  const jobPod = (name: string, phase: string, index: string, extra: Record<string, unknown> = {}): AnyObject => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels: { "batch.kubernetes.io/job-name": "churn-scoring" }, annotations: { "batch.kubernetes.io/job-completion-index": index } },
    status: { phase, ...extra },
  });
  const complete = job({ succeeded: 2, conditions: [{ type: "Complete", status: "True" }] });
  const params = { job: "churn-scoring", waitSeconds: 0, logMatches: ["shard \\d+/\\d+: scored [1-9]\\d* rows"] };

  test("passes when every pod succeeded and printed the expected line", async () => {
    const live = fakeLive({ logs: async (name) => `INFO batch-score shard ${name.endsWith("0") ? 0 : 1}/2: scored 50 rows from 1 files into /tmp/scores/x.csv\n` });
    const outcome = await run("k8s.jobOutput", params, [complete, jobPod("s-0", "Succeeded", "0"), jobPod("s-1", "Succeeded", "1")], live);
    expect(outcome.status).toBe("pass");
  });

  test("fails naming the shard whose log lacks the output", async () => {
    const live = fakeLive({ logs: async (name) => (name === "s-1" ? "INFO batch-score shard 1/2: scored 0 rows from 0 files into /tmp/x\n" : "INFO shard 0/2: scored 50 rows\n") });
    const outcome = await run("k8s.jobOutput", params, [complete, jobPod("s-0", "Succeeded", "0"), jobPod("s-1", "Succeeded", "1")], live);
    expect(outcome.status).toBe("fail");
    expect(outcome.message).toContain("pod s-1 (shard 1) printed nothing matching");
    expect(outcome.message).toContain("scored 0 rows");
  });

  test("pods the API server refuses are explained from the Job's events", async () => {
    const refused: AnyObject = { apiVersion: "v1", kind: "Event", metadata: { name: "e" }, reason: "FailedCreate", message: 'Error creating: pods "s-0-x" is forbidden: exceeded quota: sandbox-quota, requested: limits.cpu=500m', involvedObject: { kind: "Job", name: "churn-scoring" } };
    const outcome = await run("k8s.jobOutput", params, [job({ active: 0 }), refused], fakeLive());
    expect(outcome.message).toBe('Job "churn-scoring" cannot create its pods (0 of 2 pod(s) succeeded, 0 started and not finished, 0 failed): Error creating: pods "s-0-x" is forbidden: exceeded quota: sandbox-quota, requested: limits.cpu=500m');
  });

  test("a Job stopped by its deadline is explained", async () => {
    const failed = job({ succeeded: 0, failed: 2, conditions: [{ type: "Failed", status: "True", reason: "DeadlineExceeded", message: "Job was active longer than specified deadline" }] });
    const outcome = await run("k8s.jobOutput", params, [failed], fakeLive());
    expect(outcome.message).toContain("ran longer than its `activeDeadlineSeconds` (5 s) and was stopped (0 of 2 pod(s) succeeded, 2 failed)");
  });

  test("a Job out of retries shows its pods' own error", async () => {
    const failed = job({ failed: 3, conditions: [{ type: "Failed", status: "True", reason: "BackoffLimitExceeded" }] });
    const crashed = jobPod("s-0", "Failed", "0", { containerStatuses: [{ name: "scorer", image: "x", ready: false, restartCount: 0, state: { terminated: { exitCode: 1, reason: "Error" } } }] });
    const live = fakeLive({ logs: async () => "ERROR batch-score INPUT_URI=s3://academy-ml/x: no s3:// store is reachable from here\n" });
    const outcome = await run("k8s.jobOutput", params, [failed, crashed], live);
    expect(outcome.message).toContain("used up its retries (`backoffLimit: 2`)");
    expect(outcome.details?.[0]).toContain("Container “scorer” exited with code 1 (Error)");
    expect(outcome.details?.[0]).toContain("“ERROR batch-score INPUT_URI=s3://academy-ml/x: no s3:// store is reachable from here”");
  });

  test("jsonLine judges a JSON line of the log", async () => {
    const live = fakeLive({ logs: async () => 'starting\n{"rows": 50, "shard": 0}\n' });
    const ok = await run("k8s.jobOutput", { job: "churn-scoring", waitSeconds: 0, jsonLine: [{ path: "rows", type: "integer", min: 1 }] }, [complete, jobPod("s-0", "Succeeded", "0"), jobPod("s-1", "Succeeded", "1")], live);
    expect(ok.status).toBe("pass");
    const bad = await run("k8s.jobOutput", { job: "churn-scoring", waitSeconds: 0, jsonLine: [{ path: "rows", type: "integer", min: 100 }] }, [complete, jobPod("s-0", "Succeeded", "0"), jobPod("s-1", "Succeeded", "1")], live);
    expect(bad.message).toContain("`rows` is 50; expected at least 100");
  });

  test("jobFailure names the failure policy", () => {
    expect(jobFailure(job({ conditions: [{ type: "Failed", status: "True", reason: "PodFailurePolicy", message: "Container scorer for pod x failed with exit code 2 matching FailJob rule at index 0" }] }) as never)).toContain(
      "was failed by its `podFailurePolicy`: Container scorer for pod x failed with exit code 2",
    );
  });
});

describe("k8s.podsStable", () => {
  const params = { workload: { kind: "Deployment", name: "model-server" }, watchSeconds: 3, settleSeconds: 2 };
  const crashed = (reason: string, exitCode: number) => ({ restartCount: 1, ready: false, state: { running: {} }, lastState: { terminated: { reason, exitCode } } });
  const withStatus = (name: string, status: Record<string, unknown>) => {
    const p = pod(name, "running");
    const s = p.status as { containerStatuses: Array<Record<string, unknown>> };
    s.containerStatuses = [{ ...s.containerStatuses[0], ...status }];
    return p;
  };

  test("pods that stay Ready for the whole watch pass", async () => {
    const outcome = await run("k8s.podsStable", params, [deployment(), pod("a", "ready"), pod("b", "ready")], fakeLive());
    expect(outcome).toMatchObject({ status: "pass", message: expect.stringMatching(/2 pod\(s\) .* stayed Ready for 3 s/) });
  }, 10_000);

  test("an OOMKilled container fails and says it ran out of memory", async () => {
    const outcome = await run("k8s.podsStable", params, [deployment(), withStatus("a", crashed("OOMKilled", 137))], fakeLive());
    expect(outcome).toMatchObject({ status: "fail", message: expect.stringContaining("OOMKilled") });
  });

  test("a container that exited and is not Ready again fails with its last log lines", async () => {
    const live = fakeLive({ logs: async () => "Traceback\nserver.settings.SettingsError: PREDICTION_THRESHOLD must be a probability between 0 and 1, got 65.0\n" });
    const outcome = await run("k8s.podsStable", params, [deployment(), withStatus("a", crashed("Error", 1))], live);
    expect(outcome.status).toBe("fail");
    expect(outcome.details?.join("\n")).toContain("PREDICTION_THRESHOLD must be a probability");
  });

  test("a pod that restarts during the watch fails, though it looks fine at the start", async () => {
    const a = pod("a", "ready");
    const objects = [deployment(), a];
    setTimeout(() => {
      (a.status as { containerStatuses: Array<{ restartCount: number }> }).containerStatuses[0]!.restartCount = 1;
    }, 1200);
    const outcome = await run("k8s.podsStable", params, objects, fakeLive());
    expect(outcome).toMatchObject({ status: "fail", message: expect.stringContaining("keep crashing or restarting") });
  }, 10_000);

  test("no pods (scaled to 0, or deleted) fails; pods that never become Ready fail after the wait", async () => {
    expect(await run("k8s.podsStable", params, [deployment()], fakeLive())).toMatchObject({ status: "fail", message: expect.stringContaining("has no pods") });
    const outcome = await run("k8s.podsStable", params, [deployment(), pod("a", "running")], fakeLive());
    expect(outcome).toMatchObject({ status: "fail", message: expect.stringContaining("did not all become Ready") });
  }, 15_000);
});
