// The behaviour check kinds against pods that really run: a sandbox placed on the real node, the
// labs' model server and batch scorer, the workspace image. Right answers pass; wrong ones fail
// with the container's own words (a crash and its log, the uid it really runs as, a readiness
// probe on the liveness path, a Job stopped by its deadline, a script's exit code).
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { builtinKind } from "@/lib/checks/kinds";
import type { CheckContext, CheckOutcome } from "@/lib/checks/types";
import type { DatabaseHandle } from "@/lib/db/client";
import type { KubeClient, KubeObject } from "@/lib/k8s/client";
import { checks as scriptChecks } from "@/labs/batch-scoring-script/checks";
import { startSandbox, stopSandbox } from "@/lib/sandbox/lifecycle";
import { removeClusterPolicies } from "@/lib/sandbox/policies";
import { ensureWorkspacePod, execInWorkspace } from "@/lib/sandbox/workspace-pod";
import type { SandboxDTO } from "@/lib/sandbox/queries";
import type { SandboxDeps } from "@/lib/sandbox/results";
import { createLearners, testCluster, testInstallation } from "@/tests/support/cluster";
import { openTestDatabase } from "@/tests/support/databases";
import { readOnlyCluster } from "./grader";
import { liveSandbox } from "./live-sandbox";

const IMAGE = "ghcr.io/academy-labs/model-server:1.4.2";

let handle: DatabaseHandle;
let admin: KubeClient;
let deps: SandboxDeps;
let learner: { id: string };
let sandbox: SandboxDTO;

function ctx(files: Record<string, string> = {}): CheckContext {
  return {
    labId: "behaviour-kinds",
    files,
    namespace: sandbox.namespace,
    cluster: readOnlyCluster(admin, sandbox.namespace),
    dryRunAsLearner: null,
    live: liveSandbox(admin, sandbox.namespace),
    signal: AbortSignal.timeout(120_000),
  };
}

async function check(kind: string, params: unknown, files?: Record<string, string>): Promise<CheckOutcome> {
  const spec = builtinKind(kind);
  if (!spec) throw new Error(`no kind ${kind}`);
  return spec.run(spec.params.parse(params), ctx(files));
}

/** Asserts a pass, showing the check's own message when it is not one. */
function expectPass(outcome: CheckOutcome, label = ""): void {
  expect(`${outcome.status}: ${outcome.message} ${(outcome.details ?? []).join(" | ")}`, label).toMatch(/^pass: /);
}

const locked = { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } };

/** A model-server Deployment and its Service; `overrides` change the container or the pod. */
function server(name: string, options: { probePath?: string; uid?: number; env?: Array<{ name: string; value: string }>; targetPort?: number | string } = {}): KubeObject[] {
  const labels = { app: name };
  return [
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            securityContext: { runAsNonRoot: true, runAsUser: options.uid ?? 10001, seccompProfile: { type: "RuntimeDefault" } },
            containers: [
              {
                name: "server",
                image: IMAGE,
                ports: [{ name: "http", containerPort: 8080 }],
                env: options.env ?? [],
                readinessProbe: { httpGet: { path: options.probePath ?? "/ready", port: "http" }, periodSeconds: 3 },
                resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "300m", memory: "384Mi" } },
                securityContext: locked,
                volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
              },
            ],
            volumes: [{ name: "tmp", emptyDir: {} }],
          },
        },
      },
    },
    { apiVersion: "v1", kind: "Service", metadata: { name }, spec: { selector: labels, ports: [{ name: "http", port: 80, targetPort: options.targetPort ?? "http" }] } },
  ];
}

const FEATURES = "customer_id,tenure_months,monthly_charges,contract\nC1,3,90.5,month-to-month\nC2,40,20,two-year\nC3,12,55,one-year\nC4,1,99,month-to-month\n";

function scoringJob(name: string, options: { deadline?: number; command?: string[] } = {}): KubeObject[] {
  return [
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: `${name}-features` }, data: { "part-1.csv": FEATURES } },
    {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name },
      spec: {
        completionMode: "Indexed",
        completions: 2,
        parallelism: 2,
        backoffLimit: 0,
        activeDeadlineSeconds: options.deadline ?? 120,
        template: {
          spec: {
            restartPolicy: "Never",
            securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } },
            containers: [
              {
                name: "scorer",
                image: IMAGE,
                command: options.command ?? ["python", "-m", "server.batch_score"],
                env: [
                  { name: "INPUT_URI", value: "file:///data/features/" },
                  { name: "OUTPUT_URI", value: "file:///tmp/scores/" },
                  { name: "SHARD_COUNT", value: "2" },
                ],
                resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "300m", memory: "384Mi" } },
                securityContext: locked,
                volumeMounts: [
                  { name: "tmp", mountPath: "/tmp" },
                  { name: "features", mountPath: "/data/features", readOnly: true },
                ],
              },
            ],
            volumes: [
              { name: "tmp", emptyDir: {} },
              { name: "features", configMap: { name: `${name}-features` } },
            ],
          },
        },
      },
    },
  ];
}

beforeAll(async () => {
  admin = testCluster();
  deps = { cluster: admin, installation: testInstallation("bhv") };
  handle = await openTestDatabase("pglite");
  learner = (await createLearners(handle.db, 1))[0]!;
  const started = await startSandbox(handle.db, learner, { labId: "behaviour-kinds", sizeProfile: "medium", placement: "real" }, () => {}, deps);
  if (!started.ok) throw new Error(`the sandbox did not start: ${started.error}`);
  sandbox = started.sandbox;
  const objects = [
    ...server("good"),
    ...server("wrong-probe", { probePath: "/healthz", uid: 10002 }),
    ...server("crashing", { env: [{ name: "LOG_LEVEL", value: "verbose" }] }),
    ...server("wrong-port", { targetPort: 8000 }),
    ...scoringJob("scores"),
    ...scoringJob("slow", { deadline: 3, command: ["sleep", "60"] }),
  ];
  for (const object of objects) await admin.apply({ ...object, metadata: { ...object.metadata, namespace: sandbox.namespace } });
}, 120_000);

afterAll(async () => {
  if (handle && learner && sandbox) await stopSandbox(handle.db, learner, sandbox.id, () => {}, deps);
  if (admin && deps?.installation) await removeClusterPolicies(admin, deps.installation);
  await handle?.close();
});

describe("http.request through the Service", () => {
  test("/healthz, /ready after the model loads, and /predict with a probability", async () => {
    const healthz = await check("http.request", { service: "good", port: 80, request: { path: "/healthz" }, expect: { json: [{ path: "status", equals: "ok" }] }, retrySeconds: 45 });
    expectPass(healthz);
    const ready = await check("http.request", { service: "good", port: "http", request: { path: "/ready" }, expect: { json: [{ path: "status", equals: "ready" }] }, retrySeconds: 30 });
    expectPass(ready);
    const predict = await check("http.request", {
      service: "good",
      port: 80,
      request: { method: "POST", path: "/predict", json: { tenure_months: 3, monthly_charges: 89.5, contract: "month-to-month" } },
      expect: { json: [{ path: "churn_probability", type: "number", min: 0, max: 1 }, { path: "churn", type: "boolean" }] },
      retrySeconds: 10,
    });
    expectPass(predict);
    // A request the app refuses is the app's own answer (422 with its validation message).
    const invalid = await check("http.request", { service: "good", port: 80, request: { method: "POST", path: "/predict", json: { tenure_months: -1 } }, retrySeconds: 0 });
    expect(invalid.status).toBe("fail");
    expect(invalid.message).toMatch(/answered 422 .*expected 200/);
  });

  test("a crashing server is explained by its exit code and its last log lines", async () => {
    const outcome = await check("http.request", { service: "crashing", port: 80, request: { path: "/healthz" }, retrySeconds: 25 });
    expect(outcome.status).toBe("fail");
    expect(outcome.message).toContain("no pod behind the Service is Ready");
    expect(outcome.details?.join("\n")).toMatch(/Container “server” (keeps crashing|exited).*code 1.*LOG_LEVEL must be one of/s);
  });

  test("a Service on the wrong port does not reach the app", async () => {
    const outcome = await check("http.request", { service: "wrong-port", port: 80, request: { path: "/healthz" }, retrySeconds: 20 });
    expect(outcome.status).toBe("fail");
    expect(outcome.message).toMatch(/did not reach your app|no pod behind the Service/);
  });
});

describe("k8s.runsAsUser", () => {
  test("reads the server's real uid", async () => {
    expectPass(await check("k8s.runsAsUser", { workload: { kind: "Deployment", name: "good" }, uid: 10001, settleSeconds: 40 }));
    const wrong = await check("k8s.runsAsUser", { workload: { kind: "Deployment", name: "wrong-probe" }, uid: 10001, settleSeconds: 40 });
    expect(wrong.status).toBe("fail");
    expect(wrong.message).toContain("runs as uid 10002, not as uid 10001");
  });
});

describe("k8s.readinessGates", () => {
  test("a readiness probe on /ready keeps a loading copy out; one on /healthz does not", async () => {
    const params = (name: string) => ({ service: name, workload: { kind: "Deployment", name }, hold: { env: "MODEL_LOAD_DELAY_SECONDS", value: "120" }, readyPath: "/ready", watchSeconds: 30 });
    const [good, wrong] = await Promise.all([check("k8s.readinessGates", params("good")), check("k8s.readinessGates", params("wrong-probe"))]);
    expectPass(good);
    expect(good.message).toContain("statuscode: 503");
    expect(wrong.status).toBe("fail");
    expect(wrong.message).toContain("while `/ready` still answered 503: its readiness probe (GET /healthz on port http) passes before the app can serve");
    // The grader's copies are gone.
    const pods = await admin.list("v1", "Pod", { namespace: sandbox.namespace, labelSelector: "academy.dev/grader-pod" });
    expect(pods.filter((p) => !(p.metadata as { deletionTimestamp?: string }).deletionTimestamp)).toEqual([]);
  });
});

describe("k8s.jobOutput", () => {
  test("every shard really ran and logged its rows; a Job past its deadline is explained", async () => {
    const done = await check("k8s.jobOutput", { job: "scores", waitSeconds: 50, logMatches: ["shard \\d+/2: scored [1-9]\\d* rows"] });
    expectPass(done);
    const wrongOutput = await check("k8s.jobOutput", { job: "scores", waitSeconds: 0, logMatches: ["scored 1000 rows"] });
    expect(wrongOutput.status).toBe("fail");
    expect(wrongOutput.message).toContain("printed nothing matching /scored 1000 rows/");
    const slow = await check("k8s.jobOutput", { job: "slow", waitSeconds: 30 });
    expect(slow.status).toBe("fail");
    expect(slow.message).toContain("ran longer than its `activeDeadlineSeconds` (3 s)");
  });
});

describe("script.runInPod", () => {
  const runChecks = scriptChecks.filter((c) => c.kind === "script.runInPod");
  const solution = () => import("node:fs").then((fs) => fs.readFileSync("labs/batch-scoring-script/solution/score.sh", "utf8"));
  const starter = () => import("node:fs").then((fs) => fs.readFileSync("labs/batch-scoring-script/starter/score.sh", "utf8"));

  test("the lab's solution passes every run check; the starter fails them with its exit codes", async () => {
    expect(runChecks.map((c) => c.id)).toEqual(["exit-codes", "runs-clean"]);
    const [good, bad] = [await solution(), await starter()];
    for (const c of runChecks) {
      const params = (c as { params: unknown }).params;
      expectPass(await check("script.runInPod", params, { "score.sh": good }), c.id);
    }
    const exitCodes = await check("script.runInPod", (runChecks[0] as { params: unknown }).params, { "score.sh": bad });
    expect(exitCodes.status).toBe("fail");
    expect(exitCodes.message).toMatch(/^With no arguments, `score.sh` exited with 0; expected 2/);
    const pods = await admin.list("v1", "Pod", { namespace: sandbox.namespace, labelSelector: "academy.dev/check=script" });
    expect(pods.filter((p) => !(p.metadata as { deletionTimestamp?: string }).deletionTimestamp)).toEqual([]);
  });
});

describe("script.inWorkspace", () => {
  test("the author's script runs in the learner's workspace with the learner's kubectl; a kubeconfig the learner wrote is not used", async () => {
    await ensureWorkspacePod(admin, { namespace: sandbox.namespace });
    const script = "kubectl get configmap inworkspace-probe -o jsonpath='{.data.answer}' | grep -qx 42 && echo found it";
    const missing = await check("script.inWorkspace", { script });
    expect(missing.status).toBe("fail");
    expect(missing.message).toMatch(/^The lab's check script failed \(exit 1\) in your workspace: .*not ?found/i);
    await admin.apply({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "inworkspace-probe", namespace: sandbox.namespace }, data: { answer: "42" } });
    expectPass(await check("script.inWorkspace", { script }));
    // The learner points their own kubectl at a server that is not there: the check does not use it.
    const wrote = await execInWorkspace(admin, sandbox.namespace, [
      "sh",
      "-c",
      "mkdir -p ~/.kube && printf 'apiVersion: v1\\nkind: Config\\nclusters: [{name: x, cluster: {server: \"https://127.0.0.1:1\"}}]\\nusers: [{name: x, user: {token: t}}]\\ncontexts: [{name: x, context: {cluster: x, user: x}}]\\ncurrent-context: x\\n' > ~/.kube/config && kubectl get configmap inworkspace-probe 2>&1 | head -1",
    ]);
    expect(wrote).toMatchObject({ ok: true });
    expect(wrote.ok && wrote.stdout).toMatch(/127\.0\.0\.1:1|refused/);
    const passed = await check("script.inWorkspace", { script });
    expectPass(passed);
    expect(passed.message).toContain("found it");
  }, 180_000);
});
