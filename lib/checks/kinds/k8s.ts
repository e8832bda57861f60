// Check kinds on the live state of the learner's namespace, read through the grader's read-only
// identity (ctx.cluster). Every failure says which object and field, and what to change.
import { z } from "zod";
import { fail, pass, type AnyObject, type CheckContext, type CheckOutcome, type ReadOnlyCluster } from "../types";
import { ValueRule, defineKind, getPath, judgeValue } from "./kind";

const Name = z.string().min(1).max(253);
const Ref = { apiVersion: z.string().min(1), kind: z.string().min(1), name: Name };

type Container = {
  name?: string;
  image?: string;
  ports?: Array<{ containerPort?: number; name?: string }>;
  readinessProbe?: unknown;
  livenessProbe?: unknown;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
    capabilities?: { drop?: string[] };
  };
  env?: Array<{ name?: string; valueFrom?: { configMapKeyRef?: { name?: string }; secretKeyRef?: { name?: string } } }>;
  envFrom?: Array<{ configMapRef?: { name?: string }; secretRef?: { name?: string } }>;
};

type PodSpec = {
  containers?: Container[];
  initContainers?: Container[];
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  volumes?: Array<{ configMap?: { name?: string }; secret?: { secretName?: string }; projected?: { sources?: Array<{ configMap?: { name?: string }; secret?: { name?: string } }> } }>;
};

function clusterOf(ctx: CheckContext): ReadOnlyCluster {
  if (!ctx.cluster) throw new Error("This check needs the lab's sandbox, but the grader was given no cluster.");
  return ctx.cluster;
}

const notFound = (kind: string, name: string, namespace: string) =>
  fail(`There is no ${kind} "${name}" in your namespace ${namespace}. Apply your manifests, then check again.`);

async function deployment(ctx: CheckContext, name: string): Promise<AnyObject | CheckOutcome> {
  const cluster = clusterOf(ctx);
  const found = await cluster.get({ apiVersion: "apps/v1", kind: "Deployment", name });
  return found ?? notFound("Deployment", name, cluster.namespace);
}

function isOutcome(v: unknown): v is CheckOutcome {
  return !!v && typeof v === "object" && "status" in v && "message" in v && !("metadata" in v);
}

function podSpecOf(object: AnyObject): PodSpec {
  return (getPath(object, "spec.template.spec") as PodSpec | undefined) ?? {};
}

function containersOf(object: AnyObject, only?: string): Container[] {
  const all = podSpecOf(object).containers ?? [];
  return only ? all.filter((c) => c.name === only) : all;
}

const WorkloadParams = z.object({ deployment: Name, container: z.string().optional() });

export const k8sKinds = {
  "k8s.exists": defineKind({
    params: z.object(Ref),
    needsCluster: true,
    async run(p, ctx) {
      const cluster = clusterOf(ctx);
      const found = await cluster.get(p);
      return found ? pass(`${p.kind} "${p.name}" exists.`) : notFound(p.kind, p.name, cluster.namespace);
    },
  }),

  "k8s.field": defineKind({
    params: z.object(Ref).and(ValueRule),
    needsCluster: true,
    async run(p, ctx) {
      const cluster = clusterOf(ctx);
      const found = await cluster.get(p);
      if (!found) return notFound(p.kind, p.name, cluster.namespace);
      const problem = judgeValue(getPath(found, p.path), p);
      return problem ? fail(`${p.kind} "${p.name}": ${problem}.`) : pass(`${p.kind} "${p.name}": \`${p.path}\` is as expected.`);
    },
  }),

  "k8s.serviceSelects": defineKind({
    params: z.object({ service: Name, deployment: Name }),
    needsCluster: true,
    async run(p, ctx) {
      const cluster = clusterOf(ctx);
      const svc = await cluster.get({ apiVersion: "v1", kind: "Service", name: p.service });
      if (!svc) return notFound("Service", p.service, cluster.namespace);
      const dep = await deployment(ctx, p.deployment);
      if (isOutcome(dep)) return dep;
      const selector = (getPath(svc, "spec.selector") as Record<string, string> | undefined) ?? {};
      const labels = (getPath(dep, "spec.template.metadata.labels") as Record<string, string> | undefined) ?? {};
      if (Object.keys(selector).length === 0) {
        return fail(`Service "${p.service}" has no \`spec.selector\`, so it sends traffic to no pod. Select the Deployment's pod labels.`);
      }
      const mismatched = Object.entries(selector).filter(([k, v]) => labels[k] !== v);
      if (mismatched.length > 0) {
        return fail(
          `Service "${p.service}" selects ${mismatched.map(([k, v]) => `${k}=${v}`).join(", ")}, but the pods of Deployment "${p.deployment}" are labelled ${
            Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(", ") || "with nothing"
          }.`,
        );
      }
      const ports = (getPath(svc, "spec.ports") as Array<{ port?: number; targetPort?: number | string }> | undefined) ?? [];
      const containerPorts = containersOf(dep).flatMap((c) => c.ports ?? []);
      for (const port of ports) {
        const target = port.targetPort ?? port.port;
        if (typeof target === "string" && !containerPorts.some((cp) => cp.name === target)) {
          return fail(`Service "${p.service}" targets the port named "${target}", but no container of "${p.deployment}" declares a port with that name.`);
        }
        if (typeof target === "number" && containerPorts.length > 0 && !containerPorts.some((cp) => cp.containerPort === target)) {
          return fail(
            `Service "${p.service}" sends traffic to port ${target}, but the containers of "${p.deployment}" listen on ${containerPorts.map((cp) => cp.containerPort).join(", ")}.`,
          );
        }
      }
      // Every pod of the Deployment carries the template labels, so the selector matching them
      // means the Service selects all its pods; the Deployment's status says whether there are
      // any (cheaper for the API server than listing pods by label on every check).
      const pods = (getPath(dep, "status.replicas") as number | undefined) ?? 0;
      if (pods === 0) return fail(`Service "${p.service}" matches the Deployment's labels, but no pod exists yet. Is the Deployment scaled to 0, or are its pods refused?`);
      return pass(`Service "${p.service}" selects the ${pods} pod(s) of Deployment "${p.deployment}".`);
    },
  }),

  "k8s.rolloutComplete": defineKind({
    params: z.object({ deployment: Name, minReplicas: z.number().int().min(0).default(1) }),
    needsCluster: true,
    async run(p, ctx) {
      const dep = await deployment(ctx, p.deployment);
      if (isOutcome(dep)) return dep;
      const desired = (getPath(dep, "spec.replicas") as number | undefined) ?? 1;
      const status = (dep.status ?? {}) as { observedGeneration?: number; availableReplicas?: number; updatedReplicas?: number };
      if (desired < p.minReplicas) {
        return fail(`Deployment "${p.deployment}" asks for ${desired} replica(s); the lab needs at least ${p.minReplicas}.`);
      }
      const generation = dep.metadata.generation ?? 0;
      const available = status.availableReplicas ?? 0;
      const updated = status.updatedReplicas ?? 0;
      if ((status.observedGeneration ?? 0) < generation || updated < desired || available < desired) {
        return fail(
          `Deployment "${p.deployment}" has not finished rolling out: ${available} of ${desired} replicas available, ${updated} updated. ` +
            "Wait a few seconds and check again; if it stays like this, look at the pods' events (`kubectl describe pod`).",
        );
      }
      return pass(`Deployment "${p.deployment}" is rolled out: ${available} of ${desired} replicas available.`);
    },
  }),

  "k8s.probes": defineKind({
    params: WorkloadParams.extend({ readiness: z.boolean().default(true), liveness: z.boolean().default(true) }),
    needsCluster: true,
    async run(p, ctx) {
      const dep = await deployment(ctx, p.deployment);
      if (isOutcome(dep)) return dep;
      const containers = containersOf(dep, p.container);
      if (containers.length === 0) return fail(`Deployment "${p.deployment}" has no container${p.container ? ` named "${p.container}"` : ""}.`);
      const missing: string[] = [];
      for (const c of containers) {
        if (p.readiness && !c.readinessProbe) missing.push(`container "${c.name}" has no readinessProbe`);
        if (p.liveness && !c.livenessProbe) missing.push(`container "${c.name}" has no livenessProbe`);
      }
      return missing.length
        ? fail(`Deployment "${p.deployment}": ${missing.join("; ")}.`)
        : pass(`Every container of "${p.deployment}" has its probes.`);
    },
  }),

  "k8s.resources": defineKind({
    params: WorkloadParams.extend({
      requests: z.array(z.enum(["cpu", "memory"])).default(["cpu", "memory"]),
      limits: z.array(z.enum(["cpu", "memory"])).default(["cpu", "memory"]),
      /** Upper bounds, as Kubernetes quantities ("500m", "512Mi"). */
      maxCpu: z.string().optional(),
      maxMemory: z.string().optional(),
    }),
    needsCluster: true,
    async run(p, ctx) {
      const dep = await deployment(ctx, p.deployment);
      if (isOutcome(dep)) return dep;
      const problems: string[] = [];
      for (const c of containersOf(dep, p.container)) {
        const res = c.resources ?? {};
        for (const r of p.requests) if (!res.requests?.[r]) problems.push(`container "${c.name}" has no ${r} request`);
        for (const r of p.limits) if (!res.limits?.[r]) problems.push(`container "${c.name}" has no ${r} limit`);
        for (const [resource, max] of [["cpu", p.maxCpu], ["memory", p.maxMemory]] as const) {
          if (!max) continue;
          for (const which of ["requests", "limits"] as const) {
            const value = res[which]?.[resource];
            if (value && parseQuantity(value) > parseQuantity(max)) {
              problems.push(`container "${c.name}" ${which} ${value} of ${resource}, more than the lab allows (${max})`);
            }
          }
          const req = res.requests?.[resource];
          const lim = res.limits?.[resource];
          if (req && lim && parseQuantity(req) > parseQuantity(lim)) problems.push(`container "${c.name}" requests more ${resource} (${req}) than its limit (${lim})`);
        }
      }
      return problems.length
        ? fail(`Deployment "${p.deployment}": ${problems.join("; ")}.`)
        : pass(`Requests and limits of "${p.deployment}" are set and within bounds.`);
    },
  }),

  "k8s.securityContext": defineKind({
    params: WorkloadParams.extend({
      require: z
        .array(z.enum(["runAsNonRoot", "readOnlyRootFilesystem", "noPrivilegeEscalation", "dropAllCapabilities"]))
        .default(["runAsNonRoot", "readOnlyRootFilesystem", "noPrivilegeEscalation", "dropAllCapabilities"]),
    }),
    needsCluster: true,
    async run(p, ctx) {
      const dep = await deployment(ctx, p.deployment);
      if (isOutcome(dep)) return dep;
      const pod = podSpecOf(dep).securityContext ?? {};
      const problems: string[] = [];
      for (const c of containersOf(dep, p.container)) {
        const sc = c.securityContext ?? {};
        const name = `container "${c.name}"`;
        if (p.require.includes("runAsNonRoot")) {
          const nonRoot = (sc.runAsNonRoot ?? pod.runAsNonRoot) === true;
          const uid = sc.runAsUser ?? pod.runAsUser;
          if (!nonRoot) problems.push(`${name}: set \`runAsNonRoot: true\``);
          else if (uid === 0) problems.push(`${name}: \`runAsUser: 0\` is root`);
        }
        if (p.require.includes("readOnlyRootFilesystem") && sc.readOnlyRootFilesystem !== true) {
          problems.push(`${name}: set \`readOnlyRootFilesystem: true\` (mount an emptyDir where the app must write)`);
        }
        if (p.require.includes("noPrivilegeEscalation") && sc.allowPrivilegeEscalation !== false) {
          problems.push(`${name}: set \`allowPrivilegeEscalation: false\``);
        }
        if (p.require.includes("dropAllCapabilities") && !(sc.capabilities?.drop ?? []).some((d) => d.toUpperCase() === "ALL")) {
          problems.push(`${name}: drop all capabilities (\`capabilities: {drop: [ALL]}\`)`);
        }
      }
      return problems.length
        ? fail(`Deployment "${p.deployment}" is not locked down: ${problems.join("; ")}.`)
        : pass(`Deployment "${p.deployment}" runs locked down.`);
    },
  }),

  "k8s.imagePinned": defineKind({
    params: WorkloadParams.extend({ requireDigest: z.boolean().default(false) }),
    needsCluster: true,
    async run(p, ctx) {
      const dep = await deployment(ctx, p.deployment);
      if (isOutcome(dep)) return dep;
      const problems: string[] = [];
      for (const c of [...(podSpecOf(dep).initContainers ?? []), ...containersOf(dep, p.container)]) {
        const problem = imageProblem(c.image ?? "", p.requireDigest);
        if (problem) problems.push(`container "${c.name}": ${problem}`);
      }
      return problems.length ? fail(`${problems.join("; ")}.`) : pass(`Every image of "${p.deployment}" is pinned.`);
    },
  }),

  "k8s.configConsumed": defineKind({
    params: z
      .object({ deployment: Name, configMap: Name.optional(), secret: Name.optional() })
      .refine((v) => v.configMap || v.secret, "needs configMap or secret"),
    needsCluster: true,
    async run(p, ctx) {
      const cluster = clusterOf(ctx);
      const dep = await deployment(ctx, p.deployment);
      if (isOutcome(dep)) return dep;
      const spec = podSpecOf(dep);
      const containers = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
      for (const [kind, name] of [["ConfigMap", p.configMap], ["Secret", p.secret]] as const) {
        if (!name) continue;
        const object = await cluster.get({ apiVersion: "v1", kind, name });
        if (!object) return notFound(kind, name, cluster.namespace);
        const isCm = kind === "ConfigMap";
        const used =
          containers.some(
            (c) =>
              (c.envFrom ?? []).some((e) => (isCm ? e.configMapRef?.name : e.secretRef?.name) === name) ||
              (c.env ?? []).some((e) => (isCm ? e.valueFrom?.configMapKeyRef?.name : e.valueFrom?.secretKeyRef?.name) === name),
          ) ||
          (spec.volumes ?? []).some(
            (v) =>
              (isCm ? v.configMap?.name : v.secret?.secretName) === name ||
              (v.projected?.sources ?? []).some((s) => (isCm ? s.configMap?.name : s.secret?.name) === name),
          );
        if (!used) {
          return fail(
            `${kind} "${name}" exists but Deployment "${p.deployment}" does not use it. Reference it with \`envFrom\`, \`env[].valueFrom\` or a volume.`,
          );
        }
      }
      return pass(`Deployment "${p.deployment}" uses ${[p.configMap, p.secret].filter(Boolean).join(" and ")}.`);
    },
  }),
};

/** Why an image reference is not pinned, or null when it is. */
export function imageProblem(image: string, requireDigest = false): string | null {
  if (!image) return "has no image";
  const [withoutDigest, digest] = image.split("@");
  if (digest) return /^sha256:[a-f0-9]{64}$/.test(digest) ? null : `the digest in "${image}" is not a sha256 digest`;
  if (requireDigest) return `"${image}" is not pinned by digest (add @sha256:…)`;
  const lastSlash = withoutDigest!.lastIndexOf("/");
  const colon = withoutDigest!.indexOf(":", lastSlash + 1);
  const tag = colon === -1 ? "" : withoutDigest!.slice(colon + 1);
  if (!tag) return `"${image}" has no tag, so it means :latest and can change under you; pin a version`;
  if (tag === "latest") return `"${image}" uses the moving tag latest; pin a version`;
  return null;
}

const SUFFIX: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** Parses a Kubernetes quantity ("250m", "1.5", "512Mi", "1e3") to a number; NaN when invalid. */
export function parseQuantity(text: string): number {
  const m = /^([+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$/.exec(String(text).trim());
  if (!m) return NaN;
  return Number(m[1]) * SUFFIX[m[2] ?? ""]!;
}
