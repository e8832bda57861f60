// A Killercoda background script → the objects a lab (or a step) starts with. Killercoda runs it
// as root on the machine; a lab can only start with objects in the learner's namespace of the
// kinds setup may create (lib/labs/setup.ts). Mapped: `kubectl apply -f -` with a heredoc (also
// `cat <<EOF | kubectl apply -f -`), `kubectl apply|create -f <file of the scenario>`, and
// `kubectl create deployment|configmap|secret generic|service clusterip|nodeport` written out as
// the manifests kubectl would send. `set`, `echo`, `sleep`, `kubectl wait` and `kubectl rollout
// status` are ignored (setup objects are applied before the learner starts); anything else needs
// the author.
import fs from "node:fs";
import path from "node:path";
import { parseAllDocuments, stringify } from "yaml";
import { parseShell, type ShellCommand } from "@/lib/checks/kinds/shell-syntax";
import { parseLearnerManifests } from "@/lib/sandbox/learner-input";
import { SETUP_KINDS } from "../setup";
import type { Scenario, ScenarioFile } from "./scenario";
import type { LineOutcome } from "./verify";

export type SetupObject = { kind: string; name: string; text: string };
export type SetupMapping = { objects: SetupObject[]; lines: LineOutcome[] };

type Result = { ok: true; objects: SetupObject[] } | { ok: false; why: string };

export function mapSetup(script: ScenarioFile, scenario: Pick<Scenario, "dir" | "assets">): SetupMapping {
  const source = script.text.replace(/\r\n?/g, "\n").split("\n");
  const groups: ShellCommand[][] = [];
  for (const command of parseShell(script.text).commands.filter((c) => !c.substitution)) {
    if (command.operator === null || groups.length === 0) groups.push([command]);
    else groups.at(-1)!.push(command);
  }
  const objects: SetupObject[] = [];
  const lines: LineOutcome[] = [];
  for (const group of groups) {
    const line = group[0]!.line;
    const text = (source[line - 1] ?? "").trim();
    const words = group.at(-1)!.words;
    const ignore = ignoredWhy(group);
    if (ignore) {
      lines.push({ line, source: text, outcome: "ignored", why: ignore });
      continue;
    }
    const result = group.some((c) => c.depth > 0 || c.inFunction) ? { ok: false as const, why: "it is inside an `if`, a loop or a function" } : mapCommand(group, words, scenario);
    if (!result.ok) {
      lines.push({ line, source: text, outcome: "unmapped", why: `${result.why}; Killercoda ran it as root on the machine, a lab can only start with objects in the learner's namespace` });
      continue;
    }
    const taken = result.objects.find((o) => objects.some((p) => p.kind === o.kind && p.name === o.name));
    if (taken) {
      lines.push({ line, source: text, outcome: "unmapped", why: `${taken.kind} "${taken.name}" is set up by an earlier line already` });
      continue;
    }
    objects.push(...result.objects);
    lines.push({ line, source: text, outcome: "mapped", kind: `setup: ${result.objects.map((o) => `${o.kind} "${o.name}"`).join(", ")}` });
  }
  return { objects, lines };
}

function ignoredWhy(group: ShellCommand[]): string | null {
  if (group.length !== 1) return null;
  const [w0, w1, w2] = group[0]!.words;
  if (w0 === "set") return "a shell option";
  if (w0 === "echo" || w0 === "printf") return "output only";
  if (w0 === "sleep") return "waiting: setup objects are applied before the learner starts";
  if (w0 === "kubectl" && (w1 === "wait" || (w1 === "rollout" && w2 === "status"))) return "waiting: setup objects are applied before the learner starts";
  return null;
}

function mapCommand(group: ShellCommand[], words: string[], scenario: Pick<Scenario, "dir" | "assets">): Result {
  if (words[0] !== "kubectl") return { ok: false, why: `\`${words[0]}\` is not a kubectl command` };
  const verb = words[1];
  if ((verb === "apply" || verb === "create") && words.includes("-f")) {
    if (words.length !== 4 || words[2] !== "-f") return { ok: false, why: "the importer maps `kubectl apply -f <file or ->` without other flags" };
    const target = words[3]!;
    if (target === "-") {
      const heredoc = group.length === 1 ? group[0]!.heredoc : group.length === 2 && group[0]!.words.join(" ") === "cat" ? group[0]!.heredoc : null;
      if (heredoc === null) return { ok: false, why: "it reads manifests from standard input other than a heredoc" };
      return manifests(heredoc);
    }
    const file = scenarioFile(target, scenario);
    if (!file) return { ok: false, why: `${target} is not a file of the scenario folder (nor an asset that Killercoda copies there)` };
    return manifests(fs.readFileSync(file, "utf8"));
  }
  if (group.length !== 1) return { ok: false, why: "it chains commands" };
  if (verb === "create") return created(words.slice(2));
  return { ok: false, why: `\`kubectl ${verb}\` is not a command the importer maps to setup objects` };
}

/** A path the script applies, as a file of the scenario: relative to its folder, or an asset copied to where the script reads it. */
function scenarioFile(target: string, scenario: Pick<Scenario, "dir" | "assets">): string | null {
  const inside = (rel: string) => {
    const full = path.resolve(scenario.dir, rel);
    return full.startsWith(path.resolve(scenario.dir) + path.sep) && fs.existsSync(full) && fs.statSync(full).isFile() ? full : null;
  };
  if (/^[a-z]+:\/\//.test(target)) return null;
  if (!path.isAbsolute(target)) return inside(target);
  const asset = scenario.assets.find((a) => path.posix.join(a.target, path.posix.basename(a.file)) === target);
  return asset ? inside(path.join("assets", asset.file)) : null;
}

function manifests(text: string): Result {
  const docs = parseAllDocuments(text);
  const objects: SetupObject[] = [];
  for (const doc of docs) {
    if (doc.errors.length) return { ok: false, why: `its manifest does not parse: ${doc.errors[0]!.message}` };
    const value = doc.toJS({ maxAliasCount: 100 }) as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } } | null;
    if (value === null) continue;
    if (value.metadata?.namespace !== undefined && value.metadata.namespace !== "default") return { ok: false, why: `it creates an object in namespace "${String(value.metadata.namespace)}"` };
    if (value.metadata) delete value.metadata.namespace;
    const one = checked(value);
    if (!one.ok) return one;
    objects.push(...one.objects);
  }
  return objects.length ? { ok: true, objects } : { ok: false, why: "it applies no object" };
}

/** An object as setup may create it: a SETUP_KINDS kind and apiVersion that the learner's parser accepts. */
function checked(object: unknown): Result {
  const text = stringify(object);
  const parsed = parseLearnerManifests(text, "lab-import-check");
  if (!parsed.ok) return { ok: false, why: parsed.problems.map((p) => p.message).join("; ") };
  const [item] = parsed.objects;
  if (!item) return { ok: false, why: "it applies no object" };
  if (SETUP_KINDS[item.kind] !== item.apiVersion) return { ok: false, why: `a ${item.kind} (${item.apiVersion}) is not something a lab can set up (allowed: ${Object.keys(SETUP_KINDS).join(", ")})` };
  return { ok: true, objects: [{ kind: item.kind, name: item.name, text }] };
}

/** `kubectl create deployment|configmap|secret generic|service …` as the object kubectl would create. */
function created(args: string[]): Result {
  const [what, ...rest] = args;
  const flags = new Map<string, string[]>();
  const positional: string[] = [];
  for (const arg of what === "secret" || what === "service" ? rest.slice(1) : rest) {
    const m = /^--([a-z-]+)=(.*)$/.exec(arg);
    if (m) flags.set(m[1]!, [...(flags.get(m[1]!) ?? []), m[2]!]);
    else if (arg.startsWith("-")) return { ok: false, why: `the flag \`${arg}\` is not one the importer reads (write flags as --name=value)` };
    else positional.push(arg);
  }
  const [name, ...extra] = positional;
  if (!name || extra.length) return { ok: false, why: "it does not name exactly one object" };
  const only = (...allowed: string[]) => [...flags.keys()].find((f) => !allowed.includes(f));
  const literals = (): Record<string, string> | null => {
    const data: Record<string, string> = {};
    for (const pair of flags.get("from-literal") ?? []) {
      const at = pair.indexOf("=");
      if (at < 1) return null;
      data[pair.slice(0, at)] = pair.slice(at + 1);
    }
    return data;
  };
  if (what === "deployment" || what === "deploy") {
    const unknown = only("image", "replicas", "port");
    if (unknown) return { ok: false, why: `\`--${unknown}\` is not a flag the importer reads` };
    const images = flags.get("image") ?? [];
    if (images.length !== 1) return { ok: false, why: "it needs exactly one --image" };
    const image = images[0]!;
    const container: Record<string, unknown> = { name: image.split("/").at(-1)!.split(/[:@]/)[0], image };
    const port = flags.get("port")?.[0];
    if (port) container.ports = [{ containerPort: Number(port) }];
    return checked({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name, labels: { app: name } },
      spec: { replicas: Number(flags.get("replicas")?.[0] ?? 1), selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [container] } } },
    });
  }
  if (what === "configmap" || what === "cm") {
    const data = literals();
    if (only("from-literal") || !data) return { ok: false, why: "the importer maps ConfigMaps made with --from-literal=key=value only" };
    return checked({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data });
  }
  if (what === "secret") {
    const data = literals();
    if (rest[0] !== "generic" || only("from-literal") || !data) return { ok: false, why: "the importer maps `kubectl create secret generic` with --from-literal=key=value only" };
    return checked({ apiVersion: "v1", kind: "Secret", metadata: { name }, type: "Opaque", data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString("base64")])) });
  }
  if (what === "service" && (rest[0] === "clusterip" || rest[0] === "nodeport")) {
    const tcp = flags.get("tcp") ?? [];
    if (only("tcp") || tcp.length === 0) return { ok: false, why: "the importer maps `kubectl create service clusterip|nodeport NAME --tcp=port:targetPort` only" };
    const ports = tcp.map((t) => {
      const [port, target = port] = t.split(":");
      return { name: `${port}-${target}`, port: Number(port), protocol: "TCP", targetPort: Number(target) };
    });
    if (ports.some((p) => !Number.isInteger(p.port) || !Number.isInteger(p.targetPort))) return { ok: false, why: "its --tcp is not port:targetPort numbers" };
    return checked({ apiVersion: "v1", kind: "Service", metadata: { name, labels: { app: name } }, spec: { type: rest[0] === "nodeport" ? "NodePort" : "ClusterIP", selector: { app: name }, ports } });
  }
  return { ok: false, why: `\`kubectl create ${what ?? ""}\` is not a kind the importer writes out (it maps deployment, configmap, secret generic, service clusterip|nodeport)` };
}
