import { defineChecks } from "@/lib/labs/define";

// Every check observes the running system (the pods really run on the sandbox's node): what the
// learner's files say only matters once it is applied.
const workload = { kind: "Deployment", name: "model-server" } as const;
const DIAGNOSE = "Start from what the cluster says: `kubectl get pods`, then `kubectl describe pod <name>` (its Events and Last State), then `kubectl logs <pod> --previous` for a container that restarted.";

export const checks = defineChecks([
  {
    id: "rollout-available",
    title: "Both replicas of model-server are available",
    points: 20,
    hints: [
      DIAGNOSE,
      "A pod that is Running but never Ready (`0/1` in `kubectl get pods`) fails its readiness probe: `kubectl describe pod` names the probe and what it got back. Compare the probe with what the server really serves.",
      "The Deployment must stay a Deployment called `model-server` with 2 replicas: deleting it or scaling it to 0 hides the symptoms, it does not fix the service.",
    ],
    kind: "k8s.rolloutComplete",
    params: { workload, minReplicas: 2 },
    // After a fix the new pods need a moment (the model loads before /ready answers): wait for them.
    waitFor: { seconds: 40, what: "the rollout of model-server" },
    timeoutMs: 45_000,
  },
  {
    id: "pods-stable",
    title: "The server's pods stop restarting",
    points: 20,
    hints: [
      DIAGNOSE,
      "A container that exits at start prints why as its last log lines: `kubectl logs deploy/model-server --previous`. The server checks its settings when it starts.",
      "`Last State: Terminated, Reason: OOMKilled` means the kernel killed the container for going over its memory limit. Loading the model needs more than the limit allows; raise the limit (the request may stay lower) within the 1Gi the lab allows.",
    ],
    kind: "k8s.podsStable",
    params: { workload, watchSeconds: 10, settleSeconds: 40 },
    timeoutMs: 60_000,
  },
  {
    id: "memory-bounded",
    title: "Memory and CPU stay bounded",
    points: 10,
    hints: [
      "Keep requests and limits on the container: no more than 1 CPU and 1Gi each, and a request never above its limit.",
      "A limit far above what the server uses takes quota other pods need; a few hundred MiB is plenty for this model.",
    ],
    kind: "k8s.resources",
    params: { workload, maxCpu: "1", maxMemory: "1Gi" },
  },
  {
    id: "service-reaches-pods",
    title: "The Service sends traffic to the server's port",
    points: 15,
    hints: [
      "`kubectl get endpointslices -l kubernetes.io/service-name=model-server` lists where the Service sends traffic: the port there is the Service's `targetPort`.",
      "`targetPort` must be the port the server listens on, the container port named `http`.",
    ],
    kind: "k8s.serviceSelects",
    params: { service: "model-server", workload, containerPort: 8080 },
  },
  {
    id: "prediction-through-service",
    title: "A prediction through the Service uses the 0.65 threshold",
    points: 25,
    hints: [
      "Try it yourself: `kubectl get --raw '/api/v1/namespaces/<your namespace>/services/model-server:80/proxy/ready'`, or `curl` from the terminal.",
      "The answer's `threshold` is `PREDICTION_THRESHOLD` as the server read it: a probability between 0 and 1, so 65 % is `0.65`. Without the variable the server falls back to 0.5.",
    ],
    kind: "http.request",
    params: {
      service: "model-server",
      port: 80,
      request: { method: "POST", path: "/predict", json: { tenure_months: 3, monthly_charges: 89.5, contract: "month-to-month" } },
      expect: {
        status: 200,
        json: [
          { path: "churn_probability", type: "number", min: 0, max: 1 },
          { path: "churn", type: "boolean" },
          { path: "threshold", equals: 0.65 },
          { path: "model_name", equals: "churn-classifier" },
        ],
      },
      retrySeconds: 20,
    },
    timeoutMs: 30_000,
  },
  {
    id: "readiness-gates-traffic",
    title: "A pod that is still loading gets no traffic",
    points: 10,
    hints: [
      "Removing the readiness probe makes the pods Ready, but then the Service sends requests to pods whose model is not loaded yet. Point the probe at the endpoint that answers 200 only once the model is loaded.",
      "The grader starts a copy of your pod whose model loads slowly: its readiness probe must fail while the model loads.",
    ],
    kind: "k8s.readinessGates",
    params: { service: "model-server", workload, hold: { env: "MODEL_LOAD_DELAY_SECONDS", value: "120" }, readyPath: "/ready", watchSeconds: 30 },
    timeoutMs: 55_000,
  },
]);
