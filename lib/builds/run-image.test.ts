import { expect, test } from "vitest";
import type { KubeObject } from "@/lib/k8s/client";
import { containerProblem, imageRunPodFor } from "./run-image";

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
  expect(containerProblem(pod([{ state: { waiting: { reason: "CreateContainerError", message: "unable to find user app: no matching entries in passwd file" } } }]))).toBe(
    "CreateContainerError: unable to find user app: no matching entries in passwd file",
  );
  expect(containerProblem(pod([{ state: { terminated: { reason: "Error", exitCode: 1 } } }], "Failed"))).toBe("the container exited (Error, exit code 1)");
});
