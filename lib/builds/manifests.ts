// Pure builders for a learner image build on the cluster: the platform-owned namespace builds run
// in, the Secret that carries the build context, the Job that runs buildah, and the names a
// learner's image is pushed and pulled under. No I/O here, so every limit is unit-tested.
import { createHash } from "node:crypto";
import type { V1Job, V1Namespace, V1Secret } from "@kubernetes/client-node";
import { INSTALLATION_LABEL, MANAGED_BY, MANAGED_BY_LABEL, labelValue } from "@/lib/sandbox/manifests";

/** Where every build of every installation runs; learners have no RBAC here. */
export const BUILDS_NAMESPACE = "academy-builds";
export const BUILD_LABEL = "academy.dev/build";

/**
 * The builder image (tools/images, "builder"): Debian's buildah and tools/images/builder/academy-build.sh.
 * containerd resolves the public name to the Academy registry.
 */
export const BUILDER_IMAGE = "ghcr.io/academy-labs/builder:1.28.2";

/**
 * The registry host learners' images are pulled by (a Deployment's `image:`). containerd on the
 * real node resolves it to the Academy registry (tools/local-cluster/node/prepare.ts
 * LEARNER_REGISTRY); build pods push to the same registry through the node's relay.
 */
export const LEARNER_IMAGES_HOST = "registry.academy.local";

/**
 * The registry relay's port on the real node's InternalIP (tools/local-cluster/node/network.ts
 * LINK_PORTS.registry). Only the node's own network namespace reaches it, so build pods use the
 * host network (hostNetwork), and buildah's RUN steps get an empty network namespace of their own.
 */
export const NODE_REGISTRY_PORT = 5000;

/** The real node (docs/decisions, the local cluster): builds need a kernel, KWOK nodes have none. */
export const REAL_NODE_SELECTOR = { "academy.dev/node": "real" };
export const REAL_NODE_TOLERATION = { key: "academy.dev/node", operator: "Equal", value: "real", effect: "NoSchedule" };

export type BuildLimits = {
  cpu: string;
  memory: string;
  /** buildah's storage (vfs: every layer is a full copy), an emptyDir with this size limit. */
  storage: string;
  /**
   * The pod's whole local disk: the kubelet counts emptyDirs against the sum of the containers'
   * ephemeral-storage limits, so this is the storage plus the writable layer and logs.
   */
  ephemeralStorage: string;
  deadlineSeconds: number;
};

/**
 * Measured on the containerise solution (docs/decisions/010): about 1 GiB of vfs storage and
 * 300 MiB of memory, 20 s of CPU. The limits leave room for a learner's bigger image without
 * letting one build take the machine: two builds at once fit in two cores and 3 GiB.
 */
export const DEFAULT_BUILD_LIMITS: BuildLimits = {
  cpu: "1",
  memory: "1536Mi",
  storage: "3Gi",
  ephemeralStorage: "3584Mi",
  deadlineSeconds: 600,
};

/** A Secret holds at most 1 MiB; base64 in etcd and a margin for the item list leave this. */
export const MAX_CONTEXT_BYTES = 512 * 1024;

export type BuildSpec = {
  id: string;
  installation: string;
  /** The learner's build context: paths relative to the context folder, and their bytes. */
  context: Record<string, string | Uint8Array>;
  dockerfile: string;
  /** Where buildah pushes, relative to the registry: learners/<key>/<image>:latest. */
  repository: string;
  tag: string;
  /** The registry as the build pod reaches it (host:port). */
  registry: string;
  limits: BuildLimits;
};

/** A Kubernetes quantity of bytes ("3Gi", "400Mi") in MiB. */
export function mebibytes(quantity: string): number {
  const m = /^(\d+)(Ki|Mi|Gi|Ti)?$/.exec(quantity);
  if (!m) throw new Error(`not a byte quantity: ${quantity}`);
  const factor = { Ki: 1 / 1024, Mi: 1, Gi: 1024, Ti: 1024 * 1024 }[m[2] as "Ki" | "Mi" | "Gi" | "Ti"] ?? 1 / (1024 * 1024);
  return Number(m[1]) * factor;
}

/** `build-<id>`: the Job, and the prefix of its pod and Secret. */
export function buildJobName(id: string): string {
  return `build-${id}`;
}

export function buildSecretName(id: string): string {
  return `build-${id}-context`;
}

/**
 * A learner's own folder in the registry: a digest of installation and user id, so the path is
 * stable across labs (the deploy lab runs what the containerise lab built) and says nothing about
 * who the learner is.
 */
export function learnerImageKey(installation: string, userId: string): string {
  return createHash("sha256").update(`${installation}\0${userId}`).digest("hex").slice(0, 16);
}

export function learnerRepository(installation: string, userId: string, image: string): string {
  return `learners/${learnerImageKey(installation, userId)}/${image}`;
}

/** What a learner writes in a Deployment to run their image. */
export function learnerImageRef(repository: string, tag: string): string {
  return `${LEARNER_IMAGES_HOST}/${repository}:${tag}`;
}

function labels(installation: string, extra: Record<string, string> = {}): Record<string, string> {
  return { [MANAGED_BY_LABEL]: MANAGED_BY, [INSTALLATION_LABEL]: labelValue(installation), ...extra };
}

/**
 * The namespace builds run in. buildah needs a privileged container (mounts, namespaces, chroot),
 * so Pod Security is `privileged` here and only here; sandboxes stay `restricted`. Nobody but the
 * platform has rights in it.
 */
export function buildsNamespaceFor(): V1Namespace {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name: BUILDS_NAMESPACE,
      labels: {
        [MANAGED_BY_LABEL]: MANAGED_BY,
        "pod-security.kubernetes.io/enforce": "privileged",
        "pod-security.kubernetes.io/enforce-version": "latest",
      },
    },
  };
}

export type ContextFailure = { ok: false; code: "context-too-large" | "context-empty"; error: string };

/**
 * The build context as a Secret: one key per file (`f0`, `f1`…, base64, so any bytes survive) and
 * the volume items that put each key back at its path. Keys cannot hold "/", items can.
 */
export function buildContextSecretFor(
  spec: Pick<BuildSpec, "id" | "installation" | "context">,
): { ok: true; secret: V1Secret; items: { key: string; path: string }[] } | ContextFailure {
  const paths = Object.keys(spec.context).sort();
  if (paths.length === 0) return { ok: false, code: "context-empty", error: "The build context has no files." };
  const data: Record<string, string> = {};
  const items: { key: string; path: string }[] = [];
  let bytes = 0;
  paths.forEach((p, i) => {
    const content = spec.context[p]!;
    const buffer = typeof content === "string" ? Buffer.from(content, "utf8") : Buffer.from(content);
    bytes += buffer.length;
    data[`f${i}`] = buffer.toString("base64");
    items.push({ key: `f${i}`, path: p });
  });
  if (bytes > MAX_CONTEXT_BYTES) {
    return {
      ok: false,
      code: "context-too-large",
      error: `The build context is ${Math.ceil(bytes / 1024)} KiB; builds take at most ${MAX_CONTEXT_BYTES / 1024} KiB. Leave large files out with .dockerignore or remove them.`,
    };
  }
  return {
    ok: true,
    items,
    secret: {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: buildSecretName(spec.id), namespace: BUILDS_NAMESPACE, labels: labels(spec.installation, { [BUILD_LABEL]: spec.id }) },
      type: "Opaque",
      immutable: true,
      data,
    },
  };
}

/**
 * The Job that runs one build: one try (a failed build is the learner's to fix, not to retry), a
 * hard deadline, no service account token, no service links, on the real node, with CPU, memory
 * and disk limits, the context read-only at /context and buildah's storage on a size-limited
 * emptyDir. The outcome is the container's termination message (academy-build.sh writes it).
 */
export function buildJobFor(spec: Omit<BuildSpec, "context">, items: { key: string; path: string }[]): V1Job {
  const name = buildJobName(spec.id);
  const l = spec.limits;
  const meta = labels(spec.installation, { [BUILD_LABEL]: spec.id });
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, namespace: BUILDS_NAMESPACE, labels: meta },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: l.deadlineSeconds,
      // Long enough for the platform to read the outcome and the log; then the pod goes.
      ttlSecondsAfterFinished: 300,
      template: {
        metadata: { labels: meta },
        spec: {
          restartPolicy: "Never",
          // The node's network namespace: the one place the registry relay answers. The build
          // itself runs with no network at all (academy-build.sh), only pulls and the push use it.
          hostNetwork: true,
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: 5,
          nodeSelector: REAL_NODE_SELECTOR,
          tolerations: [REAL_NODE_TOLERATION],
          containers: [
            {
              name: "build",
              image: BUILDER_IMAGE,
              // A rebuilt builder keeps its tag; asking the local registry costs milliseconds.
              imagePullPolicy: "Always",
              env: [
                { name: "ACADEMY_REGISTRY", value: spec.registry },
                { name: "ACADEMY_IMAGE", value: `${spec.repository}:${spec.tag}` },
                { name: "ACADEMY_DOCKERFILE", value: spec.dockerfile },
                // The script stops the build a little below the emptyDir's limit, at once and with words.
                { name: "ACADEMY_STORAGE_LIMIT_MB", value: String(Math.floor(mebibytes(l.storage) * 0.9)) },
              ],
              // buildah mounts, unshares and chroots: it needs a privileged container (hence the namespace).
              securityContext: { privileged: true },
              resources: {
                // No CPU request: the real node's CPU is what learners' pods reserve, and a build must not
                // wait for a reservation nor take one from them. The queue bounds how many builds run, the
                // limit how much each may use; under contention builds get the smallest CPU share.
                requests: { cpu: "0", memory: "256Mi", "ephemeral-storage": "256Mi" },
                limits: { cpu: l.cpu, memory: l.memory, "ephemeral-storage": l.ephemeralStorage },
              },
              terminationMessagePolicy: "File",
              volumeMounts: [
                { name: "context", mountPath: "/context", readOnly: true },
                { name: "storage", mountPath: "/var/lib/academy-build" },
              ],
            },
          ],
          volumes: [
            { name: "context", secret: { secretName: buildSecretName(spec.id), items, defaultMode: 0o444 } },
            { name: "storage", emptyDir: { sizeLimit: l.storage } },
          ],
        },
      },
    },
  };
}
