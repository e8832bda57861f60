// The explanations of container failures, on status and event shapes copied from a real kubelet
// v1.37.2 with containerd 1.6 (the local cluster's real node, December 2026) and from the API
// server's admission messages. Names and uids are shortened; the messages are verbatim.
import { expect, test } from "vitest";
import { explainPodProblems, explainWorkloadProblems, exitCodeMeaning, lastLines, type ContainerSpecLike, type ContainerStatusLike, type EventLike, type PodLike } from "./pod-problems";

function pod(name: string, spec: ContainerSpecLike, status: ContainerStatusLike, extra: { phase?: string } = {}): PodLike {
  return {
    metadata: { name, namespace: "lab-deploy-abc", creationTimestamp: "2026-12-02T05:25:57Z" },
    spec: { nodeName: "academy-node", containers: [{ name: "app", ...spec }] },
    status: { phase: extra.phase ?? "Running", containerStatuses: [{ name: "app", image: spec.image, ...status }] },
  };
}

function podEvent(podName: string, reason: string, message: string, count: number, lastTimestamp: string, type = "Warning"): EventLike {
  return {
    type,
    reason,
    message,
    count,
    involvedObject: { kind: "Pod", name: podName, fieldPath: "spec.containers{app}" },
    firstTimestamp: "2026-12-02T05:25:58Z",
    lastTimestamp,
    eventTime: null,
  };
}

function ownerEvent(kind: string, name: string, reason: string, message: string, lastTimestamp: string, type = "Warning"): EventLike {
  return { type, reason, message, count: 3, involvedObject: { kind, name }, firstTimestamp: "2026-12-02T05:30:00Z", lastTimestamp };
}

test("CrashLoopBackOff names the exit code, what it means and the last log lines", () => {
  const crashing = pod(
    "model-7d4b9c8f6-x2x4z",
    { image: "debian:bookworm-slim", command: ["sh", "-c", "…"] } as ContainerSpecLike,
    {
      ready: false,
      restartCount: 3,
      state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 40s restarting failed container=app pod=crash_podspanel-shapes(397b9368-b8be-419f-b712-635d96a80b45)" } },
      lastState: { terminated: { exitCode: 3, reason: "Error", startedAt: "2026-12-02T05:26:33Z", finishedAt: "2026-12-02T05:26:33Z" } as never },
    },
  );
  const events = [podEvent("model-7d4b9c8f6-x2x4z", "BackOff", "Back-off restarting failed container app in pod crash_podspanel-shapes(397b9368)", 7, "2026-12-02T05:27:03Z")];
  const [sentence, ...rest] = explainPodProblems(crashing, events, { app: ["starting", "fatal: no model file at /models/model.pkl"] });
  expect(rest).toEqual([]);
  expect(sentence).toContain("Container “app” keeps crashing (CrashLoopBackOff, restarted 3 times)");
  expect(sentence).toContain("exited with code 3 (Error)");
  expect(sentence).toContain("“starting” / “fatal: no model file at /models/model.pkl”");
});

test("a container that exits 0 in a Deployment is told to keep running or be a Job", () => {
  const done = pod("once", { image: "python:3.11-slim" }, {
    restartCount: 2,
    state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 20s restarting failed container=app" } },
    lastState: { terminated: { exitCode: 0, reason: "Completed" } },
  });
  expect(explainPodProblems(done)).toEqual([expect.stringMatching(/exits with code 0 each time.*use a Job/)]);
});

test("OOMKilled gives the memory limit", () => {
  const oom = pod(
    "oom",
    { image: "python:3.11-slim", resources: { limits: { memory: "32Mi" } } },
    {
      restartCount: 3,
      state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 40s restarting failed container=app pod=oom_podspanel-shapes(516338e3)" } },
      lastState: { terminated: { exitCode: 137, reason: "OOMKilled", finishedAt: "2026-12-02T05:26:40Z" } },
    },
  );
  const [sentence] = explainPodProblems(oom);
  expect(sentence).toContain("used more memory than its limit of 32Mi (OOMKilled, exit code 137)");
  expect(sentence).toContain("resources.limits.memory");
  expect(sentence).toContain("restarted 3 times");
});

test("ImagePullBackOff names the image and the images the local registry has", () => {
  const image = "ghcr.io/academy-labs/model-server:9.9.9";
  const bad = pod("badimage", { image }, {
    ready: false,
    restartCount: 0,
    state: {
      waiting: {
        reason: "ImagePullBackOff",
        message: `Back-off pulling image "${image}": ErrImagePull: rpc error: code = NotFound desc = failed to pull and unpack image "${image}": failed to resolve reference "${image}": ${image}: not found`,
      },
    },
  }, { phase: "Pending" });
  const [sentence] = explainPodProblems(bad);
  expect(sentence).toContain(`its image “${image}” does not exist in the registry (ImagePullBackOff)`);
  expect(sentence).toContain("Images come from the local registry; the available images are");
  expect(sentence).toContain("ghcr.io/academy-labs/model-server:1.4.2");
  expect(sentence).toContain("python:3.11-slim");
  expect(explainPodProblems(bad, [], {}, { availableImages: ["only:1"] })[0]).toContain("the available images are only:1.");
});

test("ErrImagePull and an invalid name say so", () => {
  const pulling = pod("p", { image: "debian:bookworm" }, { state: { waiting: { reason: "ErrImagePull", message: "rpc error: code = Unknown desc = failed to pull" } } });
  expect(explainPodProblems(pulling)[0]).toContain("its image “debian:bookworm” cannot be pulled (ErrImagePull)");
  const invalid = pod("p", { image: "Model Server" }, { state: { waiting: { reason: "InvalidImageName", message: 'Failed to apply default image tag "Model Server"' } } });
  expect(explainPodProblems(invalid)[0]).toContain("is not a valid image name");
});

test("CreateContainerConfigError: a missing key, a missing Secret, a missing ConfigMap", () => {
  const waiting = (message: string) => pod("c", { image: "debian:bookworm-slim" }, { state: { waiting: { reason: "CreateContainerConfigError", message } } }, { phase: "Pending" });
  expect(explainPodProblems(waiting("couldn't find key nope in ConfigMap podspanel-shapes/settings"))).toEqual([
    "Container “app” cannot be created: the ConfigMap “settings” has no key “nope”. Add the key, or fix the key name in the manifest.",
  ]);
  expect(explainPodProblems(waiting('secret "missing" not found'))[0]).toContain("the Secret “missing” it reads does not exist in your namespace");
  expect(explainPodProblems(waiting('configmap "model-config" not found'))[0]).toContain("the ConfigMap “model-config” it reads does not exist");
});

test("runAsNonRoot against a root image, and against a named USER", () => {
  const waiting = (message: string) => pod("n", { image: "debian:bookworm-slim" }, { state: { waiting: { reason: "CreateContainerConfigError", message } } }, { phase: "Pending" });
  expect(explainPodProblems(waiting('container has runAsNonRoot and image will run as root (pod: "nonroot_podspanel-shapes(08f7662d)", container: app)'))[0]).toContain(
    "runAsNonRoot is set, but the image runs as root",
  );
  expect(
    explainPodProblems(waiting('container has runAsNonRoot and image has non-numeric user (appuser), cannot verify user is non-root (pod: "x", container: app)'))[0],
  ).toContain("the image runs as the user “appuser”, a name, so Kubernetes cannot check that it is not root. Use a numeric USER");
});

test("a USER that does not exist in the image: containerd's and runc's words", () => {
  const containerd = pod("nouser", { image: "ghcr.io/academy-labs/model-server:1.4.2" }, {
    restartCount: 0,
    state: {
      waiting: {
        reason: "CreateContainerError",
        message: "failed to create containerd container: mount callback failed on /work/shared-cluster/cluster/node/containerd-root/tmpmounts/containerd-mount2222851502: no users found",
      },
    },
  }, { phase: "Pending" });
  const [sentence] = explainPodProblems(containerd);
  expect(sentence).toContain("its image runs as a user that does not exist in the image");
  expect(sentence).toContain("RUN useradd");
  expect(sentence).not.toContain("/work/shared-cluster");

  const runc = pod("nouser", { image: "x:1" }, {
    restartCount: 2,
    state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 20s restarting failed container=app" } },
    lastState: {
      terminated: {
        exitCode: 128,
        reason: "StartError",
        message:
          "failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: unable to find user appuser: no matching entries in passwd file: unknown",
      },
    },
  });
  expect(explainPodProblems(runc)[0]).toContain("its image runs as the user “appuser” that does not exist in the image");
});

test("a command that is not in the image", () => {
  const nocmd = pod("nocmd", { image: "debian:bookworm-slim" }, {
    restartCount: 3,
    state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 40s restarting failed container=app pod=nocmd_podspanel-shapes(7474eb2e)" } },
    lastState: {
      terminated: {
        exitCode: 128,
        reason: "StartError",
        message:
          'failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: "uvicorn": executable file not found in $PATH: unknown',
      },
    },
  });
  expect(explainPodProblems(nocmd)).toEqual([
    "Container “app” cannot start: its command “uvicorn” is not in the image. Check command and args in the manifest, or the ENTRYPOINT and CMD of the image. It has been tried 4 times.",
  ]);
});

test("another start error is quoted without the runtime's wrapping and node paths", () => {
  const other = pod("o", { image: "x:1" }, {
    state: { waiting: { reason: "CreateContainerError", message: "failed to create containerd container: mount callback failed on /var/lib/containerd/tmpmounts/m1: permission denied" } },
  });
  expect(explainPodProblems(other)).toEqual(["Container “app” cannot start (CreateContainerError): mount callback failed on …: permission denied."]);
});

const probed: ContainerSpecLike = {
  image: "ghcr.io/academy-labs/model-server:1.4.2",
  readinessProbe: { httpGet: { path: "/nope", port: 8080, scheme: "HTTP" }, timeoutSeconds: 1 },
  livenessProbe: { httpGet: { path: "/healthz", port: 9090, scheme: "HTTP" }, timeoutSeconds: 1 },
};

test("failing readiness and liveness probes: path, port and what the app answered", () => {
  const probe = pod("probe", probed, {
    ready: false,
    restartCount: 4,
    state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 40s restarting failed container=app pod=probe_podspanel-shapes(7025443a)" } },
    lastState: { terminated: { exitCode: 0, reason: "Completed" } },
  });
  const events = [
    podEvent("probe", "Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 404", 12, "2026-12-02T05:26:35Z"),
    podEvent("probe", "Unhealthy", 'Liveness probe failed: Get "http://198.18.1.15:9090/healthz": dial tcp 198.18.1.15:9090: connect: connection refused', 6, "2026-12-02T05:26:21Z"),
    podEvent("probe", "Killing", "Container app failed liveness probe, will be restarted", 5, "2026-12-02T05:27:06Z", "Normal"),
    podEvent("probe", "Unhealthy", 'Readiness probe failed: Get "http://198.18.1.15:8080/nope": dial tcp 198.18.1.15:8080: connect: connection refused', 5, "2026-12-02T05:26:34Z"),
  ];
  const sentences = explainPodProblems(probe, events);
  // The exit code 0 is the probe's doing (SIGTERM, clean shutdown), not "finished its work".
  expect(sentences[0]).toBe("Container “app” keeps crashing (CrashLoopBackOff, restarted 4 times): Kubernetes stops it because its liveness probe fails.");
  expect(sentences).toContainEqual(expect.stringContaining("The readiness probe of container “app” fails (GET /nope on port 8080: it answered 404 (the app has no such path); 12 times)"));
  expect(sentences).toContainEqual(expect.stringContaining("Service sends it no traffic"));
  expect(sentences).toContainEqual(
    expect.stringContaining("The liveness probe of container “app” fails (GET /healthz on port 9090: nothing listens on that port; 6 times). Kubernetes restarts the container each time (restarted 4 times so far)"),
  );
  expect(sentences).toHaveLength(3);
});

test("a readiness probe that failed while the app started is not reported once it is ready", () => {
  const ready = pod("ready", probed, { ready: true, restartCount: 0, state: { running: { startedAt: "2026-12-02T05:26:00Z" } } });
  const events = [podEvent("ready", "Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 503", 2, "2026-12-02T05:26:04Z")];
  expect(explainPodProblems(ready, events)).toEqual([]);
  const notReady = pod("ready", probed, { ready: false, restartCount: 0, state: { running: { startedAt: "2026-12-02T05:26:00Z" } } });
  expect(explainPodProblems(notReady, events)[0]).toContain("it answered 503 (the app says it is not ready yet)");
});

test("a named probe port is shown with its number", () => {
  const named = pod("n", { image: "x:1", ports: [{ name: "http", containerPort: 8080 }], readinessProbe: { httpGet: { path: "/ready", port: "http" } } }, { ready: false, state: { running: {} } });
  const events = [podEvent("n", "Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 503", 4, "2026-12-02T05:26:04Z")];
  expect(explainPodProblems(named, events)[0]).toContain("GET /ready on port http (8080): it answered 503");
});

test("a probe that times out names timeoutSeconds", () => {
  const slow = pod("slow", { ...probed, readinessProbe: { httpGet: { path: "/ready", port: 8080 }, timeoutSeconds: 2 } }, { ready: false, state: { running: {} } });
  const events = [podEvent("slow", "Unhealthy", 'Readiness probe failed: Get "http://198.18.1.9:8080/ready": context deadline exceeded (Client.Timeout exceeded while awaiting headers)', 4, "2026-12-02T05:26:04Z")];
  expect(explainPodProblems(slow, events)[0]).toContain("GET /ready on port 8080: no answer within 2s (timeoutSeconds)");
});

test("a Job's container that failed: exit code and its meaning, and success says nothing", () => {
  const failed = pod("train-abcde", { image: "python:3.11-slim" }, { restartCount: 0, state: { terminated: { exitCode: 127, reason: "Error" } } }, { phase: "Failed" });
  expect(explainPodProblems(failed, [], { app: ["sh: 1: trian.py: not found"] })).toEqual([
    "Container “app” exited with code 127 (Error): the command was not found in the image (check command, args and the PATH). Its last log line was: “sh: 1: trian.py: not found”.",
  ]);
  const succeeded = pod("train-abcde", { image: "python:3.11-slim" }, { restartCount: 0, state: { terminated: { exitCode: 0, reason: "Completed" } } }, { phase: "Succeeded" });
  expect(explainPodProblems(succeeded)).toEqual([]);
});

test("a running container that restarted says how it last ended", () => {
  const restarted = pod("r", { image: "x:1", resources: { limits: { memory: "128Mi" } } }, {
    ready: true,
    restartCount: 1,
    state: { running: { startedAt: "2026-12-02T05:26:00Z" } },
    lastState: { terminated: { exitCode: 137, reason: "OOMKilled" } },
  });
  expect(explainPodProblems(restarted)).toEqual([expect.stringContaining("its limit of 128Mi (OOMKilled, exit code 137)")]);
});

test("exit codes mean what shells and signals make them mean", () => {
  expect(exitCodeMeaning(126)).toContain("could not be run");
  expect(exitCodeMeaning(139)).toContain("segmentation fault");
  expect(exitCodeMeaning(143)).toContain("SIGTERM");
  expect(exitCodeMeaning(137, "OOMKilled")).toContain("more memory than its limit");
  expect(exitCodeMeaning(129)).toBe("it was stopped by signal 1");
  expect(exitCodeMeaning(42)).toBe("");
});

test("a pod no node can take says why (its PodScheduled condition)", () => {
  const pending: PodLike = {
    metadata: { name: "big" },
    spec: { containers: [{ name: "app", image: "x:1" }] },
    status: {
      phase: "Pending",
      conditions: [
        {
          type: "PodScheduled",
          status: "False",
          reason: "Unschedulable",
          message: "0/4 nodes are available: 1 Insufficient memory, 3 node(s) had untolerated taint {academy.dev/node: real}. preemption: 0/4 nodes are available: 1 No preemption victims found for incoming pod, 3 Preemption is not helpful for scheduling.",
        },
      ],
    },
  };
  const [sentence] = explainPodProblems(pending);
  expect(sentence).toMatch(/^The pod cannot be placed on any node: 0\/4 nodes are available: 1 Insufficient memory/);
  expect(sentence).toContain("Preemption is not helpful for scheduling. Ask for less (resources.requests)");
});

const RS = "model-server-6d4cf56db6";

test("a ReplicaSet over the sandbox quota: which quota, asked, used, allowed", () => {
  const events = [
    ownerEvent("ReplicaSet", RS, "SuccessfulCreate", `Created pod: ${RS}-7xk2p`, "2026-12-02T05:30:00Z", "Normal"),
    ownerEvent(
      "ReplicaSet",
      RS,
      "FailedCreate",
      `Error creating: pods "${RS}-9fj2k" is forbidden: exceeded quota: sandbox-quota, requested: limits.memory=4Gi, used: limits.memory=512Mi, limited: limits.memory=2Gi`,
      "2026-12-02T05:31:00Z",
    ),
  ];
  expect(explainWorkloadProblems(events)).toEqual([
    `ReplicaSet “${RS}” cannot create its pods: they would exceed your sandbox's quota “sandbox-quota” (asked for limits.memory=4Gi, already in use limits.memory=512Mi, allowed limits.memory=2Gi). Ask for less (resources or replicas), or delete workloads you no longer need.`,
  ]);
  // A pod of that ReplicaSet hears it too, when the owner's events are passed with its own.
  const running = pod(`${RS}-7xk2p`, { image: "x:1" }, { ready: true, state: { running: {} } });
  expect(explainPodProblems(running, events)).toEqual(explainWorkloadProblems(events));
});

test("a FailedCreate that a later SuccessfulCreate followed is over", () => {
  const events = [
    ownerEvent("ReplicaSet", RS, "FailedCreate", `Error creating: pods "${RS}-9fj2k" is forbidden: exceeded quota: sandbox-quota, requested: pods=1, used: pods=10, limited: pods=10`, "2026-12-02T05:31:00Z"),
    ownerEvent("ReplicaSet", RS, "SuccessfulCreate", `Created pod: ${RS}-7xk2p`, "2026-12-02T05:32:00Z", "Normal"),
  ];
  expect(explainWorkloadProblems(events)).toEqual([]);
});

test("Pod Security violations list what the template must set", () => {
  const message =
    `Error creating: pods "${RS}-abcde" is forbidden: violates PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false), ` +
    `unrestricted capabilities (container "app" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "app" must set securityContext.runAsNonRoot=true), ` +
    `seccompProfile (pod or container "app" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")`;
  const [sentence] = explainWorkloadProblems([ownerEvent("ReplicaSet", RS, "FailedCreate", message, "2026-12-02T05:31:00Z")]);
  expect(sentence).toContain(`ReplicaSet “${RS}” cannot create its pods: your namespace enforces the “restricted” Pod Security standard`);
  expect(sentence).toContain('container "app" must set securityContext.allowPrivilegeEscalation=false');
  expect(sentence).toContain("seccompProfile.type");
});

test("a limit range maximum, another refusal, and Jobs that gave up", () => {
  const tooBig = ownerEvent("Job", "train", "FailedCreate", 'Error creating: pods "train-x" is forbidden: maximum memory usage per Container is 1Gi, but limit is 4Gi', "2026-12-02T05:31:00Z");
  expect(explainWorkloadProblems([tooBig])).toEqual([
    "Job “train” cannot create its pods: a container asks for a memory limit of 4Gi, but one container may use at most 1Gi. Lower resources.limits.memory.",
  ]);
  const policy = ownerEvent("ReplicaSet", RS, "FailedCreate", `Error creating: pods "${RS}-x" is forbidden: ValidatingAdmissionPolicy 'academy-no-host' denied request: hostPath volumes are not allowed`, "2026-12-02T05:31:00Z");
  expect(explainWorkloadProblems([policy])[0]).toContain("the cluster refused them: ValidatingAdmissionPolicy 'academy-no-host' denied request: hostPath volumes are not allowed.");
  const deadline = ownerEvent("Job", "train", "DeadlineExceeded", "Job was active longer than specified deadline", "2026-12-02T05:35:00Z");
  const backoff = ownerEvent("Job", "score", "BackoffLimitExceeded", "Job has reached the specified backoff limit", "2026-12-02T05:35:00Z");
  expect(explainWorkloadProblems([deadline, backoff])).toEqual([
    "Job “train” ran longer than its activeDeadlineSeconds and was stopped. Allow more time, or make the work faster.",
    "Job “score” gave up: its pods failed as many times as its backoffLimit allows. The pods' exit codes and logs say why.",
  ]);
});

test("untrusted text is cleaned before it is quoted", () => {
  const evil = pod("e", { image: "x:1" }, {
    restartCount: 1,
    state: { waiting: { reason: "CrashLoopBackOff", message: "" } },
    lastState: { terminated: { exitCode: 1, reason: "Error" } },
  });
  const [sentence] = explainPodProblems(evil, [], { app: ["\u001b[31mred\u001b[0m alert\u0007", "\u202eevil"] });
  expect(sentence).toContain("“red alert” / “evil”");
  expect(sentence).not.toMatch(/[\u0000-\u001f\u202e]/);
});

test("a pod whose events belong to another pod is not blamed for them", () => {
  const fine = pod("web-1", probed, { ready: false, state: { running: {} } });
  const other = [podEvent("web-2", "Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 500", 3, "2026-12-02T05:26:04Z")];
  expect(explainPodProblems(fine, other)).toEqual([]);
});

test("lastLines keeps the last non-empty lines, each cut to 300 characters", () => {
  expect(lastLines("a\n\nb\n  \nc\n", 2)).toEqual(["b", "c"]);
  expect(lastLines("x".repeat(400), 1)[0]).toHaveLength(301);
});
