import { ApiException } from "@kubernetes/client-node";
import { expect, test } from "vitest";
import {
  ClusterUnreachable,
  KubeConflict,
  KubeForbidden,
  KubeNotFound,
  ManifestRejected,
  SandboxQuotaExceeded,
  asManifestError,
  kubeErrorFrom,
  parseQuotaMessage,
  toKubeError,
} from "./errors";

const quotaMessage =
  'configmaps "z8" is forbidden: exceeded quota: sandbox-quota, requested: configmaps=1, used: configmaps=10, limited: configmaps=10';

test("a quota refusal says which quota, what is used and what the limit is", () => {
  const error = kubeErrorFrom(403, { message: quotaMessage, reason: "Forbidden" }, { kind: "ConfigMap", name: "z8" });
  expect(error).toBeInstanceOf(SandboxQuotaExceeded);
  const quota = error as SandboxQuotaExceeded;
  expect(quota.quota).toBe("sandbox-quota");
  expect(quota.resources).toEqual([{ resource: "configmaps", requested: "1", used: "10", hard: "10" }]);
  expect(quota.message).toMatch(/^ConfigMap "z8" would exceed your sandbox quota "sandbox-quota" \(configmaps: 10 used of 10/);
  expect(quota.message).toMatch(/Delete something you no longer need/);
});

test("quota messages with several resources are split correctly", () => {
  const parsed = parseQuotaMessage(
    "exceeded quota: q, requested: limits.cpu=2,pods=1, used: limits.cpu=1,pods=9, limited: limits.cpu=2,pods=10",
  );
  expect(parsed.resources).toEqual([
    { resource: "limits.cpu", requested: "2", used: "1", hard: "2" },
    { resource: "pods", requested: "1", used: "9", hard: "10" },
  ]);
});

test("403, 404, 409 and 422 each map to their own type", () => {
  expect(kubeErrorFrom(403, { message: "forbidden", reason: "Forbidden" })).toBeInstanceOf(KubeForbidden);
  expect(kubeErrorFrom(404, { message: "not found", reason: "NotFound" })).toBeInstanceOf(KubeNotFound);
  expect(kubeErrorFrom(409, { message: "conflict", reason: "Conflict" })).toBeInstanceOf(KubeConflict);
  const invalid = kubeErrorFrom(
    422,
    {
      message: 'Service "bad" is invalid: spec.ports[0].port: Invalid value: 99999',
      reason: "Invalid",
      details: { causes: [{ field: "spec.ports[0].port", message: "Invalid value" }] },
    },
    { kind: "Service", name: "bad", document: 3 },
  );
  expect(invalid).toBeInstanceOf(ManifestRejected);
  expect(invalid).toMatchObject({ field: "spec.ports[0].port", document: 3, kind: "Service", objectName: "bad" });
  expect(invalid.message).toMatch(/^Document 3: Service "bad" was rejected by the cluster: .*Fix the field/);
});

test("an unknown field in server-side apply (reported as 500) is a rejected manifest", () => {
  const error = kubeErrorFrom(500, { message: "failed to create typed patch object (ns/y; /v1, Kind=ConfigMap): .bogus: field not declared in schema" });
  expect(error).toBeInstanceOf(ManifestRejected);
  expect(error.status).toBe(422);
});

test("client-node's ApiException and socket errors are mapped too", () => {
  const fromLibrary = toKubeError(new ApiException(404, "nope", JSON.stringify({ message: "pods \"x\" not found" }), {}));
  expect(fromLibrary).toBeInstanceOf(KubeNotFound);
  const refused = toKubeError(Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:16443"), { code: "ECONNREFUSED" }), "https://127.0.0.1:16443");
  expect(refused).toBeInstanceOf(ClusterUnreachable);
  expect((refused as Error).message).toMatch(/cannot be reached \(ECONNREFUSED\).*Start the local control plane/);
  const wrapped = toKubeError(new TypeError("fetch failed", { cause: Object.assign(new Error("x"), { code: "ETIMEDOUT" }) }));
  expect(wrapped).toMatchObject({ name: "ClusterUnreachable", detail: "ETIMEDOUT" });
  const other = new RangeError("unrelated");
  expect(toKubeError(other)).toBe(other);
});

test("for a learner's object, every API refusal is a ManifestRejected except quota", () => {
  const context = { document: 2, kind: "Role", name: "mine" };
  const forbidden = asManifestError(kubeErrorFrom(403, { message: 'roles.rbac.authorization.k8s.io "mine" is forbidden' }), context);
  expect(forbidden).toBeInstanceOf(ManifestRejected);
  expect((forbidden as Error).message).toMatch(/^Document 2: Role "mine" was rejected.*does not allow this/);
  const podSecurity = asManifestError(kubeErrorFrom(403, { message: 'pods "p" is forbidden: violates PodSecurity "restricted:latest": privileged' }), context);
  expect((podSecurity as Error).message).toMatch(/must run as a non-root user/);
  expect(asManifestError(kubeErrorFrom(403, { message: quotaMessage }), context)).toBeInstanceOf(SandboxQuotaExceeded);
});
