import { expect, test } from "vitest";
import { IMAGES } from "@/tools/images/images";
import { LINK_PORTS } from "@/tools/local-cluster/node/network";
import { LEARNER_REGISTRY } from "@/tools/local-cluster/node/prepare";
import {
  BUILDER_IMAGE,
  BUILDS_NAMESPACE,
  buildContextSecretFor,
  buildJobFor,
  buildsNamespaceFor,
  DEFAULT_BUILD_LIMITS,
  LEARNER_IMAGES_HOST,
  NODE_REGISTRY_PORT,
  learnerImageKey,
  learnerImageRef,
  learnerRepository,
  MAX_CONTEXT_BYTES,
  mebibytes,
} from "./manifests";

const spec = {
  id: "abc123",
  installation: "academy",
  dockerfile: "Dockerfile",
  repository: "learners/0123456789abcdef/model-server",
  tag: "latest",
  registry: "198.18.0.1:15000",
  limits: DEFAULT_BUILD_LIMITS,
};

test("the builder image, the learner registry host and the relay port are the ones tools/ builds and serves", () => {
  const builder = IMAGES.find((i) => i.name === "builder")!;
  expect(builder.publicRefs).toContain(BUILDER_IMAGE);
  expect(LEARNER_IMAGES_HOST).toBe(LEARNER_REGISTRY);
  expect(NODE_REGISTRY_PORT).toBe(LINK_PORTS.registry);
});

test("only the builds namespace is privileged, and nothing else is in it", () => {
  const ns = buildsNamespaceFor();
  expect(ns.metadata?.name).toBe(BUILDS_NAMESPACE);
  expect(ns.metadata?.labels?.["pod-security.kubernetes.io/enforce"]).toBe("privileged");
});

test("the build Job runs once, on the real node, with no token and hard limits on CPU, memory, disk and time", () => {
  const job = buildJobFor(spec, [{ key: "f0", path: "Dockerfile" }]);
  expect(job.metadata?.namespace).toBe(BUILDS_NAMESPACE);
  expect(job.spec?.backoffLimit).toBe(0);
  expect(job.spec?.activeDeadlineSeconds).toBe(DEFAULT_BUILD_LIMITS.deadlineSeconds);
  const pod = job.spec!.template.spec!;
  expect(pod.automountServiceAccountToken).toBe(false);
  expect(pod.hostNetwork).toBe(true);
  expect(pod.enableServiceLinks).toBe(false);
  expect(pod.restartPolicy).toBe("Never");
  expect(pod.nodeSelector).toEqual({ "academy.dev/node": "real" });
  expect(pod.tolerations).toEqual([{ key: "academy.dev/node", operator: "Equal", value: "real", effect: "NoSchedule" }]);
  const container = pod.containers[0]!;
  expect(container.image).toBe(BUILDER_IMAGE);
  expect(container.resources?.limits).toEqual({ cpu: "1", memory: "1536Mi", "ephemeral-storage": "3584Mi" });
  expect(container.env).toEqual(
    expect.arrayContaining([
      { name: "ACADEMY_REGISTRY", value: "198.18.0.1:15000" },
      { name: "ACADEMY_IMAGE", value: "learners/0123456789abcdef/model-server:latest" },
      // 90% of the 3Gi emptyDir: the build is stopped before the kubelet would evict it.
      { name: "ACADEMY_STORAGE_LIMIT_MB", value: "2764" },
    ]),
  );
  const storage = pod.volumes!.find((v) => v.name === "storage")!;
  expect(storage.emptyDir?.sizeLimit).toBe("3Gi");
  // The kubelet counts the emptyDir against the containers' ephemeral-storage limits: the storage fits inside them.
  const mib = (q: string) => Number(q.slice(0, -2)) * (q.endsWith("Gi") ? 1024 : 1);
  expect(mib(storage.emptyDir!.sizeLimit!)).toBeLessThan(mib(container.resources!.limits!["ephemeral-storage"]!));
  const context = pod.volumes!.find((v) => v.name === "context")!;
  expect(context.secret?.items).toEqual([{ key: "f0", path: "Dockerfile" }]);
  expect(container.volumeMounts).toContainEqual({ name: "context", mountPath: "/context", readOnly: true });
});

test("the context Secret keeps every byte and every path, and refuses a context over the cap", () => {
  const bytes = new Uint8Array([0, 255, 10, 13, 128]);
  const packed = buildContextSecretFor({ id: "x", installation: "academy", context: { "app/main.py": "print('é')\n", "model.bin": bytes, Dockerfile: "FROM x\n" } });
  if (!packed.ok) throw new Error(packed.error);
  expect(packed.items.map((i) => i.path)).toEqual(["Dockerfile", "app/main.py", "model.bin"]);
  const byPath = Object.fromEntries(packed.items.map((i) => [i.path, Buffer.from(packed.secret.data![i.key]!, "base64")]));
  expect(byPath["app/main.py"]!.toString("utf8")).toBe("print('é')\n");
  expect([...byPath["model.bin"]!]).toEqual([0, 255, 10, 13, 128]);
  expect(packed.items.every((i) => /^[-._a-zA-Z0-9]+$/.test(i.key))).toBe(true);

  const big = buildContextSecretFor({ id: "x", installation: "academy", context: { Dockerfile: "x".repeat(MAX_CONTEXT_BYTES + 1) } });
  expect(big).toMatchObject({ ok: false, code: "context-too-large" });
  expect(buildContextSecretFor({ id: "x", installation: "academy", context: {} })).toMatchObject({ ok: false, code: "context-empty" });
});

test("byte quantities read as MiB", () => {
  expect([mebibytes("3Gi"), mebibytes("400Mi"), mebibytes("2048Ki"), mebibytes("1048576")]).toEqual([3072, 400, 2, 1]);
  expect(() => mebibytes("3G")).toThrow(/not a byte quantity/);
});

test("a learner's images live under one stable folder per learner and installation, named by a digest", () => {
  const key = learnerImageKey("academy", "user-1");
  expect(key).toMatch(/^[0-9a-f]{16}$/);
  expect(learnerImageKey("academy", "user-1")).toBe(key);
  expect(learnerImageKey("academy", "user-2")).not.toBe(key);
  expect(learnerImageKey("other", "user-1")).not.toBe(key);
  expect(learnerRepository("academy", "user-1", "model-server")).toBe(`learners/${key}/model-server`);
  expect(learnerImageRef(`learners/${key}/model-server`, "latest")).toBe(`registry.academy.local/learners/${key}/model-server:latest`);
});
