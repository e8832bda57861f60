// The cluster's PKI, made with openssl: a CA (ECDSA P-256), serving and client certificates for
// each component, a separate front-proxy CA, the service-account signing key, and the
// kubeconfigs that carry the client certificates. Existing files are kept; a new CA replaces all.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { LocalClusterError } from "./errors";
import type { KubeconfigName, Layout } from "./layout";

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
};

const CERTS: CertSpec[] = [
  { name: "apiserver", subject: "/CN=kube-apiserver", server: true },
  { name: "etcd-server", subject: "/CN=academy-etcd", server: true },
  { name: "apiserver-etcd-client", subject: "/CN=kube-apiserver-etcd-client", client: true },
  { name: "admin", subject: "/O=system:masters/CN=academy-admin", client: true },
  { name: "controller-manager", subject: "/CN=system:kube-controller-manager", client: true },
  { name: "controller-manager-serving", subject: "/CN=kube-controller-manager", server: true },
  { name: "scheduler", subject: "/CN=system:kube-scheduler", client: true },
  { name: "scheduler-serving", subject: "/CN=kube-scheduler", server: true },
  { name: "kwok", subject: "/CN=academy-kwok", client: true },
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
    if (fs.existsSync(path.join(d, `${c.name}.crt`)) && fs.existsSync(path.join(d, `${c.name}.key`))) continue;
    const usages = [c.server ? "serverAuth" : "", c.client ? "clientAuth" : ""].filter(Boolean).join(",");
    const ext = [
      "[v3]",
      "basicConstraints=critical,CA:FALSE",
      "keyUsage=critical,digitalSignature,keyEncipherment",
      `extendedKeyUsage=${usages}`,
      ...(c.server
        ? [
            "subjectAltName=IP:127.0.0.1,DNS:localhost" +
              (c.name === "apiserver"
                ? ",IP:10.96.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
                : ""),
          ]
        : []),
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
  }
  if (!fs.existsSync(path.join(d, "sa.key"))) {
    openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "sa.key"], d);
    openssl(["pkey", "-in", "sa.key", "-pubout", "-out", "sa.pub"], d);
  }
  for (const f of fs.readdirSync(d)) if (f.endsWith(".key")) fs.chmodSync(path.join(d, f), 0o600);
}

function writeKubeconfig(l: Layout, file: string, user: string, certName: string) {
  const b64 = (f: string) => fs.readFileSync(path.join(l.pkiDir, f)).toString("base64");
  const text = `apiVersion: v1
kind: Config
clusters:
- name: academy-local
  cluster:
    server: https://127.0.0.1:${l.ports.apiserver}
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
const KUBECONFIGS: Record<KubeconfigName, { user: string; cert: string }> = {
  admin: { user: "academy-admin", cert: "admin" },
  "controller-manager": { user: "kube-controller-manager", cert: "controller-manager" },
  scheduler: { user: "kube-scheduler", cert: "scheduler" },
  kwok: { user: "kwok", cert: "kwok" },
};

export function writeKubeconfigs(l: Layout): void {
  for (const [name, { user, cert }] of Object.entries(KUBECONFIGS) as [KubeconfigName, { user: string; cert: string }][]) {
    writeKubeconfig(l, l.kubeconfig[name], user, cert);
  }
}
