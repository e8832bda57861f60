import { expect, test } from "vitest";
import { assertRole, ForbiddenError, hasRole } from "./authorize";

test("assertRole lets the named roles and admins through and refuses everyone else", () => {
  expect(() => assertRole({ role: "admin" }, "admin")).not.toThrow();
  expect(() => assertRole({ role: "instructor" }, "instructor")).not.toThrow();
  expect(() => assertRole({ role: "admin" }, "instructor")).not.toThrow();
  expect(() => assertRole({ role: "learner" }, "instructor")).toThrow(ForbiddenError);
  expect(() => assertRole({ role: "reviewer" }, "admin")).toThrow("Only administrators can do this.");
  expect(() => assertRole(null, "admin")).toThrow(ForbiddenError);
  expect(() => assertRole(undefined, "instructor")).toThrow("Only instructors and administrators can do this.");
  expect(hasRole({ role: "learner" }, "learner")).toBe(true);
  expect(hasRole(null, "learner")).toBe(false);
});
