import { defineChecks } from "@/lib/labs/define";

const workload = { kind: "Deployment", name: "model-server" } as const;
/** The Service port the lab asks for; requests go through it as other pods' requests would. */
const service = { service: "model-server", port: 80 } as const;
const LOOK_AT_PODS = "`kubectl get pods` and `kubectl describe pod <name>` show why a pod is not Ready; `kubectl logs <pod>` shows what the server printed.";

export const checks = defineChecks([
  {
    id: "manifests-accepted",
    title: "The API server accepts every manifest",
    points: 10,
    hints: [
      "The message names the file, document and field the API server refused; fix that field first.",
      "Your sandbox enforces the `restricted` Pod Security level: pods need `runAsNonRoot`, `allowPrivilegeEscalation: false`, `capabilities.drop: [ALL]` and `seccompProfile.type: RuntimeDefault`.",
    ],
    kind: "manifests.dryRun",
    params: { files: ["k8s/configmap.yaml", "k8s/deployment.yaml", "k8s/service.yaml"] },
  },
  {
    id: "two-replicas",
    title: "The Deployment asks for two replicas",
    points: 5,
    hints: ["Set `spec.replicas: 2` on the Deployment, apply, and check again."],
    kind: "k8s.field",
    params: { apiVersion: "apps/v1", kind: "Deployment", name: workload.name, path: "spec.replicas", equals: 2 },
  },
  {
    id: "rollout-complete",
    title: "Both replicas are available",
    points: 15,
    hints: [
      "Apply your manifests, then watch `kubectl rollout status deployment/model-server`.",
      "If pods are not created at all, `kubectl describe replicaset` shows why (quota, Pod Security).",
    ],
    kind: "k8s.rolloutComplete",
    params: { workload, minReplicas: 2 },
    // Learners press Check right after Apply: wait for the rollout instead of failing at once.
    waitFor: { seconds: 30, what: "the rollout of model-server" },
    timeoutMs: 35_000,
  },
  {
    id: "probes",
    title: "Readiness and liveness probes are set",
    points: 10,
    hints: [
      "Add a `readinessProbe` (httpGet `/ready`) and a `livenessProbe` (httpGet `/healthz`) to the container, both on the `http` port.",
      "Readiness and liveness ask different questions: `/healthz` answers as soon as the process is up, `/ready` only once the model is loaded. A readiness probe on `/healthz` sends traffic to pods that cannot answer yet.",
    ],
    kind: "k8s.probes",
    params: { workload, readiness: true, liveness: true, readinessPath: "/ready", livenessPath: "/healthz", port: 8080 },
  },
  {
    id: "resources",
    title: "Requests and limits are set and bounded",
    points: 10,
    hints: [
      "Under the container: `resources: {requests: {cpu: 100m, memory: 384Mi}, limits: {cpu: 500m, memory: 384Mi}}`: memory request equal to its limit, as in the probes lesson.",
      "Your namespace's quota counts CPU and memory limits, so both are needed here. No container may ask for more than 1 CPU or 1Gi, and a request never exceeds its limit.",
    ],
    kind: "k8s.resources",
    params: { workload, maxCpu: "1", maxMemory: "1Gi" },
  },
  {
    id: "security-context",
    title: "The container runs locked down",
    points: 15,
    hints: [
      "Pod level: `securityContext: {runAsNonRoot: true, runAsUser: 10001, seccompProfile: {type: RuntimeDefault}}`.",
      "Container level: `allowPrivilegeEscalation: false`, `readOnlyRootFilesystem: true`, `capabilities: {drop: [ALL]}`.",
      "With a read-only root filesystem, mount an `emptyDir` volume at `/tmp`.",
    ],
    kind: "k8s.securityContext",
    params: { workload, writablePaths: ["/tmp"] },
  },
  {
    id: "image-pinned",
    title: "The image is pinned to a version",
    points: 10,
    hints: ["Use `ghcr.io/academy-labs/model-server:1.4.2` (or a `@sha256:` digest) instead of `:latest`."],
    kind: "k8s.imagePinned",
    params: { workload },
  },
  {
    id: "service-selects-pods",
    title: "The Service sends traffic to the model server's pods",
    points: 15,
    hints: [
      "The Service's `spec.selector` must equal labels on the pod template (`spec.template.metadata.labels`), not on the Deployment itself.",
      "`targetPort` must be a port the container declares: `http` (8080).",
    ],
    kind: "k8s.serviceSelects",
    params: { service: "model-server", workload, containerPort: 8080 },
  },
  {
    id: "settings-from-configmap",
    title: "The server reads its settings from the ConfigMap",
    points: 5,
    hints: ["Replace the hard-coded `env` entry with `envFrom: [{configMapRef: {name: model-settings}}]`."],
    kind: "k8s.configConsumed",
    params: { workload, configMap: "model-settings" },
  },
  {
    id: "threshold-is-probability",
    title: "PREDICTION_THRESHOLD is a probability",
    points: 5,
    hints: ["ConfigMap values are strings: write `PREDICTION_THRESHOLD: \"0.5\"`."],
    kind: "k8s.field",
    params: { apiVersion: "v1", kind: "ConfigMap", name: "model-settings", path: "data.PREDICTION_THRESHOLD", matches: "^(0(\\.\\d+)?|1(\\.0+)?)$" },
  },
  // Behaviour: the pods really run on the sandbox's node; these talk to them.
  {
    id: "healthz-answers",
    title: "The server answers /healthz through the Service",
    points: 10,
    hints: [
      "The request goes to the Service on port 80, which forwards to `targetPort`: that must be the port the server listens on (8080, named `http`).",
      LOOK_AT_PODS,
    ],
    kind: "http.request",
    params: { ...service, request: { path: "/healthz" }, expect: { status: 200, json: [{ path: "status", equals: "ok" }] }, retrySeconds: 20 },
    timeoutMs: 30_000,
  },
  {
    id: "ready-after-load",
    title: "The server reports ready once the model is loaded",
    points: 10,
    hints: ["`/ready` answers 503 while the model loads and 200 after; if it never does, the server's log says why (`kubectl logs deploy/model-server`).", LOOK_AT_PODS],
    kind: "http.request",
    params: { ...service, request: { path: "/ready" }, expect: { status: 200, json: [{ path: "status", equals: "ready" }, { path: "model_version", equals: "1.4.2" }] }, retrySeconds: 20 },
    timeoutMs: 30_000,
  },
  {
    id: "predict-answers",
    title: "/predict returns a churn probability",
    points: 15,
    hints: [
      "POST a customer as JSON: `{\"tenure_months\": 3, \"monthly_charges\": 89.5, \"contract\": \"month-to-month\"}`; the answer has `churn_probability` (0 to 1) and `churn` (true or false).",
      "The threshold in the answer is `PREDICTION_THRESHOLD` from the ConfigMap: a server that does not read the ConfigMap answers with its default.",
    ],
    kind: "http.request",
    params: {
      ...service,
      request: { method: "POST", path: "/predict", json: { tenure_months: 3, monthly_charges: 89.5, contract: "month-to-month" } },
      expect: {
        status: 200,
        json: [
          { path: "churn_probability", type: "number", min: 0, max: 1 },
          { path: "churn", type: "boolean" },
          { path: "threshold", type: "number", min: 0, max: 1 },
          { path: "model_name", equals: "churn-classifier" },
        ],
      },
      retrySeconds: 20,
    },
    timeoutMs: 30_000,
  },
  {
    id: "runs-as-app-user",
    title: "The running server is user 10001",
    points: 5,
    hints: ["The grader reads the user of the server's process in a running pod (`kubectl exec deploy/model-server -- id`). Set `runAsUser: 10001` in the pod's securityContext."],
    kind: "k8s.runsAsUser",
    params: { workload, uid: 10001 },
    timeoutMs: 30_000,
  },
  {
    id: "readiness-gates-traffic",
    title: "A pod that is still loading gets no traffic",
    points: 10,
    hints: [
      "The grader starts a copy of your pod whose model loads slowly and watches it: its readiness probe must fail while `/ready` answers 503, so the Service leaves it out.",
      "A readiness probe on `/healthz` (or a bare TCP check) passes as soon as the process is up, before the model is loaded: probe `/ready`.",
    ],
    kind: "k8s.readinessGates",
    params: { service: "model-server", workload, hold: { env: "MODEL_LOAD_DELAY_SECONDS", value: "120" }, readyPath: "/ready", watchSeconds: 30 },
    timeoutMs: 55_000,
  },
]);
