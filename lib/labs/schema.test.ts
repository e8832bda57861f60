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

test("steps: kebab-case ids, at least one check each, and a step setup folder inside the lab", () => {
  const sandboxed = { ...base, sandbox: "small" };
  const steps = [
    { id: "create", title: "Create", checks: ["a"] },
    { id: "scale", title: "Scale", checks: ["b"], setup: "steps/scale/setup/" },
  ];
  expect(LabFrontmatterSchema.parse({ ...sandboxed, steps }).steps?.[1]?.setup).toBe("steps/scale/setup");
  expect(LabFrontmatterSchema.parse(base).steps).toBeUndefined();
  for (const setup of ["../setup", "/abs", "starter/setup", "solution", "Steps/x", "a//b"]) {
    expect(problems({ ...sandboxed, steps: [steps[0], { ...steps[1], setup }] }).length, setup).toBeGreaterThan(0);
  }
  expect(problems({ ...sandboxed, steps: [{ id: "Create It", title: "C", checks: ["a"] }] })).toEqual(["steps.0.id: must be kebab-case, such as create-the-deployment"]);
  expect(problems({ ...sandboxed, steps: [{ id: "create", title: "C", checks: ["a", "a"] }] })).toEqual(['steps.0.checks: names check "a" twice']);
  expect(problems({ ...sandboxed, steps: [] })).toEqual(["steps: needs at least one step (or leave `steps` out)"]);
  expect(problems({ ...sandboxed, steps: [{ id: "create", title: "C", checks: ["a"], hint: "x" }] }).length).toBeGreaterThan(0);
});
