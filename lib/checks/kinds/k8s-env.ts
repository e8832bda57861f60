// k8s.containerEnv: a container of a workload has an environment variable, and its value comes
// from where the lab says (a literal, a ConfigMap key, a Secret key). The variable is resolved as
// the kubelet resolves it: the last `env` entry of that name wins over everything in `envFrom`,
// and among `envFrom` sources the last one that has the key wins. A ConfigMap or Secret the
// container reads is looked up in the namespace (the grader may read Secrets), because a missing
// one or a missing key keeps the pod from starting or leaves the variable unset. Secret values
// are never read into a message; only key names are.
import type { V1Container, V1EnvVar } from "@kubernetes/client-node";
import { z } from "zod";
import { findObject, requireObject } from "../objects";
import { fail, pass, type AnyObject } from "../types";
import { WorkloadRefSchema, containersOf, describeWorkload, workloadRef } from "../workloads";
import { defineKind } from "./kind";

const Name = z.string().min(1).max(253);
/** An environment variable name as the API server accepts it (letters, digits, `_`, `-`, `.`; not starting with a digit). */
const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;
/** A ConfigMap or Secret key. */
const DATA_KEY = /^[-._a-zA-Z0-9]+$/;

const SOURCES = ["literal", "configMap", "secret"] as const;
type SourceKind = (typeof SOURCES)[number];
type DataKind = "ConfigMap" | "Secret";

/** Where a container's variable gets its value. */
type Resolved =
  | { type: "literal"; value: string }
  | { type: "data"; kind: DataKind; name: string; key: string; via: "env" | "envFrom"; optional: boolean }
  | { type: "field"; what: string };

const ContainerEnvParams = z
  .object({
    workload: WorkloadRefSchema,
    /** The container that must have it; every container of the pod template when omitted. */
    container: z.string().min(1).optional(),
    variable: z.string().max(253).regex(ENV_NAME, "is not an environment variable name (letters, digits, _, - or ., not starting with a digit)"),
    /** Where the value must come from. */
    from: z.enum(SOURCES, { error: `must be one of ${SOURCES.join(", ")}` }),
    /** With `from: literal`: the exact value. */
    value: z.string().optional(),
    /** With `from: configMap` / `from: secret`: which one, and which key. */
    configMap: Name.optional(),
    secret: Name.optional(),
    key: z.string().max(253).regex(DATA_KEY, "is not a ConfigMap or Secret key (letters, digits, _, - or .)").optional(),
  })
  .superRefine((p, issue) => {
    const wrong = (param: string, message: string) => issue.addIssue({ code: "custom", path: [param], message });
    if (p.value !== undefined && p.from !== "literal") wrong("value", "only goes with `from: literal` (a ConfigMap's or Secret's value is not the check's business)");
    if (p.configMap !== undefined && p.from !== "configMap") wrong("configMap", "only goes with `from: configMap`");
    if (p.secret !== undefined && p.from !== "secret") wrong("secret", "only goes with `from: secret`");
    if (p.key !== undefined && p.from === "literal") wrong("key", "only goes with `from: configMap` or `from: secret`");
  });

type Params = z.output<typeof ContainerEnvParams>;

const KIND_OF: Record<Exclude<SourceKind, "literal">, DataKind> = { configMap: "ConfigMap", secret: "Secret" };

export const envKinds = {
  "k8s.containerEnv": defineKind({
    params: ContainerEnvParams,
    needsCluster: true,
    async run(p, ctx) {
      const object = await requireObject(ctx, workloadRef(p.workload));
      const owner = describeWorkload(p.workload);
      const containers = containersOf(object, { only: p.container });
      if (containers.length === 0) return fail(`${owner} has no container${p.container ? ` named "${p.container}"` : ""}.`);
      const objects = new Map<string, Promise<AnyObject | null>>();
      const read = (kind: DataKind, name: string) => {
        const key = `${kind}/${name}`;
        if (!objects.has(key)) objects.set(key, findObject(ctx, { apiVersion: "v1", kind, name }));
        return objects.get(key)!;
      };
      const problems: string[] = [];
      const sources = new Set<string>();
      for (const c of containers) {
        const verdict = await judgeContainer(c, p, read);
        if (typeof verdict === "string") problems.push(`Container "${c.name}" of ${owner} ${verdict}`);
        else sources.add(describe(verdict));
      }
      if (problems.length > 0) return fail(problems.join(" "), problems.length > 1 ? problems : undefined);
      const where = containers.length === 1 ? `Container "${containers[0]!.name}" of ${owner}` : `Every container of ${owner}`;
      return pass(`${where} has ${p.variable}${sources.size === 1 ? ` ${[...sources][0]}` : ""}.`);
    },
  }),
};

/** The variable's source in one container, or why it is not what the lab asks (sentences after `Container "x" of <workload>`). */
async function judgeContainer(c: V1Container, p: Params, read: (kind: DataKind, name: string) => Promise<AnyObject | null>): Promise<Resolved | string> {
  const notes: string[] = [];
  const resolved = await resolve(c, p.variable, read, notes);
  const expected = expectation(p);
  if (!resolved) {
    if (notes.length) return `does not get the environment variable ${p.variable}: ${notes.join("; ")}. ${howTo(p)}`;
    return `has no environment variable ${p.variable}. ${howTo(p)}`;
  }
  if (resolved.type === "field") return `takes ${p.variable} from ${resolved.what}; the lab wants it ${expected}. ${howTo(p)}`;
  if (p.from === "literal") {
    if (resolved.type !== "literal") return `reads ${p.variable} ${describe(resolved)}; the lab wants it ${expected}. ${howTo(p)}`;
    if (p.value !== undefined && resolved.value !== p.value) return `sets ${p.variable} to ${JSON.stringify(resolved.value)}; the lab expects ${JSON.stringify(p.value)}.`;
    return resolved;
  }
  const kind = KIND_OF[p.from];
  const wanted = p.from === "configMap" ? p.configMap : p.secret;
  if (resolved.type === "literal") {
    // Never quote a literal that should have been a Secret: it is the secret, written in the manifest.
    const literal = p.from === "secret" ? "as a literal value written in the manifest" : `as the literal value ${JSON.stringify(resolved.value)}`;
    return `sets ${p.variable} ${literal}; the lab wants it ${expected}. ${howTo(p)}`;
  }
  if (resolved.kind !== kind) return `reads ${p.variable} ${describe(resolved)}; the lab wants it ${expected}. ${howTo(p)}`;
  if (wanted !== undefined && resolved.name !== wanted) return `reads ${p.variable} ${describe(resolved)}; the lab wants it from ${kind} "${wanted}". ${howTo(p)}`;
  if (p.key !== undefined && resolved.key !== p.key) {
    return resolved.via === "envFrom"
      ? `gets ${p.variable} through \`envFrom\` of ${kind} "${resolved.name}", that is from its key "${resolved.key}"; the lab wants key "${p.key}": use \`env\` with \`valueFrom.${refField(kind)}\` (key: ${p.key}).`
      : `reads ${p.variable} from key "${resolved.key}" of ${kind} "${resolved.name}"; the lab wants key "${p.key}".`;
  }
  return resolved;
}

/**
 * Resolves the variable as the kubelet does; null when the container does not get it. `notes`
 * collects what came close (an `envFrom` source that lacks the key or does not exist).
 */
async function resolve(c: V1Container, variable: string, read: (kind: DataKind, name: string) => Promise<AnyObject | null>, notes: string[]): Promise<Resolved | null> {
  const entry = (c.env ?? []).findLast((e) => e.name === variable);
  if (entry) return resolveEntry(entry, read, notes);
  let found: Resolved | null = null;
  for (const source of c.envFrom ?? []) {
    const ref = source.configMapRef ? { kind: "ConfigMap" as const, name: source.configMapRef.name } : source.secretRef ? { kind: "Secret" as const, name: source.secretRef.name } : null;
    if (!ref?.name) continue;
    const prefix = source.prefix ?? "";
    if (!variable.startsWith(prefix)) continue;
    const key = variable.slice(prefix.length);
    const object = await read(ref.kind, ref.name);
    if (!object) {
      notes.push(`\`envFrom\` names ${ref.kind} "${ref.name}", which does not exist in your namespace`);
      continue;
    }
    const keys = dataKeys(object);
    if (keys.includes(key)) found = { type: "data", kind: ref.kind, name: ref.name, key, via: "envFrom", optional: false };
    else notes.push(`\`envFrom\` reads ${ref.kind} "${ref.name}", which has no key ${key}${keys.length ? ` (its keys: ${keys.slice(0, 10).join(", ")})` : ", nor any other"}`);
  }
  return found;
}

async function resolveEntry(entry: V1EnvVar, read: (kind: DataKind, name: string) => Promise<AnyObject | null>, notes: string[]): Promise<Resolved | null> {
  const from = entry.valueFrom;
  if (!from) return { type: "literal", value: entry.value ?? "" };
  if (from.fieldRef) return { type: "field", what: `\`fieldRef\` ${from.fieldRef.fieldPath}` };
  if (from.resourceFieldRef) return { type: "field", what: `\`resourceFieldRef\` ${from.resourceFieldRef.resource}` };
  const ref = from.configMapKeyRef ? { kind: "ConfigMap" as const, ...from.configMapKeyRef } : from.secretKeyRef ? { kind: "Secret" as const, ...from.secretKeyRef } : null;
  if (!ref) return { type: "field", what: "a `valueFrom` this check does not know" };
  const resolved: Resolved = { type: "data", kind: ref.kind, name: ref.name ?? "", key: ref.key, via: "env", optional: Boolean(ref.optional) };
  const object = ref.name ? await read(ref.kind, ref.name) : null;
  const keys = object ? dataKeys(object) : [];
  if (object && keys.includes(ref.key)) return resolved;
  // The kubelet refuses to start the container (CreateContainerConfigError), or leaves the variable unset when optional.
  const effect = ref.optional ? "so, being `optional`, the variable is not set" : "so the container cannot start (CreateContainerConfigError)";
  notes.push(
    object
      ? `\`valueFrom.${refField(ref.kind)}\` asks key "${ref.key}" of ${ref.kind} "${ref.name}", which has no such key${keys.length ? ` (its keys: ${keys.slice(0, 10).join(", ")})` : ""}, ${effect}`
      : `\`valueFrom.${refField(ref.kind)}\` names ${ref.kind} "${ref.name ?? ""}", which does not exist in your namespace, ${effect}`,
  );
  return null;
}

/** The keys a ConfigMap (data, binaryData) or Secret (data, stringData) holds; never their values. */
function dataKeys(object: AnyObject): string[] {
  const maps = object.kind === "Secret" ? [object.data, object.stringData] : [object.data, object.binaryData];
  return [...new Set(maps.flatMap((m) => (m && typeof m === "object" ? Object.keys(m) : [])))].sort();
}

function refField(kind: DataKind): string {
  return kind === "ConfigMap" ? "configMapKeyRef" : "secretKeyRef";
}

function describe(resolved: Resolved): string {
  if (resolved.type === "literal") return "as a literal value";
  if (resolved.type === "field") return `from ${resolved.what}`;
  return resolved.via === "envFrom" ? `from ${resolved.kind} "${resolved.name}" (key "${resolved.key}", through \`envFrom\`)` : `from key "${resolved.key}" of ${resolved.kind} "${resolved.name}"`;
}

/** What the lab asks, after "the lab wants it". */
function expectation(p: Params): string {
  if (p.from === "literal") return p.value !== undefined ? `set to ${JSON.stringify(p.value)} in the manifest` : "as a literal `value` in the manifest";
  const kind = KIND_OF[p.from];
  const name = p.from === "configMap" ? p.configMap : p.secret;
  return `read from ${name ? `${kind} "${name}"` : `a ${kind}`}${p.key ? ` (key "${p.key}")` : ""}`;
}

/** The fix, in manifest terms. */
function howTo(p: Params): string {
  if (p.from === "literal") return `Add \`{name: ${p.variable}, value: ${p.value !== undefined ? JSON.stringify(p.value) : "…"}}\` to the container's \`env\`.`;
  const kind = KIND_OF[p.from];
  const name = p.from === "configMap" ? p.configMap : p.secret;
  const viaEnvFrom = p.key === undefined || p.key === p.variable ? `, or list under \`envFrom\` ${name ? `${kind} "${name}"` : `a ${kind}`} with the key ${p.variable}` : "";
  return `Add \`{name: ${p.variable}, valueFrom: {${refField(kind)}: {name: ${name ?? "…"}, key: ${p.key ?? "…"}}}}\` to the container's \`env\`${viaEnvFrom}.`;
}
