// The workspace pod of a sandbox, built purely (unit-tested in workspace-manifest.test.ts): the
// learner's shell in their own namespace, on the real node, at the `restricted` Pod Security
// level, acting on the cluster as the sandbox's `learner` service account with a short-lived
// projected token. The terminal execs into it; the lab files live under /home/learner/lab.
import type { V1Pod } from "@kubernetes/client-node";
import { WORKSPACE_COMPONENT, WORKSPACE_COMPONENT_LABEL, WORKSPACE_CONTAINER, WORKSPACE_POD } from "@/lib/checks/live";
import { LEARNER_SERVICE_ACCOUNT, MANAGED_BY, MANAGED_BY_LABEL, REAL_NODE_LABEL, WORKSPACE_RESOURCES } from "./manifests";

export { WORKSPACE_COMPONENT, WORKSPACE_COMPONENT_LABEL, WORKSPACE_CONTAINER, WORKSPACE_POD, WORKSPACE_RESOURCES };
export { isWorkspacePod } from "@/lib/checks/live";
export const WORKSPACE_IMAGE = "ghcr.io/academy-labs/workspace:1.0.0";
export const WORKSPACE_HOME = "/home/learner";
/** The lab files: /home/learner/lab/<lab path>. */
export const WORKSPACE_LAB_DIR = `${WORKSPACE_HOME}/lab`;
export const WORKSPACE_UID = 10001;
/** The learner's token lives an hour; the kubelet renews it at 80% of that, kubectl rereads the file. */
export const WORKSPACE_TOKEN_SECONDS = 3600;

/** Where the standard in-cluster configuration is read from (kubectl with no kubeconfig uses it). */
const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

export function workspacePodFor(namespace: string): V1Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: WORKSPACE_POD,
      namespace,
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY, [WORKSPACE_COMPONENT_LABEL]: WORKSPACE_COMPONENT },
    },
    spec: {
      serviceAccountName: LEARNER_SERVICE_ACCOUNT,
      // The token is mounted explicitly below (same path, same files as the automatic mount, but
      // with a lifetime we choose), so the automatic one stays off like everywhere in a sandbox.
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      // The pause container becomes PID 1 and reaps the orphans a terminal leaves behind;
      // `sleep` as PID 1 would let zombies pile up against the pod's pids limit.
      shareProcessNamespace: true,
      restartPolicy: "Always",
      terminationGracePeriodSeconds: 1,
      // The terminal needs a real shell, so the workspace runs on the real node whatever the lab's
      // placement; only `workloads: real` sandboxes have one (the namespace of a simulated one pins
      // every pod to KWOK nodes). The namespace's annotations add the same selector and toleration.
      nodeSelector: { [REAL_NODE_LABEL.key]: REAL_NODE_LABEL.value },
      tolerations: [{ key: REAL_NODE_LABEL.key, operator: "Equal", value: REAL_NODE_LABEL.value, effect: "NoSchedule" }],
      securityContext: {
        runAsNonRoot: true,
        runAsUser: WORKSPACE_UID,
        runAsGroup: WORKSPACE_UID,
        fsGroup: WORKSPACE_UID,
        seccompProfile: { type: "RuntimeDefault" },
      },
      containers: [
        {
          name: WORKSPACE_CONTAINER,
          image: WORKSPACE_IMAGE,
          imagePullPolicy: "IfNotPresent",
          command: ["sleep", "infinity"],
          workingDir: WORKSPACE_LAB_DIR,
          env: [
            { name: "HOME", value: WORKSPACE_HOME },
            { name: "TMPDIR", value: "/tmp" },
            { name: "PS1", value: "\\w $ " },
          ],
          securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            runAsNonRoot: true,
            capabilities: { drop: ["ALL"] },
          },
          resources: { requests: { ...WORKSPACE_RESOURCES.requests }, limits: { ...WORKSPACE_RESOURCES.limits } },
          volumeMounts: [
            { name: "home", mountPath: WORKSPACE_HOME },
            // Its own emptyDir, so the folder exists and is the learner's (a working directory
            // the runtime makes itself would be root's) and the shell can start in it.
            { name: "lab", mountPath: WORKSPACE_LAB_DIR },
            { name: "tmp", mountPath: "/tmp" },
            { name: "learner-token", mountPath: SERVICE_ACCOUNT_DIR, readOnly: true },
          ],
        },
      ],
      volumes: [
        { name: "home", emptyDir: { sizeLimit: "256Mi" } },
        { name: "lab", emptyDir: { sizeLimit: "64Mi" } },
        { name: "tmp", emptyDir: { sizeLimit: "128Mi" } },
        {
          name: "learner-token",
          projected: {
            sources: [
              { serviceAccountToken: { path: "token", expirationSeconds: WORKSPACE_TOKEN_SECONDS } },
              { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
              { downwardAPI: { items: [{ path: "namespace", fieldRef: { fieldPath: "metadata.namespace" } }] } },
            ],
          },
        },
      ],
    },
  };
}
