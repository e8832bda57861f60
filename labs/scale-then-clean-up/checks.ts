import { defineChecks } from "@/lib/labs/define";

// Three steps (lab.mdx `steps:`), each graded on its own: every check belongs to one step, and a
// step's checks run only while it is the current one, so `three-replicas` and `one-replica` never
// contradict each other.
const deployment = { apiVersion: "apps/v1", kind: "Deployment", name: "model-server" } as const;

export const checks = defineChecks([
  // Step create
  {
    id: "deployment-exists",
    title: "The Deployment model-server exists in your sandbox",
    points: 5,
    hints: ["Apply `k8s/deployment.yaml` with **Apply to sandbox**, then check again.", "The Deployment must keep its name, `model-server`."],
    kind: "k8s.exists",
    params: deployment,
  },
  {
    id: "three-replicas",
    title: "It asks for three replicas",
    points: 10,
    hints: ["Set `spec.replicas: 3` in `k8s/deployment.yaml` and apply it: the file alone changes nothing in the cluster."],
    kind: "k8s.field",
    params: { ...deployment, path: "spec.replicas", equals: 3 },
  },
  // Step scale
  {
    id: "one-replica",
    title: "It is back to one replica",
    points: 10,
    hints: ["Set `spec.replicas: 1` and apply again (or `kubectl scale deployment model-server --replicas=1`)."],
    kind: "k8s.field",
    params: { ...deployment, path: "spec.replicas", equals: 1 },
  },
  // Step clean-up
  {
    id: "debug-settings-gone",
    title: "The ConfigMap web-debug is deleted",
    points: 10,
    hints: ["`kubectl delete configmap web-debug` in the lab's terminal (the step's Run in terminal button sends it there)."],
    kind: "k8s.absent",
    params: { apiVersion: "v1", kind: "ConfigMap", name: "web-debug" },
  },
  {
    id: "server-kept",
    title: "The model server still runs at one replica",
    points: 5,
    hints: ["Only the ConfigMap goes: if you deleted the Deployment, apply `k8s/deployment.yaml` again (with `replicas: 1`)."],
    kind: "k8s.field",
    params: { ...deployment, path: "spec.replicas", equals: 1 },
  },
]);
