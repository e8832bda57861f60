import { expect, test } from "vitest";
import { missingToolPackages } from "./build";

test("missing build tools are named by the Debian package that provides them, once each", () => {
  expect(missingToolPackages(() => true)).toEqual([]);
  expect(missingToolPackages((cmd) => !["umoci", "skopeo"].includes(cmd))).toEqual(["umoci", "skopeo"]);
  expect(missingToolPackages(() => false)).toEqual(["debootstrap", "umoci", "skopeo", "docker-registry", "util-linux", "dpkg"]);
});
