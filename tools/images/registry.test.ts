import { expect, test } from "vitest";
import { registryConfigYaml, registryLayout } from "./registry";

test("the registry listens on loopback only and stores under its own folder", () => {
  const l = registryLayout({ registryDir: "/cache/academy/registry", registryPort: 15000 });
  expect(l).toMatchObject({
    address: "127.0.0.1:15000",
    dataDir: "/cache/academy/registry/data",
    configFile: "/cache/academy/registry/config.yml",
    hostsDir: "/cache/academy/registry/containerd/certs.d",
  });
  const yaml = registryConfigYaml(l);
  expect(yaml).toContain("addr: 127.0.0.1:15000");
  expect(yaml).toContain('rootdirectory: "/cache/academy/registry/data"');
  expect(yaml).not.toMatch(/addr: (0\.0\.0\.0|:)/);
});
