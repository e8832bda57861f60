import { expect, test } from "vitest";
import { formatImageRef, mirroredRef, parseImageRef, pathCollisions, upstreamRegistries } from "./references";

function parsed(ref: string) {
  const r = parseImageRef(ref);
  if (!r.ok) throw new Error(r.error);
  return r.ref;
}

test("a Docker Hub short name gets docker.io and library/, as Docker and containerd normalise it", () => {
  expect(parsed("python:3.11-slim")).toEqual({ registry: "docker.io", repository: "library/python", tag: "3.11-slim" });
  expect(parsed("bitnami/redis:7.2")).toEqual({ registry: "docker.io", repository: "bitnami/redis", tag: "7.2" });
  expect(parsed("docker.io/library/debian:bookworm-slim").repository).toBe("library/debian");
});

test("a registry host keeps its path; a port is not mistaken for a tag", () => {
  expect(parsed("ghcr.io/academy-labs/model-server:1.4.2")).toEqual({
    registry: "ghcr.io",
    repository: "academy-labs/model-server",
    tag: "1.4.2",
  });
  expect(parsed("127.0.0.1:15000/academy/pause:3.10.2")).toEqual({ registry: "127.0.0.1:15000", repository: "academy/pause", tag: "3.10.2" });
  expect(parsed("localhost/app:v1").registry).toBe("localhost");
});

test("untagged, digest and malformed references are refused with a reason", () => {
  expect(parseImageRef("ghcr.io/academy-labs/model-server")).toMatchObject({ ok: false, error: expect.stringContaining("no tag") });
  expect(parseImageRef("python@sha256:abc")).toMatchObject({ ok: false, error: expect.stringContaining("digest") });
  expect(parseImageRef("ghcr.io/Academy/Server:1")).toMatchObject({ ok: false, error: expect.stringContaining("repository") });
  expect(parseImageRef("python:bad tag")).toMatchObject({ ok: false });
});

test("a mirrored reference keeps path and tag under the loopback address", () => {
  const ref = mirroredRef(parsed("ghcr.io/academy-labs/model-server:1.4.2"), "127.0.0.1:15000");
  expect(formatImageRef(ref)).toBe("127.0.0.1:15000/academy-labs/model-server:1.4.2");
  expect(formatImageRef(mirroredRef(parsed("python:3.11-slim"), "127.0.0.1:15000"))).toBe("127.0.0.1:15000/library/python:3.11-slim");
});

test("upstream registries are listed once each, sorted", () => {
  const refs = ["python:3.11-slim", "debian:12-slim", "ghcr.io/a/b:1", "registry.k8s.io/pause:3.10"].map(parsed);
  expect(upstreamRegistries(refs)).toEqual(["docker.io", "ghcr.io", "registry.k8s.io"]);
});

test("two public names that would share one registry path are reported", () => {
  const refs = ["ghcr.io/acme/app:1", "docker.io/acme/app:1", "ghcr.io/acme/app:2", "ghcr.io/acme/app:1"].map(parsed);
  expect(pathCollisions(refs)).toEqual([["ghcr.io/acme/app:1", "docker.io/acme/app:1"]]);
});
