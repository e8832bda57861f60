import { expect, test } from "vitest";
import { LabFrontmatterSchema } from "./schema";

const base = {
  title: "Containerise",
  module: "containers",
  summary: "Write a Dockerfile.",
  difficulty: "beginner",
  minutes: 30,
  sandbox: "none",
  files: [
    { path: "Dockerfile", language: "dockerfile" },
    { path: "app/main.py", language: "python", readonly: true },
  ],
};

const problems = (value: unknown) => {
  const parsed = LabFrontmatterSchema.safeParse(value);
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

test("a lab may declare the image its Build image button builds; the context defaults to every file", () => {
  const parsed = LabFrontmatterSchema.parse({ ...base, build: { dockerfile: "Dockerfile", image: "model-server" } });
  expect(parsed.build).toEqual({ dockerfile: "Dockerfile", context: ".", image: "model-server" });
  expect(LabFrontmatterSchema.parse(base).build).toBeUndefined();
});

test("the Dockerfile must be a lab file inside the context, and the image a plain name", () => {
  expect(problems({ ...base, build: { dockerfile: "Containerfile", image: "m" } })).toEqual(["build.dockerfile: Containerfile is not one of the lab's files"]);
  expect(problems({ ...base, build: { dockerfile: "Dockerfile", context: "app", image: "m" } })).toEqual([
    "build.dockerfile: Dockerfile is outside the build context app",
  ]);
  expect(problems({ ...base, build: { dockerfile: "Dockerfile", context: "web", image: "m" } })).toContain("build.context: no lab file is inside web");
  expect(problems({ ...base, build: { dockerfile: "Dockerfile", image: "Model Server" } })).toEqual(["build.image: must be an image name such as model-server"]);
  expect(problems({ ...base, build: { dockerfile: "../Dockerfile", image: "m" } }).length).toBeGreaterThan(0);
  expect(problems({ ...base, build: { dockerfile: "Dockerfile", image: "m", push: true } }).length).toBeGreaterThan(0);
});
