import { defineChecks } from "@/lib/labs/define";

const workload = { kind: "Deployment", name: "model-server" } as const;

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
      "Under the container: `resources: {requests: {cpu: 100m, memory: 256Mi}, limits: {cpu: 500m, memory: 512Mi}}`.",
      "No container may ask for more than 1 CPU or 1Gi, and a request never exceeds its limit.",
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
]);
