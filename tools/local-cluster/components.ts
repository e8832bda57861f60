// The components of the local cluster, in start order: how each is started (its command line),
// which ports it takes, how its health is probed, and what must happen just before it starts.
// Start, stop and status (cluster.ts) only walk this list. The real node's components (relays,
// containerd, kubelet, kube-proxy, kube-router's policy controller, CoreDNS; marked `node`) run only when the node does (see
// node/support.ts); their configuration is in node/.
import path from "node:path";
import { type Health, probe, tlsFor } from "./health";
import { ensureKwokRbac, releaseNodeLeases } from "./kwok";
import type { Layout } from "./layout";
import type { ClusterPorts } from "./options";
import { ensureCgroupRoot, ensureCorednsRbac, ensureImages, ensureKubeletRootShared, ensureKubeRouterRbac, ensureClusterDnsService, writeNodeFiles } from "./node/prepare";
import { ensureNodeNetwork, LINK_PORTS, NS_PORTS } from "./node/network";
import { NODE_LABEL, NODE_NAME } from "./node/configs";
import { spawnSync } from "node:child_process";

export type ComponentName =
  | "etcd" | "kube-apiserver" | "kube-controller-manager" | "kube-scheduler" | "kwok"
  | "apiserver-relay" | "registry-relay" | "containerd" | "kubelet" | "kube-proxy" | "kube-router" | "coredns";

export type Component = {
  name: ComponentName;
  /** Its listening ports on the host's loopback; the first is the one it is known by (status). Empty for node components. */
  ports: readonly (keyof ClusterPorts)[];
  /** Part of the real node: started only when the node runs. Their addresses are on the node's link. */
  node?: true;
  /** Where it is reached, for status output (default 127.0.0.1:<first port>). */
  address?: (l: Layout) => string;
  /** argv; argv[0] is a binary named like the component (that is how its process is recognised). */
  command: (l: Layout) => string[];
  health: (l: Layout) => Promise<Health>;
  /** Runs right before the component is (re)started, once the components before it are healthy. */
  beforeStart?: (l: Layout) => Promise<void>;
};

export const COMPONENTS: readonly Component[] = [
  {
    name: "etcd",
    ports: ["etcdClient", "etcdPeer"],
    command: (l) => {
      const p = (f: string) => path.join(l.pkiDir, f);
      return [path.join(l.binDir, "etcd"),
        "--name=academy",
        `--data-dir=${l.etcdDir}`,
        `--listen-client-urls=https://127.0.0.1:${l.ports.etcdClient}`,
        `--advertise-client-urls=https://127.0.0.1:${l.ports.etcdClient}`,
        `--listen-peer-urls=http://127.0.0.1:${l.ports.etcdPeer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${l.ports.etcdPeer}`,
        `--initial-cluster=academy=http://127.0.0.1:${l.ports.etcdPeer}`,
        `--cert-file=${p("etcd-server.crt")}`, `--key-file=${p("etcd-server.key")}`,
        `--trusted-ca-file=${p("ca.crt")}`, "--client-cert-auth=true",
        "--log-level=warn",
      ];
    },
    health: (l) =>
      probe(`https://127.0.0.1:${l.ports.etcdClient}/health`, tlsFor(l, "apiserver-etcd-client"), (body) =>
        /"health":\s*"true"/.test(body),
      ),
  },
  {
    name: "kube-apiserver",
    ports: ["apiserver"],
    command: (l) => {
      const p = (f: string) => path.join(l.pkiDir, f);
      return [path.join(l.binDir, "kube-apiserver"),
        "--advertise-address=127.0.0.1", "--bind-address=127.0.0.1", `--secure-port=${l.ports.apiserver}`,
        `--etcd-servers=https://127.0.0.1:${l.ports.etcdClient}`,
        `--etcd-cafile=${p("ca.crt")}`, `--etcd-certfile=${p("apiserver-etcd-client.crt")}`,
        `--etcd-keyfile=${p("apiserver-etcd-client.key")}`,
        `--client-ca-file=${p("ca.crt")}`,
        `--tls-cert-file=${p("apiserver.crt")}`, `--tls-private-key-file=${p("apiserver.key")}`,
        `--service-account-key-file=${p("sa.pub")}`, `--service-account-signing-key-file=${p("sa.key")}`,
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        `--service-cluster-ip-range=${l.node.network.serviceCidr}`,
        `--requestheader-client-ca-file=${p("front-proxy-ca.crt")}`,
        "--requestheader-allowed-names=front-proxy-client",
        "--requestheader-username-headers=X-Remote-User",
        "--requestheader-group-headers=X-Remote-Group",
        "--requestheader-extra-headers-prefix=X-Remote-Extra-",
        `--proxy-client-cert-file=${p("front-proxy-client.crt")}`, `--proxy-client-key-file=${p("front-proxy-client.key")}`,
        "--authorization-mode=Node,RBAC",
        "--enable-admission-plugins=NamespaceLifecycle,LimitRanger,ServiceAccount,DefaultStorageClass," +
          "DefaultTolerationSeconds,NodeRestriction,PodSecurity,Priority,ResourceQuota," +
          // The platform pins sandboxes to the real node or to KWOK with namespace annotations.
          "PodNodeSelector,PodTolerationRestriction," +
          "MutatingAdmissionWebhook,ValidatingAdmissionWebhook,ValidatingAdmissionPolicy," +
          // CVE-2020-8554: no Service may claim external IPs (the platform's admission policy refuses it too).
          "DenyServiceExternalIPs",
        "--allow-privileged=true", // privileged pods are allowed by the apiserver; Pod Security Admission restricts per namespace
        "--profiling=false",
        // To kubelet on the real node (logs, exec, port-forward): a client certificate, and kubelet's serving certificate checked.
        `--kubelet-client-certificate=${p("apiserver-kubelet-client.crt")}`, `--kubelet-client-key=${p("apiserver-kubelet-client.key")}`,
        `--kubelet-certificate-authority=${p("ca.crt")}`, "--kubelet-preferred-address-types=InternalIP",
        // The 127.0.0.1 advertise address cannot go into the `kubernetes` Endpoints (loopback is invalid there).
        "--endpoint-reconciler-type=none",
      ];
    },
    health: (l) => probe(`https://127.0.0.1:${l.ports.apiserver}/readyz`, tlsFor(l, "admin")),
  },
  {
    name: "kube-controller-manager",
    ports: ["controllerManager"],
    command: (l) => {
      const p = (f: string) => path.join(l.pkiDir, f);
      const kubeconfig = l.kubeconfig["controller-manager"];
      return [path.join(l.binDir, "kube-controller-manager"),
        `--kubeconfig=${kubeconfig}`,
        `--authentication-kubeconfig=${kubeconfig}`,
        `--authorization-kubeconfig=${kubeconfig}`,
        "--bind-address=127.0.0.1", `--secure-port=${l.ports.controllerManager}`,
        `--tls-cert-file=${p("controller-manager-serving.crt")}`, `--tls-private-key-file=${p("controller-manager-serving.key")}`,
        `--client-ca-file=${p("ca.crt")}`,
        `--cluster-signing-cert-file=${p("ca.crt")}`, `--cluster-signing-key-file=${p("ca.key")}`,
        `--root-ca-file=${p("ca.crt")}`, `--service-account-private-key-file=${p("sa.key")}`,
        "--use-service-account-credentials=true",
        `--service-cluster-ip-range=${l.node.network.serviceCidr}`,
        "--leader-elect=false",
        "--profiling=false",
      ];
    },
    health: (l) => probe(`https://127.0.0.1:${l.ports.controllerManager}/healthz`, tlsFor(l, null)),
  },
  {
    name: "kube-scheduler",
    ports: ["scheduler"],
    command: (l) => {
      const p = (f: string) => path.join(l.pkiDir, f);
      return [path.join(l.binDir, "kube-scheduler"),
        `--kubeconfig=${l.kubeconfig.scheduler}`,
        `--authentication-kubeconfig=${l.kubeconfig.scheduler}`,
        `--authorization-kubeconfig=${l.kubeconfig.scheduler}`,
        "--bind-address=127.0.0.1", `--secure-port=${l.ports.scheduler}`,
        `--tls-cert-file=${p("scheduler-serving.crt")}`, `--tls-private-key-file=${p("scheduler-serving.key")}`,
        `--client-ca-file=${p("ca.crt")}`,
        "--leader-elect=false",
        "--profiling=false",
      ];
    },
    health: (l) => probe(`https://127.0.0.1:${l.ports.scheduler}/healthz`, tlsFor(l, null)),
  },
  {
    name: "kwok",
    ports: ["kwok"],
    command: (l) => [path.join(l.binDir, "kwok"),
      `--kubeconfig=${l.kubeconfig.kwok}`,
      `--config=${l.kwokConfig}`,
      "--manage-all-nodes=false",
      "--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake",
      "--node-lease-duration-seconds=40",
      // Fake pod IPs, never routed: outside 10/8 and the real node's pod ranges (198.18.0-63.0/24).
      "--cidr=198.18.64.0/18",
      "--node-ip=127.0.0.1",
      `--server-address=127.0.0.1:${l.ports.kwok}`,
    ],
    health: (l) => probe(`http://127.0.0.1:${l.ports.kwok}/healthz`, null),
    beforeStart: async (l) => {
      await ensureKwokRbac(l);
      await releaseNodeLeases(l);
    },
  },
];

const nsenter = (l: Layout) => ["/usr/bin/nsenter", `--net=/run/netns/${l.node.network.netns}`];

function containerdAnswers(l: Layout): Promise<Health> {
  const r = spawnSync("ctr", ["-a", l.node.containerdSocket, "version"], { encoding: "utf8", timeout: 5000 });
  return Promise.resolve(r.status === 0 ? { ok: true, detail: "" } : { ok: false, detail: (r.stderr || "no answer").trim().slice(0, 300) });
}

/** The real node, in start order after the control plane. */
const NODE_COMPONENTS: readonly Component[] = [
  {
    // The API server listens on loopback only; kube-proxy (in the node netns) and pods reach it here.
    name: "apiserver-relay",
    ports: [],
    node: true,
    address: (l) => `${l.node.network.hostIp}:${LINK_PORTS.apiserver}`,
    command: (l) => [path.join(l.node.relayBinDir, "apiserver-relay"),
      `TCP-LISTEN:${LINK_PORTS.apiserver},bind=${l.node.network.hostIp},fork,reuseaddr`, `TCP:127.0.0.1:${l.ports.apiserver}`],
    health: (l) => probe(`https://${l.node.network.hostIp}:${LINK_PORTS.apiserver}/readyz`, tlsFor(l, "admin")),
    beforeStart: async (l) => {
      writeNodeFiles(l);
      ensureNodeNetwork(l.node.network, l.log);
    },
  },
  {
    // containerd pulls from inside the node netns; the machine's registry listens on loopback.
    name: "registry-relay",
    ports: [],
    node: true,
    address: (l) => `${l.node.network.hostIp}:${LINK_PORTS.registry}`,
    command: (l) => [path.join(l.node.relayBinDir, "registry-relay"),
      `TCP-LISTEN:${LINK_PORTS.registry},bind=${l.node.network.hostIp},fork,reuseaddr`, `TCP:${l.node.registryAddress}`],
    health: (l) => probe(`http://${l.node.network.hostIp}:${LINK_PORTS.registry}/v2/`, null),
    beforeStart: async (l) => {
      l.node.registryAddress = await ensureImages(l);
    },
  },
  {
    name: "containerd",
    ports: [],
    node: true,
    address: (l) => l.node.containerdSocket,
    command: (l) => [...nsenter(l), "/usr/bin/containerd", "--config", l.node.containerdConfig],
    health: containerdAnswers,
  },
  {
    name: "kubelet",
    ports: [],
    node: true,
    address: (l) => `${l.node.network.hostIp}:${LINK_PORTS.kubelet}`,
    command: (l) => ["/bin/bash", l.node.kubeletScript, path.join(l.binDir, "kubelet"),
      `--config=${l.node.kubeletConfig}`, `--kubeconfig=${l.kubeconfig.kubelet}`, `--root-dir=${l.node.kubeletRootDir}`,
      `--hostname-override=${NODE_NAME}`, `--node-ip=${l.node.network.hostIp}`, `--node-labels=${NODE_LABEL.key}=${NODE_LABEL.value}`,
      "--v=1"],
    health: (l) => probe(`http://${l.node.network.hostIp}:${LINK_PORTS.kubeletHealthz}/healthz`, null),
    beforeStart: async (l) => {
      ensureCgroupRoot(l);
      ensureKubeletRootShared(l);
    },
  },
  {
    name: "kube-proxy",
    ports: [],
    node: true,
    address: (l) => `${l.node.network.nsIp}:${NS_PORTS.kubeProxyHealthz}`,
    command: (l) => [...nsenter(l), path.join(l.binDir, "kube-proxy"), `--config=${l.node.kubeProxyConfig}`, "--v=1"],
    // 200 once it has programmed the rules at least once (503 while the node is not yet registered).
    health: (l) => probe(`http://${l.node.network.nsIp}:${NS_PORTS.kubeProxyHealthz}/healthz`, null),
  },
  {
    // NetworkPolicy enforcement (decision 014): only kube-router's firewall, inside the node netns,
    // where its iptables chains and ipsets live (deleting the netns at stop removes them).
    name: "kube-router",
    ports: [],
    node: true,
    address: (l) => `${l.node.network.nsIp}:${NS_PORTS.kubeRouterHealthz}`,
    command: (l) => [...nsenter(l), path.join(l.binDir, "kube-router"),
      `--kubeconfig=${l.kubeconfig["kube-router"]}`, `--hostname-override=${NODE_NAME}`,
      "--run-firewall=true", "--run-router=false", "--run-service-proxy=false", "--run-loadbalancer=false",
      "--enable-cni=false", "--enable-ipv4=true", "--enable-ipv6=false",
      `--service-cluster-ip-range=${l.node.network.serviceCidr}`,
      `--health-port=${NS_PORTS.kubeRouterHealthz}`, "--metrics-port=0", "--v=1"],
    // 200 once its informers have synced and every controller has reported in.
    health: (l) => probe(`http://${l.node.network.nsIp}:${NS_PORTS.kubeRouterHealthz}/healthz`, null),
    beforeStart: ensureKubeRouterRbac,
  },
  {
    name: "coredns",
    ports: [],
    node: true,
    address: (l) => `${l.node.network.dnsIp}:${LINK_PORTS.dns}`,
    command: (l) => [path.join(l.binDir, "coredns"), "-conf", l.node.corefile],
    health: (l) => probe(`http://${l.node.network.dnsIp}:${LINK_PORTS.dnsReady}/ready`, null),
    beforeStart: async (l) => {
      await ensureCorednsRbac(l);
      await ensureClusterDnsService(l);
    },
  },
];

export const ALL_COMPONENTS: readonly Component[] = [...COMPONENTS, ...NODE_COMPONENTS];

export const COMPONENT_NAMES: readonly ComponentName[] = ALL_COMPONENTS.map((c) => c.name);

/** The components of this cluster: the control plane, plus the real node's when it runs. */
export function componentsOf(nodeEnabled: boolean): readonly Component[] {
  return nodeEnabled ? ALL_COMPONENTS : COMPONENTS;
}

/** Where a component is reached, for status output. */
export function addressOf(l: Layout, c: Component): string {
  if (c.address) return c.address(l);
  const first = c.ports[0];
  return first ? `127.0.0.1:${l.ports[first]}` : "";
}
