import { expect, test } from "vitest";
import { buildOrder, IMAGES, type ImageSpec, publicRefs, pushRefs } from "./images";
import { formatImageRef, pathCollisions, upstreamRegistries } from "./references";

test("bases are built before the images on top of them", () => {
  expect(buildOrder(["model-server"])).toEqual(["debian", "python", "model-server"]);
  expect(buildOrder(["pause", "workspace", "debian"])).toEqual(["pause", "debian", "workspace"]);
  const all = buildOrder(IMAGES.map((i) => i.name));
  for (const spec of IMAGES) if (spec.base) expect(all.indexOf(spec.base)).toBeLessThan(all.indexOf(spec.name));
});

test("a base cycle is refused", () => {
  const loop: ImageSpec[] = IMAGES.map((i) => (i.name === "debian" ? { ...i, base: "model-server" } : i));
  expect(() => buildOrder(["model-server"], loop)).toThrow(/cycle/);
});

test("the model server is pushed under its local name and the public name lab text uses", () => {
  const model = IMAGES.find((i) => i.name === "model-server")!;
  expect(pushRefs(model, "127.0.0.1:15000").map(formatImageRef)).toEqual([
    "127.0.0.1:15000/academy/model-server:1.4.2",
    "127.0.0.1:15000/academy-labs/model-server:1.4.2",
  ]);
  const python = IMAGES.find((i) => i.name === "python")!;
  expect(pushRefs(python, "127.0.0.1:15000").map(formatImageRef)).toContain("127.0.0.1:15000/library/python:3.11-slim");
});

test("public names come from three registries and never share a registry path", () => {
  expect(upstreamRegistries(publicRefs())).toEqual(["docker.io", "ghcr.io", "registry.k8s.io"]);
  expect(pathCollisions(publicRefs())).toEqual([]);
  const local = IMAGES.flatMap((i) => i.tags.map((t) => `${i.localRepository}:${t}`));
  const mirrored = publicRefs().map((r) => `${r.repository}:${r.tag}`);
  expect(local.filter((l) => mirrored.includes(l))).toEqual([]);
});

test("the server images run as user 10001; the model server listens on 8080", () => {
  const model = IMAGES.find((i) => i.name === "model-server")!;
  expect(model.config.user).toBe("10001:10001");
  expect(model.config.exposedPorts).toEqual(["8080/tcp"]);
  expect(model.config.cmd).toEqual(expect.arrayContaining(["--port", "8080"]));
});
