import { expect, test } from "vitest";
import { PROFILE_SIZES, WORKSPACE_RESOURCES, addQuantity, limitRangeFor, resourceQuotaFor } from "./manifests";
import { isWorkspacePod, workspacePodFor } from "./workspace-manifest";

const pod = workspacePodFor("lab-x-abc");
const container = pod.spec!.containers[0]!;

test("the workspace pod is the agreed one: name, label, container, image, the learner's service account", () => {
  expect(pod.metadata).toMatchObject({ name: "workspace", namespace: "lab-x-abc", labels: { "academy.dev/component": "workspace" } });
  expect(container.name).toBe("shell");
  expect(container.image).toBe("ghcr.io/academy-labs/workspace:1.0.0");
  expect(pod.spec!.serviceAccountName).toBe("learner");
  expect(isWorkspacePod(pod)).toBe(true);
  // A learner's pod copying the label is still judged: its name is never exactly "workspace".
  expect(isWorkspacePod({ metadata: { name: "workspace-7d9f", labels: { "academy.dev/component": "workspace" } } })).toBe(false);
});

test("it meets the restricted Pod Security level", () => {
  expect(pod.spec!.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } });
  expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, readOnlyRootFilesystem: true });
  expect(pod.spec!.hostNetwork ?? false).toBe(false);
  expect(pod.spec!.volumes!.every((v) => v.emptyDir || v.projected)).toBe(true);
});

test("kubectl inside gets a one-hour learner token, the cluster CA and the namespace at the in-cluster path", () => {
  expect(pod.spec!.automountServiceAccountToken).toBe(false);
  const token = pod.spec!.volumes!.find((v) => v.name === "learner-token")!.projected!.sources!;
  expect(token[0]!.serviceAccountToken).toEqual({ path: "token", expirationSeconds: 3600 });
  expect(token[1]!.configMap).toMatchObject({ name: "kube-root-ca.crt" });
  expect(token[2]!.downwardAPI!.items![0]).toMatchObject({ path: "namespace", fieldRef: { fieldPath: "metadata.namespace" } });
  expect(container.volumeMounts).toContainEqual({ name: "learner-token", mountPath: "/var/run/secrets/kubernetes.io/serviceaccount", readOnly: true });
});

test("it runs on the real node, HOME and the lab files on an emptyDir, and just waits", () => {
  expect(pod.spec!.nodeSelector).toEqual({ "academy.dev/node": "real" });
  expect(pod.spec!.tolerations).toContainEqual({ key: "academy.dev/node", operator: "Equal", value: "real", effect: "NoSchedule" });
  expect(container.volumeMounts).toContainEqual({ name: "home", mountPath: "/home/learner" });
  expect(container.volumeMounts).toContainEqual({ name: "lab", mountPath: "/home/learner/lab" });
  expect(container.workingDir).toBe("/home/learner/lab");
  expect(container.command).toEqual(["sleep", "infinity"]);
  expect(pod.spec!.shareProcessNamespace).toBe(true);
});

test("its resources fit every profile's per-container limit, and the quota grows by exactly them and one pod", () => {
  expect(container.resources).toEqual({ requests: WORKSPACE_RESOURCES.requests, limits: WORKSPACE_RESOURCES.limits });
  expect(addQuantity("1", "50m")).toBe("1050m");
  expect(addQuantity("2Gi", "512Mi")).toBe("2560Mi");
  expect(addQuantity("2", "1")).toBe("3");
  for (const [profile, sizes] of Object.entries(PROFILE_SIZES) as Array<[keyof typeof PROFILE_SIZES, (typeof PROFILE_SIZES)["small"]]>) {
    const hard = resourceQuotaFor("ns", profile).spec!.hard!;
    expect(hard.pods).toBe(String(sizes.pods + 1));
    expect(hard["requests.cpu"]).toBe(addQuantity(sizes.requestsCpu, WORKSPACE_RESOURCES.requests.cpu));
    expect(hard["limits.memory"]).toBe(addQuantity(sizes.limitsMemory, WORKSPACE_RESOURCES.limits.memory));
    const max = limitRangeFor("ns", profile).spec!.limits[0]!.max!;
    // The LimitRange's per-container maximum admits the workspace (500m, 512Mi) in every profile.
    expect(Number(max.cpu)).toBeGreaterThanOrEqual(0.5);
    expect(Number(String(max.memory).replace(/Gi$/, ""))).toBeGreaterThanOrEqual(1);
  }
});
