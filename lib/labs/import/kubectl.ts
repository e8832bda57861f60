// The few kubectl command lines the importer understands, read from parsed shell words
// (lib/checks/kinds/shell-syntax.ts): `kubectl get` with its flags, and the resource names
// kubectl accepts for the kinds a lab can check. Anything else is a reason, in words.

export type ResourceKind = { apiVersion: string; kind: string };

const RESOURCES: Array<[string[], ResourceKind]> = [
  [["pod", "pods", "po"], { apiVersion: "v1", kind: "Pod" }],
  [["service", "services", "svc"], { apiVersion: "v1", kind: "Service" }],
  [["configmap", "configmaps", "cm"], { apiVersion: "v1", kind: "ConfigMap" }],
  [["secret", "secrets"], { apiVersion: "v1", kind: "Secret" }],
  [["serviceaccount", "serviceaccounts", "sa"], { apiVersion: "v1", kind: "ServiceAccount" }],
  [["persistentvolumeclaim", "persistentvolumeclaims", "pvc"], { apiVersion: "v1", kind: "PersistentVolumeClaim" }],
  [["deployment", "deployments", "deploy", "deployment.apps", "deployments.apps"], { apiVersion: "apps/v1", kind: "Deployment" }],
  [["statefulset", "statefulsets", "sts", "statefulset.apps", "statefulsets.apps"], { apiVersion: "apps/v1", kind: "StatefulSet" }],
  [["daemonset", "daemonsets", "ds"], { apiVersion: "apps/v1", kind: "DaemonSet" }],
  [["replicaset", "replicasets", "rs"], { apiVersion: "apps/v1", kind: "ReplicaSet" }],
  [["job", "jobs", "job.batch", "jobs.batch"], { apiVersion: "batch/v1", kind: "Job" }],
  [["cronjob", "cronjobs", "cj", "cronjob.batch", "cronjobs.batch"], { apiVersion: "batch/v1", kind: "CronJob" }],
  [["ingress", "ingresses", "ing"], { apiVersion: "networking.k8s.io/v1", kind: "Ingress" }],
  [["networkpolicy", "networkpolicies", "netpol"], { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy" }],
];

export function resourceKind(name: string): ResourceKind | null {
  const lower = name.toLowerCase();
  return RESOURCES.find(([names]) => names.includes(lower))?.[1] ?? null;
}

export type KubectlGet = {
  resource: ResourceKind;
  names: string[];
  selector: Record<string, string> | null;
  /** `-o jsonpath=…`: the template. */
  jsonpath: string | null;
  /** `-o name` or `--no-headers`: one line per object, no header. */
  linePerObject: boolean;
  /** Things the mapping keeps but the report should say (`-n default`). */
  notes: string[];
};

/** Reads `kubectl get …` words, or says why the importer cannot. */
export function readKubectlGet(words: string[]): { ok: true; get: KubectlGet } | { ok: false; why: string } {
  if (words[0] !== "kubectl" || words[1] !== "get") return { ok: false, why: `\`${words[0]}${words[1] ? ` ${words[1]}` : ""}\` is not a command the importer maps` };
  const positional: string[] = [];
  const notes: string[] = [];
  let selector: Record<string, string> | null = null;
  let jsonpath: string | null = null;
  let linePerObject = false;
  const args = words.slice(2);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : /^-[nol]./.test(arg) ? [arg.slice(0, 2), arg.slice(2).replace(/^=/, "")] : [arg, undefined];
    const value = () => inline ?? args[++i];
    if (flag === "-n" || flag === "--namespace") {
      const ns = value();
      if (ns !== "default") return { ok: false, why: `it reads namespace "${ns}"; a lab checks the learner's own namespace only` };
      notes.push("`-n default` now means the learner's namespace");
    } else if (flag === "-o" || flag === "--output") {
      const output = value() ?? "";
      if (output.startsWith("jsonpath=")) jsonpath = output.slice("jsonpath=".length);
      else if (output === "name") linePerObject = true;
      else if (!["wide", "yaml", "json"].includes(output)) return { ok: false, why: `\`-o ${output}\` is an output format the importer does not read` };
    } else if (flag === "-l" || flag === "--selector") {
      const parsed = readSelector(value() ?? "");
      if (!parsed) return { ok: false, why: "its label selector is not a list of `key=value` (set-based selectors and `!=` have no equivalent)" };
      selector = parsed;
    } else if (flag === "--no-headers") linePerObject = true;
    else if (flag === "--ignore-not-found") return { ok: false, why: "`--ignore-not-found` makes it succeed whether or not the object exists" };
    else if (flag === "-A" || flag === "--all-namespaces") return { ok: false, why: "it reads every namespace; a lab checks the learner's own namespace only" };
    else if (arg.startsWith("-")) return { ok: false, why: `the flag \`${arg}\` is not one the importer reads` };
    else positional.push(arg);
  }
  const [type, ...names] = positional;
  if (!type) return { ok: false, why: "it names no resource type" };
  if (type.includes(",")) return { ok: false, why: "it reads several resource types at once" };
  const [typeName, slashName] = type.split("/", 2) as [string, string | undefined];
  const resource = resourceKind(typeName);
  if (!resource) return { ok: false, why: `\`${typeName}\` is not a resource type the importer knows (Pods, Services, ConfigMaps, Secrets, workloads, Ingresses, NetworkPolicies…)` };
  const allNames = slashName ? [slashName, ...names] : names;
  if (allNames.some((n) => n.includes("/") || n.includes("$"))) return { ok: false, why: "an object name it reads is not a plain name" };
  if (selector && allNames.length) return { ok: false, why: "it names objects and a selector at once" };
  return { ok: true, get: { resource, names: allNames, selector, jsonpath, linePerObject, notes } };
}

function readSelector(text: string): Record<string, string> | null {
  const labels: Record<string, string> = {};
  for (const pair of text.split(",")) {
    const m = /^([A-Za-z0-9./_-]+)==?([A-Za-z0-9._-]*)$/.exec(pair.trim());
    if (!m) return null;
    labels[m[1]!] = m[2]!;
  }
  return Object.keys(labels).length ? labels : null;
}

export type JsonPathStep = { key: string } | { index: number } | { filter: { field: string; equals: string } };

/** `{.spec.template.spec.containers[0].image}` → its steps; null for templates with more than one path (ranges, wildcards, text). */
export function readJsonPath(template: string): JsonPathStep[] | null {
  const m = /^\{(\.[^{}]*)\}$/.exec(template.trim());
  if (!m) return null;
  const text = m[1]!;
  const steps: JsonPathStep[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === ".") {
      if (text[i + 1] === ".") return null; // recursive descent
      let key = "";
      i++;
      while (i < text.length && text[i] !== "." && text[i] !== "[") {
        if (text[i] === "\\" && i + 1 < text.length) i++;
        key += text[i];
        i++;
      }
      if (!key || key === "*") return null;
      steps.push({ key });
    } else if (text[i] === "[") {
      const end = text.indexOf("]", i);
      if (end === -1) return null;
      const inner = text.slice(i + 1, end);
      i = end + 1;
      const filter = /^\?\(@\.(\w+)\s*==\s*["']([^"']*)["']\)$/.exec(inner);
      const quoted = /^["']([^"']+)["']$/.exec(inner);
      if (/^\d+$/.test(inner)) steps.push({ index: Number(inner) });
      else if (quoted) steps.push({ key: quoted[1]! });
      else if (filter) steps.push({ filter: { field: filter[1]!, equals: filter[2]! } });
      else return null;
    } else return null;
  }
  return steps.length ? steps : null;
}

/** The path of k8s.field / structured.field (`a.b[0]["x.y"]`) for steps without filters; null when one is a filter. */
export function fieldPath(steps: JsonPathStep[]): string | null {
  let out = "";
  for (const step of steps) {
    if ("filter" in step) return null;
    if ("index" in step) out += `[${step.index}]`;
    else out += /^[A-Za-z0-9_-]+$/.test(step.key) ? `${out ? "." : ""}${step.key}` : `["${step.key}"]`;
  }
  return out;
}
