// Runs a learner's built image for a moment, to see that it starts: a pod in the builds namespace
// on the real node (no token, no privileges, bounded), asked one HTTP path through the API
// server's pod proxy, and the uid of its main process read with exec. What the container itself
// said (a user that does not exist, a crash and its last log lines) becomes the verdict's words.
import "server-only";
import { Writable } from "node:stream";
import { Exec } from "@kubernetes/client-node";
import type { ImageRunVerdict } from "@/lib/checks/types";
import type { KubeClient, KubeObject } from "@/lib/k8s/client";
import { INSTALLATION_LABEL, MANAGED_BY, MANAGED_BY_LABEL, labelValue, toApiObject } from "@/lib/sandbox/manifests";
import { BUILDS_NAMESPACE, BUILD_LABEL, REAL_NODE_SELECTOR, REAL_NODE_TOLERATION } from "./manifests";
import { ensureBuildsNamespace } from "./runner";

export type RunImageRequest = { id: string; installation: string; image: string; port: number; path: string; timeoutMs?: number };

type Pod = KubeObject & {
  status?: {
    phase?: string;
    containerStatuses?: {
      ready?: boolean;
      restartCount?: number;
      state?: { waiting?: { reason?: string; message?: string }; running?: object; terminated?: { reason?: string; exitCode?: number; message?: string } };
      lastState?: { terminated?: { reason?: string; exitCode?: number } };
    }[];
  };
};

/** The pod that runs the image: as its Dockerfile says (user, command), with nothing extra. */
export function imageRunPodFor(req: RunImageRequest): KubeObject {
  const labels = { [MANAGED_BY_LABEL]: MANAGED_BY, [INSTALLATION_LABEL]: labelValue(req.installation), [BUILD_LABEL]: req.id, "academy.dev/role": "image-run" };
  return toApiObject({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: `run-${req.id}`, namespace: BUILDS_NAMESPACE, labels },
    spec: {
      restartPolicy: "Never",
      activeDeadlineSeconds: 120,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      terminationGracePeriodSeconds: 2,
      nodeSelector: REAL_NODE_SELECTOR,
      tolerations: [REAL_NODE_TOLERATION],
      containers: [
        {
          name: "app",
          image: req.image,
          imagePullPolicy: "Always",
          ports: [{ containerPort: req.port }],
          env: [{ name: "MODEL_API_KEY", value: "academy-check" }],
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } },
          resources: { requests: { cpu: "0", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi", "ephemeral-storage": "256Mi" } },
        },
      ],
    },
  }) as KubeObject;
}

/** Replaces absolute host paths (`/tmp/…/containerd-root/tmpmounts/…`) in a runtime message with "…". */
export function withoutHostPaths(message: string): string {
  return message.replace(/(^|[\s"'(=])\/(?:[\w.@+-]+\/)+[\w.@+-]*/g, "$1…");
}

/** The container's own trouble in words, or null while it may still come up. */
export function containerProblem(pod: Pod): string | null {
  const status = pod.status?.containerStatuses?.[0];
  const waiting = status?.state?.waiting;
  if (waiting?.reason && /CreateContainerError|CreateContainerConfigError|RunContainerError|ErrImagePull|ImagePullBackOff|InvalidImageName/.test(waiting.reason)) {
    // The runtime's words, without the node's own file paths (they say nothing to a learner and name the host's layout).
    const said = `${waiting.reason}: ${withoutHostPaths(waiting.message ?? "no message")}`;
    // containerd 1.6 says "no users found", runc "unable to find user": the USER names no account.
    if (/no users found|unable to find user|no matching entries in passwd/i.test(waiting.message ?? "")) {
      return `the user its USER names does not exist in the image, so the container cannot be created (create it with useradd in the final stage, before USER) — ${said}`;
    }
    return said;
  }
  const terminated = status?.state?.terminated;
  if (terminated) return `the container exited (${terminated.reason ?? "Error"}, exit code ${terminated.exitCode ?? "?"})${terminated.message ? `: ${terminated.message}` : ""}`;
  if (pod.status?.phase === "Failed") return "the pod failed";
  return null;
}

async function execText(cluster: KubeClient, pod: string, command: string[]): Promise<string | null> {
  const chunks: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer, _e, done) {
      chunks.push(chunk);
      done();
    },
  });
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), 10_000);
    new Exec(cluster.kubeConfig)
      .exec(BUILDS_NAMESPACE, pod, "app", command, out, null, null, false, (status) => {
        clearTimeout(timer);
        resolve(status.status === "Success" ? Buffer.concat(chunks).toString("utf8") : null);
      })
      .catch(() => {
        clearTimeout(timer);
        resolve(null);
      });
  });
}

async function lastLogLines(cluster: KubeClient, pod: string): Promise<string[]> {
  try {
    const text = await cluster.request<string>("GET", `/api/v1/namespaces/${BUILDS_NAMESPACE}/pods/${pod}/log`, { query: { tailLines: 15 } });
    return typeof text === "string" ? text.trimEnd().split("\n").filter(Boolean) : [];
  } catch {
    return [];
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts the image, asks `path` on `port` until it answers 200 (or the time is up), reads the process's uid. */
export async function runImage(cluster: KubeClient, req: RunImageRequest): Promise<ImageRunVerdict> {
  const pod = imageRunPodFor(req);
  const name = pod.metadata.name;
  const ref = { apiVersion: "v1", kind: "Pod", name, namespace: BUILDS_NAMESPACE };
  await ensureBuildsNamespace(cluster);
  await cluster.apply(pod);
  try {
    const deadline = Date.now() + (req.timeoutMs ?? 60_000);
    let last = "";
    for (;;) {
      const current = await cluster.get<Pod>(ref);
      if (!current) return { ok: false, error: "The container's pod went away before it answered.", details: [], platform: true };
      const problem = containerProblem(current);
      if (problem) return { ok: false, error: `Your image does not start: ${problem}.`, details: await lastLogLines(cluster, name) };
      if (current.status?.containerStatuses?.[0]?.state?.running) {
        const url = `/api/v1/namespaces/${BUILDS_NAMESPACE}/pods/${name}:${req.port}/proxy${req.path}`;
        try {
          const body = await cluster.request<unknown>("GET", url, { timeoutMs: 5_000 });
          const status = await execText(cluster, name, ["cat", "/proc/1/status"]);
          const uid = status ? Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? NaN) : NaN;
          return { ok: true, status: 200, body: typeof body === "string" ? body : JSON.stringify(body), uid: Number.isInteger(uid) ? uid : null };
        } catch (error) {
          last = error instanceof Error ? error.message : String(error);
        }
      }
      if (Date.now() > deadline) {
        return {
          ok: false,
          error: `Your image started but did not answer GET ${req.path} on port ${req.port} with 200 within ${Math.round((req.timeoutMs ?? 60_000) / 1000)} s${last ? ` (last: ${last.slice(0, 200)})` : ""}.`,
          details: await lastLogLines(cluster, name),
        };
      }
      await sleep(1000);
    }
  } finally {
    await cluster.remove(ref).catch(() => {});
  }
}
