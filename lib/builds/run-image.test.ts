import { expect, test } from "vitest";
import type { KubeObject } from "@/lib/k8s/client";
import { containerProblem, imageRunPodFor, withoutHostPaths } from "./run-image";

test("the image runs as its Dockerfile says, unprivileged, on the real node, bounded and without a token", () => {
  const pod = imageRunPodFor({ id: "abc", installation: "academy", image: "registry.academy.local/learners/k/m:latest", port: 8000, path: "/healthz" }) as KubeObject & {
    spec: { automountServiceAccountToken: boolean; activeDeadlineSeconds: number; nodeSelector: object; containers: { image: string; command?: string[]; securityContext: object }[] };
  };
  expect(pod.metadata.namespace).toBe("academy-builds");
  expect(pod.spec.automountServiceAccountToken).toBe(false);
  expect(pod.spec.activeDeadlineSeconds).toBeLessThanOrEqual(120);
  expect(pod.spec.nodeSelector).toEqual({ "academy.dev/node": "real" });
  const [container] = pod.spec.containers;
  expect(container!.image).toBe("registry.academy.local/learners/k/m:latest");
  expect(container!.command).toBeUndefined();
  expect(container!.securityContext).toEqual({ allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } });
});

test("the container's own trouble is named; a container still starting is not trouble", () => {
  const pod = (containerStatuses: unknown[], phase = "Pending") => ({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, status: { phase, containerStatuses } }) as never;
  expect(containerProblem(pod([{ state: { waiting: { reason: "ContainerCreating" } } }]))).toBeNull();
  expect(containerProblem(pod([{ state: { running: {} } }], "Running"))).toBeNull();
  expect(containerProblem(pod([{ state: { waiting: { reason: "CreateContainerError", message: "failed to create containerd container: mount callback failed on /x: no users found" } } }]))).toBe(
    "the user its USER names does not exist in the image, so the container cannot be created (create it with useradd in the final stage, before USER) — " +
      "CreateContainerError: failed to create containerd container: mount callback failed on /x: no users found",
  );
  expect(containerProblem(pod([{ state: { waiting: { reason: "ImagePullBackOff", message: "Back-off pulling image" } } }]))).toBe("ImagePullBackOff: Back-off pulling image");
  expect(containerProblem(pod([{ state: { terminated: { reason: "Error", exitCode: 1 } } }], "Failed"))).toBe("the container exited (Error, exit code 1)");
});

test("the runtime's message reaches the learner without the node's file paths", () => {
  const message = "failed to create containerd container: mount callback failed on /tmp/ci-3/.academy-data/cluster/node/containerd-root/tmpmounts/containerd-mount2362073759: no users found";
  expect(withoutHostPaths(message)).toBe("failed to create containerd container: mount callback failed on …: no users found");
  const pod = { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, status: { phase: "Pending", containerStatuses: [{ state: { waiting: { reason: "CreateContainerError", message } } }] } } as never;
  const said = containerProblem(pod);
  expect(said).toContain("does not exist in the image");
  expect(said).toContain("no users found");
  expect(said).not.toContain("/tmp/");
});
