// What a running cluster was started with (state.json: versions, ports, binaries), so a start
// with another configuration restarts it; and the version of the etcd data, so data written by
// another etcd/Kubernetes minor version is moved aside instead of breaking the start.
import fs from "node:fs";
import path from "node:path";
import type { ClusterVersions, Layout } from "./layout";
import type { ClusterPorts } from "./options";

type State = {
  versions: ClusterVersions;
  ports: ClusterPorts;
  binDir: string;
  startedAt: string;
};

export function readState(l: Layout): State | null {
  try {
    return JSON.parse(fs.readFileSync(l.stateFile, "utf8")) as State;
  } catch {
    return null;
  }
}

export function writeState(l: Layout): void {
  const state: State = { versions: l.versions, ports: l.ports, binDir: l.binDir, startedAt: new Date().toISOString() };
  fs.writeFileSync(l.stateFile, JSON.stringify(state, null, 2) + "\n");
}

export function sameConfig(a: State | null, l: Layout): boolean {
  return !!a && JSON.stringify(a.versions) === JSON.stringify(l.versions) &&
    JSON.stringify(a.ports) === JSON.stringify(l.ports) && a.binDir === l.binDir;
}

function minor(v: string) {
  return v.replace(/^v/, "").split(".").slice(0, 2).join(".");
}

/** Handles etcd data written by another etcd/Kubernetes version: moves it aside and says so. */
export function checkEtcdData(l: Layout): void {
  // The Service range is fixed in etcd once allocated (the default ServiceCIDR object), so data
  // made with another range is moved aside like data of another version.
  const want = { etcd: l.versions.etcd, kubernetes: l.versions.kubernetes, serviceCidr: l.node.network.serviceCidr };
  const hasData = fs.existsSync(path.join(l.etcdDir, "member"));
  if (!hasData) {
    fs.writeFileSync(l.etcdVersionFile, JSON.stringify(want) + "\n");
    return;
  }
  let have: { etcd?: string; kubernetes?: string; serviceCidr?: string } = {};
  try {
    have = JSON.parse(fs.readFileSync(l.etcdVersionFile, "utf8"));
  } catch {
    /* unknown */
  }
  const compatible = have.etcd && have.kubernetes && minor(have.etcd) === minor(want.etcd) &&
    minor(have.kubernetes) === minor(want.kubernetes) && have.serviceCidr === want.serviceCidr;
  if (compatible) {
    if (have.etcd !== want.etcd || have.kubernetes !== want.kubernetes) {
      l.log(`reusing etcd data written by etcd ${have.etcd} / Kubernetes ${have.kubernetes} (patch upgrade to ${want.etcd} / ${want.kubernetes})`);
      fs.writeFileSync(l.etcdVersionFile, JSON.stringify(want) + "\n");
    }
    return;
  }
  const from = have.etcd
    ? `etcd ${have.etcd} / Kubernetes ${have.kubernetes}${have.serviceCidr === want.serviceCidr ? "" : ` / Service range ${have.serviceCidr ?? "10.96.0.0/16"}`}`
    : "an unknown (older) version";
  const aside = path.join(l.clusterDir, "old", `etcd-${(have.kubernetes ?? "unknown").replace(/[^\w.-]/g, "")}-${Date.now()}`);
  fs.mkdirSync(path.dirname(aside), { recursive: true });
  fs.renameSync(l.etcdDir, aside);
  fs.writeFileSync(l.etcdVersionFile, JSON.stringify(want) + "\n");
  l.log(`leftover: etcd data from ${from} does not match etcd ${want.etcd} / Kubernetes ${want.kubernetes} / Service range ${want.serviceCidr};`);
  l.log(`  moved it to ${aside} and starting with an empty cluster (delete that directory when you no longer need it)`);
}
