import { expect, test } from "vitest";
import { containerdHostsFiles, renderCriRegistrySnippet, renderHostsToml } from "./containerd-hosts";

test("hosts.toml sends pulls and resolves to the loopback registry over plain HTTP", () => {
  const toml = renderHostsToml("ghcr.io", "127.0.0.1:15000");
  expect(toml).toContain('server = "http://127.0.0.1:15000"');
  expect(toml).toContain('[host."http://127.0.0.1:15000"]');
  expect(toml).toContain('capabilities = ["pull", "resolve"]');
  // Never a fallback to the real registry: there is no internet, and trying is flagged.
  expect(toml).not.toMatch(/^server = "https:/m);
  expect(toml).not.toMatch(/capabilities = \[.*"push"/);
});

test("every upstream gets a folder named as images name it, plus the registry's own address", () => {
  const files = containerdHostsFiles(["registry.k8s.io", "docker.io", "ghcr.io", "docker.io"], "127.0.0.1:15000");
  expect(files.map((f) => f.dir)).toEqual(["127.0.0.1:15000", "docker.io", "ghcr.io", "registry.k8s.io"]);
  for (const f of files) expect(f.content).toContain('server = "http://127.0.0.1:15000"');
});

test("the port is the configured one", () => {
  const [file] = containerdHostsFiles(["docker.io"], "127.0.0.1:25000");
  expect(file?.content).toContain('[host."http://127.0.0.1:25000"]');
});

test("the CRI fragment points containerd at the hosts folder and the pause image", () => {
  const toml = renderCriRegistrySnippet("/cache/academy/registry/containerd/certs.d", "registry.k8s.io/pause:3.10.2");
  expect(toml).toContain('sandbox_image = "registry.k8s.io/pause:3.10.2"');
  expect(toml).toContain('[plugins."io.containerd.grpc.v1.cri".registry]');
  expect(toml).toContain('config_path = "/cache/academy/registry/containerd/certs.d"');
});
