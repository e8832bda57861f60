// What the real node needs on disk and in the API before its processes start: the config files,
// the relay links, the registry's host files, the images (built once, cached, pushed to the local
// registry), kubelet's shared root mount, and the RBAC and endpoints the node's clients use.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { buildImages } from "../../images/build";
import { containerdHostsFiles } from "../../images/containerd-hosts";
import { publicRefs } from "../../images/images";
import { upstreamRegistries } from "../../images/references";
import { startRegistry } from "../../images/registry";
import { imagesSettingsFromEnv, registryAddress } from "../../images/settings";
import { LocalClusterError } from "../errors";
import { api } from "../health";
import type { Layout } from "../layout";
import { cniConfig, NODE_NAME, containerdConfig, corefile, KUBELET_SYSCTLS, kubeletConfig, kubeletScript, kubeProxyConfig } from "./configs";
import { CLUSTER_DNS_SERVICE_IP, LINK_PORTS } from "./network";

export const RELAYS = ["apiserver-relay", "registry-relay"] as const;
/** The name images built by learners are pushed under (…/sandboxes/<namespace>/<image>:<tag>); the node resolves it to the local registry. */
export const LEARNER_REGISTRY = "registry.academy.local";

export function writeNodeFiles(l: Layout): void {
  const n = l.node;
  for (const d of [n.dir, n.cniConfDir, n.relayBinDir, n.fakeSysctlDir, n.varLibKubelet, n.kubeletRootDir,
    path.join(n.dir, "manifests"), path.join(n.dir, "pod-logs"), path.join(n.dir, "volume-plugins")]) {
    fs.mkdirSync(d, { recursive: true });
  }
  fs.writeFileSync(n.containerdConfig, containerdConfig(n));
  fs.writeFileSync(path.join(n.cniConfDir, "10-academy-node.conflist"), cniConfig(n));
  fs.writeFileSync(n.kubeletConfig, kubeletConfig(n));
  fs.writeFileSync(n.kubeletScript, kubeletScript(n), { mode: 0o755 });
  fs.writeFileSync(n.kubeProxyConfig, kubeProxyConfig(n));
  fs.writeFileSync(n.corefile, corefile(n));
  // dnsPolicy: Default pods get this: nothing resolves off the machine.
  fs.writeFileSync(n.resolvConf, `nameserver ${n.network.dnsIp}\n`);
  for (const [key, value] of Object.entries(KUBELET_SYSCTLS)) fs.writeFileSync(path.join(n.fakeSysctlDir, key.replace(/\//g, ".")), `${value}\n`);
  for (const relay of RELAYS) {
    const link = path.join(n.relayBinDir, relay);
    if (!fs.existsSync(link)) fs.symlinkSync("/usr/bin/socat", link);
  }
  // containerd pulls from inside the node netns: the registry is reached through its relay.
  const relayAddress = `${n.network.hostIp}:${LINK_PORTS.registry}`;
  fs.rmSync(n.registryHostsDir, { recursive: true, force: true });
  for (const f of containerdHostsFiles([...upstreamRegistries(publicRefs()), LEARNER_REGISTRY], relayAddress)) {
    fs.mkdirSync(path.join(n.registryHostsDir, f.dir), { recursive: true });
    fs.writeFileSync(path.join(n.registryHostsDir, f.dir, "hosts.toml"), f.content);
  }
}

/** The registry address that builders on the node push to and pods pull from (the relay). */
export function nodeRegistryAddress(l: Layout): string {
  return `${l.node.network.hostIp}:${LINK_PORTS.registry}`;
}

/** Builds the images (a no-op when cached) and makes sure the machine's registry is up. */
export async function ensureImages(l: Layout): Promise<string> {
  // The images' own settings (ACADEMY_CACHE_DIR, ACADEMY_REGISTRY_PORT, ACADEMY_DEBIAN_MIRROR).
  const s = imagesSettingsFromEnv();
  if (!s.ok) throw new LocalClusterError(`images: ${s.error}`);
  const t0 = Date.now();
  const built = await buildImages(s.settings, { push: true, keepRegistry: true, log: (line) => l.log(line) });
  if (!built.ok) throw new LocalClusterError(`the node's images could not be built (${built.code}): ${built.error}`);
  const reg = await startRegistry(s.settings);
  if (!reg.ok) throw new LocalClusterError(`the local image registry did not start: ${reg.error}`);
  const cached = built.images.filter((i) => i.cached).length;
  l.log(`images: ${built.images.length} images ready (${cached} from the cache) in the registry at ${registryAddress(s.settings)} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return registryAddress(s.settings);
}

function isMountPoint(dir: string): boolean {
  return fs.readFileSync("/proc/self/mountinfo", "utf8").split("\n").some((line) => line.split(" ")[4] === dir);
}

/** kubelet's root dir as a shared mount, so the volumes kubelet mounts in its own namespace reach runc. */
export function ensureKubeletRootShared(l: Layout): void {
  const dir = l.node.kubeletRootDir;
  if (!isMountPoint(dir)) {
    const r = spawnSync("mount", ["--bind", dir, dir], { encoding: "utf8" });
    if (r.status !== 0) throw new LocalClusterError(`cannot bind-mount ${dir}: ${r.stderr.trim()}`);
  }
  const r = spawnSync("mount", ["--make-shared", dir], { encoding: "utf8" });
  if (r.status !== 0) throw new LocalClusterError(`cannot make ${dir} a shared mount: ${r.stderr.trim()}`);
}

async function put(l: Layout, collection: string, name: string, body: object) {
  const r = await api(l, "PUT", `${collection}/${name}`, body);
  if (r.status === 404) {
    const c = await api(l, "POST", collection, body);
    if (c.status >= 300) throw new LocalClusterError(`creating ${collection}/${name} failed: HTTP ${c.status} ${c.body.slice(0, 300)}`);
  } else if (r.status >= 300) {
    throw new LocalClusterError(`updating ${collection}/${name} failed: HTTP ${r.status} ${r.body.slice(0, 300)}`);
  }
}

/** CoreDNS may read what it serves; nothing else. */
export async function ensureCorednsRbac(l: Layout): Promise<void> {
  await put(l, "/apis/rbac.authorization.k8s.io/v1/clusterroles", "academy:coredns", {
    apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "academy:coredns" },
    rules: [
      { apiGroups: [""], resources: ["services", "pods", "namespaces"], verbs: ["list", "watch"] },
      { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["list", "watch"] },
    ],
  });
  await put(l, "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", "academy:coredns", {
    apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", metadata: { name: "academy:coredns" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "academy:coredns" },
    subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "academy:coredns" }],
  });
}

/** kube-router's policy controller reads pods, namespaces, policies and the node; it writes nothing. */
export async function ensureKubeRouterRbac(l: Layout): Promise<void> {
  const read = ["get", "list", "watch"];
  await put(l, "/apis/rbac.authorization.k8s.io/v1/clusterroles", "academy:kube-router", {
    apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "academy:kube-router" },
    rules: [
      { apiGroups: [""], resources: ["pods", "namespaces", "nodes", "services", "endpoints"], verbs: read },
      { apiGroups: ["networking.k8s.io"], resources: ["networkpolicies"], verbs: read },
      { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: read },
    ],
  });
  await put(l, "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", "academy:kube-router", {
    apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", metadata: { name: "academy:kube-router" },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "academy:kube-router" },
    subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "academy:kube-router" }],
  });
}

/**
 * The cluster DNS as a Service, `kube-dns` in kube-system, whose endpoints are CoreDNS on the
 * host end of the link (it is no pod, so there is no selector). The platform reads these
 * endpoints to let sandboxes' pods reach the cluster DNS, and only it, on port 53 (decision 014).
 */
export async function ensureClusterDnsService(l: Layout): Promise<void> {
  const labels = { "k8s-app": "kube-dns", "app.kubernetes.io/managed-by": "academy-local-cluster" };
  const r = await api(l, "GET", "/api/v1/namespaces/kube-system/services/kube-dns");
  if (r.status === 404) {
    const c = await api(l, "POST", "/api/v1/namespaces/kube-system/services", {
      apiVersion: "v1", kind: "Service", metadata: { name: "kube-dns", namespace: "kube-system", labels },
      spec: { clusterIP: CLUSTER_DNS_SERVICE_IP, ports: [{ name: "dns", port: 53, protocol: "UDP" }, { name: "dns-tcp", port: 53, protocol: "TCP" }] },
    });
    if (c.status >= 300) throw new LocalClusterError(`creating the kube-dns Service failed: HTTP ${c.status} ${c.body.slice(0, 300)}`);
  } else if (r.status >= 300) {
    throw new LocalClusterError(`reading the kube-dns Service failed: HTTP ${r.status} ${r.body.slice(0, 300)}`);
  }
  await put(l, "/apis/discovery.k8s.io/v1/namespaces/kube-system/endpointslices", "kube-dns", {
    apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice",
    metadata: { name: "kube-dns", namespace: "kube-system", labels: { "kubernetes.io/service-name": "kube-dns", "endpointslice.kubernetes.io/managed-by": "academy-local-cluster" } },
    addressType: "IPv4",
    endpoints: [{ addresses: [l.node.network.dnsIp], conditions: { ready: true } }],
    ports: [{ name: "dns", port: LINK_PORTS.dns, protocol: "UDP" }, { name: "dns-tcp", port: LINK_PORTS.dns, protocol: "TCP" }],
  });
}

/**
 * The `kubernetes` Service's endpoints (the API server writes none: its advertise address is
 * loopback): the relay on the node's link, so pods with in-cluster config reach the API server.
 */
export async function ensureKubernetesEndpoints(l: Layout): Promise<void> {
  await put(l, "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices", "kubernetes", {
    apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice",
    metadata: { name: "kubernetes", namespace: "default", labels: { "kubernetes.io/service-name": "kubernetes", "endpointslice.kubernetes.io/managed-by": "academy-local-cluster" } },
    addressType: "IPv4",
    endpoints: [{ addresses: [l.node.network.hostIp], conditions: { ready: true } }],
    ports: [{ name: "https", port: LINK_PORTS.apiserver, protocol: "TCP" }],
  });
}

/** The real node is registered and Ready. */
export async function realNodeReady(l: Layout): Promise<boolean> {
  const r = await api(l, "GET", `/api/v1/nodes/${NODE_NAME}`);
  if (r.status !== 200) return false;
  const node = JSON.parse(r.body) as { status?: { conditions?: { type: string; status: string }[] } };
  return !!node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True");
}

/** kubelet's cgroupRoot must exist in every cgroup v1 hierarchy before it starts (cpuset needs its cpus and mems). */
export function ensureCgroupRoot(l: Layout): void {
  const base = "/sys/fs/cgroup";
  if (fs.existsSync(path.join(base, "cgroup.controllers"))) {
    fs.mkdirSync(path.join(base, l.node.network.netns), { recursive: true });
    return;
  }
  for (const c of fs.readdirSync(base)) {
    if (c === "unified" || !fs.statSync(path.join(base, c)).isDirectory()) continue;
    const dir = path.join(base, c, l.node.network.netns);
    fs.mkdirSync(dir, { recursive: true });
    if (c === "cpuset") {
      for (const f of ["cpuset.cpus", "cpuset.mems"]) {
        if (!fs.readFileSync(path.join(dir, f), "utf8").trim()) fs.writeFileSync(path.join(dir, f), fs.readFileSync(path.join(base, c, f)));
      }
    }
  }
}
