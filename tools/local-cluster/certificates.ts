// The cluster's PKI, made with openssl: a CA (ECDSA P-256), serving and client certificates for
// each component, a separate front-proxy CA, the service-account signing key, and the
// kubeconfigs that carry the client certificates. Existing files are kept; a new CA replaces all.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { LocalClusterError } from "./errors";
import type { KubeconfigName, Layout } from "./layout";
import { LINK_PORTS } from "./node/network";

function openssl(args: string[], cwd: string) {
  const r = spawnSync("openssl", args, { cwd, encoding: "utf8" });
  if (r.error) throw new LocalClusterError(`cannot run openssl (${r.error.message}); install it (apt-get install openssl)`);
  if (r.status !== 0) throw new LocalClusterError(`openssl ${args.join(" ")} failed:\n${r.stderr}`);
}

type CertSpec = {
  name: string;
  subject: string;
  server?: boolean;
  client?: boolean;
  /** Signing CA; default "ca". */
  ca?: "ca" | "front-proxy-ca";
  /** Extra subjectAltNames of a serving certificate; a change re-issues it. */
  sans?: (l: Layout) => string[];
};

const LOCAL_SANS = ["IP:127.0.0.1", "DNS:localhost"];

const CERTS: CertSpec[] = [
  {
    name: "apiserver", subject: "/CN=kube-apiserver", server: true,
    // The kubernetes Service's ClusterIP and names (pods), and the relay on the real node's link (kube-proxy, pods).
    sans: (l) => [`IP:${l.node.network.kubernetesServiceIp}`, `IP:${l.node.network.hostIp}`, "DNS:kubernetes", "DNS:kubernetes.default",
      "DNS:kubernetes.default.svc", "DNS:kubernetes.default.svc.cluster.local"],
  },
  { name: "etcd-server", subject: "/CN=academy-etcd", server: true },
  { name: "apiserver-etcd-client", subject: "/CN=kube-apiserver-etcd-client", client: true },
  { name: "admin", subject: "/O=system:masters/CN=academy-admin", client: true },
  { name: "controller-manager", subject: "/CN=system:kube-controller-manager", client: true },
  { name: "controller-manager-serving", subject: "/CN=kube-controller-manager", server: true },
  { name: "scheduler", subject: "/CN=system:kube-scheduler", client: true },
  { name: "scheduler-serving", subject: "/CN=kube-scheduler", server: true },
  { name: "kwok", subject: "/CN=academy-kwok", client: true },
  // The real node: kubelet's client and serving certificates, the API server's client at kubelet, kube-proxy, CoreDNS.
  { name: "kubelet", subject: "/O=system:nodes/CN=system:node:academy-node", client: true },
  { name: "kubelet-serving", subject: "/CN=academy-node", server: true, sans: (l) => [`IP:${l.node.network.hostIp}`, "DNS:academy-node"] },
  { name: "apiserver-kubelet-client", subject: "/O=system:masters/CN=kube-apiserver-kubelet-client", client: true },
  { name: "kube-proxy", subject: "/CN=system:kube-proxy", client: true },
  { name: "coredns", subject: "/CN=academy:coredns", client: true },
  { name: "kube-router", subject: "/CN=academy:kube-router", client: true },
  // Aggregation layer (front proxy): a separate CA, so client certs of "ca" cannot assert request headers.
  { name: "front-proxy-client", subject: "/CN=front-proxy-client", client: true, ca: "front-proxy-ca" },
];

export function hasPki(l: Layout): boolean {
  return fs.existsSync(path.join(l.pkiDir, "ca.crt"));
}

export function ensurePki(l: Layout): void {
  const d = l.pkiDir;
  fs.mkdirSync(d, { recursive: true, mode: 0o700 });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  if (!fs.existsSync(path.join(d, "ca.crt")) || !fs.existsSync(path.join(d, "ca.key"))) {
    l.log("generating a CA and certificates (openssl) in " + d);
    for (const f of fs.readdirSync(d)) fs.rmSync(path.join(d, f)); // a new CA invalidates everything
    openssl(["req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "3650", "-subj", "/CN=academy-local-ca"], d);
  }
  if (!fs.existsSync(path.join(d, "front-proxy-ca.crt"))) {
    fs.rmSync(path.join(d, "front-proxy-client.crt"), { force: true });
    openssl(["req", "-x509", ...ec, "-keyout", "front-proxy-ca.key", "-out", "front-proxy-ca.crt", "-days", "3650",
      "-subj", "/CN=academy-local-front-proxy-ca"], d);
  }
  for (const c of CERTS) {
    const sans = c.server ? [...LOCAL_SANS, ...(c.sans?.(l) ?? [])].join(",") : "";
    const sanFile = path.join(d, `${c.name}.sans`);
    const sameSans = !c.server || (fs.existsSync(sanFile) ? fs.readFileSync(sanFile, "utf8") === sans : !c.sans);
    if (fs.existsSync(path.join(d, `${c.name}.crt`)) && fs.existsSync(path.join(d, `${c.name}.key`)) && sameSans) continue;
    const usages = [c.server ? "serverAuth" : "", c.client ? "clientAuth" : ""].filter(Boolean).join(",");
    const ext = [
      "[v3]",
      "basicConstraints=critical,CA:FALSE",
      "keyUsage=critical,digitalSignature,keyEncipherment",
      `extendedKeyUsage=${usages}`,
      ...(c.server ? [`subjectAltName=${sans}`] : []),
    ].join("\n");
    const extFile = path.join(d, `${c.name}.ext`);
    fs.writeFileSync(extFile, ext + "\n");
    openssl(["req", "-new", ...ec, "-keyout", `${c.name}.key`, "-out", `${c.name}.csr`, "-subj", c.subject], d);
    openssl(
      ["x509", "-req", "-in", `${c.name}.csr`, "-CA", `${c.ca ?? "ca"}.crt`, "-CAkey", `${c.ca ?? "ca"}.key`, "-CAcreateserial", "-days", "825",
        "-extfile", extFile, "-extensions", "v3", "-out", `${c.name}.crt`],
      d,
    );
    fs.rmSync(extFile);
    fs.rmSync(path.join(d, `${c.name}.csr`));
    if (c.server) fs.writeFileSync(sanFile, sans);
  }
  if (!fs.existsSync(path.join(d, "sa.key"))) {
    openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "sa.key"], d);
    openssl(["pkey", "-in", "sa.key", "-pubout", "-out", "sa.pub"], d);
  }
  for (const f of fs.readdirSync(d)) if (f.endsWith(".key")) fs.chmodSync(path.join(d, f), 0o600);
}

function writeKubeconfig(l: Layout, file: string, user: string, certName: string, server: string) {
  const b64 = (f: string) => fs.readFileSync(path.join(l.pkiDir, f)).toString("base64");
  const text = `apiVersion: v1
kind: Config
clusters:
- name: academy-local
  cluster:
    server: ${server}
    certificate-authority-data: ${b64("ca.crt")}
users:
- name: ${user}
  user:
    client-certificate-data: ${b64(`${certName}.crt`)}
    client-key-data: ${b64(`${certName}.key`)}
contexts:
- name: ${user}@academy-local
  context:
    cluster: academy-local
    user: ${user}
current-context: ${user}@academy-local
`;
  fs.writeFileSync(file, text, { mode: 0o600 });
}

/** The kubeconfig of each client: user name in the API server, and its certificate in pki/. */
const KUBECONFIGS: Record<KubeconfigName, { user: string; cert: string; inNodeNetns?: boolean }> = {
  admin: { user: "academy-admin", cert: "admin" },
  "controller-manager": { user: "kube-controller-manager", cert: "controller-manager" },
  scheduler: { user: "kube-scheduler", cert: "scheduler" },
  kwok: { user: "kwok", cert: "kwok" },
  kubelet: { user: "system:node:academy-node", cert: "kubelet" },
  // kube-proxy runs inside the node's network namespace: it reaches the API server through the relay.
  "kube-proxy": { user: "system:kube-proxy", cert: "kube-proxy", inNodeNetns: true },
  coredns: { user: "academy:coredns", cert: "coredns" },
  // kube-router's policy controller runs inside the node's network namespace too.
  "kube-router": { user: "academy:kube-router", cert: "kube-router", inNodeNetns: true },
};

export function writeKubeconfigs(l: Layout): void {
  for (const [name, { user, cert, inNodeNetns }] of Object.entries(KUBECONFIGS)) {
    const server = inNodeNetns ? `https://${l.node.network.hostIp}:${LINK_PORTS.apiserver}` : `https://127.0.0.1:${l.ports.apiserver}`;
    writeKubeconfig(l, l.kubeconfig[name as KubeconfigName], user, cert, server);
  }
}
