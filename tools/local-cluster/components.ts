// The components of the local cluster, in start order: how each is started (its command line),
// which ports it takes, how its health is probed, and what must happen just before it starts.
// Start, stop and status (cluster.ts) only walk this list. A real node's components (containerd,
// a CNI configuration, kubelet, kube-proxy, CoreDNS) are added here as further entries, with
// their binaries from build.sh (kubelet: another wrapper module in gomod/) or Debian packages.
import path from "node:path";
import { type Health, probe, tlsFor } from "./health";
import { ensureKwokRbac, releaseNodeLeases } from "./kwok";
import type { Layout } from "./layout";
import type { ClusterPorts } from "./options";

export type ComponentName = "etcd" | "kube-apiserver" | "kube-controller-manager" | "kube-scheduler" | "kwok";

export type Component = {
  name: ComponentName;
  /** Its listening ports; the first is the one it is known by (status, health). */
  ports: readonly [keyof ClusterPorts, ...(keyof ClusterPorts)[]];
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
        "--service-cluster-ip-range=10.96.0.0/16",
        `--requestheader-client-ca-file=${p("front-proxy-ca.crt")}`,
        "--requestheader-allowed-names=front-proxy-client",
        "--requestheader-username-headers=X-Remote-User",
        "--requestheader-group-headers=X-Remote-Group",
        "--requestheader-extra-headers-prefix=X-Remote-Extra-",
        `--proxy-client-cert-file=${p("front-proxy-client.crt")}`, `--proxy-client-key-file=${p("front-proxy-client.key")}`,
        "--authorization-mode=Node,RBAC",
        "--enable-admission-plugins=NamespaceLifecycle,LimitRanger,ServiceAccount,DefaultStorageClass," +
          "DefaultTolerationSeconds,NodeRestriction,PodSecurity,Priority,ResourceQuota," +
          "MutatingAdmissionWebhook,ValidatingAdmissionWebhook,ValidatingAdmissionPolicy," +
          // CVE-2020-8554: no Service may claim external IPs (the platform's admission policy refuses it too).
          "DenyServiceExternalIPs",
        "--allow-privileged=true", // privileged pods are allowed by the apiserver; Pod Security Admission restricts per namespace
        "--profiling=false",
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
        "--service-cluster-ip-range=10.96.0.0/16",
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
      "--cidr=10.244.0.0/16",
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

export const COMPONENT_NAMES: readonly ComponentName[] = COMPONENTS.map((c) => c.name);

/** The port a component is known by. */
export function mainPort(l: Layout, c: Component): number {
  return l.ports[c.ports[0]];
}
