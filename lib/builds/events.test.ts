import { expect, test } from "vitest";
import { pinnedImageRef } from "./events";

const digest = `sha256:${"ab".repeat(32)}`;

test("the reference to deploy pins the build's digest instead of the moving tag", () => {
  expect(pinnedImageRef("registry.academy.local/learners/0123456789abcdef/model-server:latest", digest)).toBe(
    `registry.academy.local/learners/0123456789abcdef/model-server@${digest}`,
  );
  // A registry host with a port keeps its port.
  expect(pinnedImageRef("198.19.254.5:5000/learners/k/model-server:latest", digest)).toBe(`198.19.254.5:5000/learners/k/model-server@${digest}`);
});

test("a digest that is not one is never glued onto a name", () => {
  expect(pinnedImageRef("registry.academy.local/learners/k/model-server:latest", "sha256:nope")).toBe("registry.academy.local/learners/k/model-server:latest");
});
