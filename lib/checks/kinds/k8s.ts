// Check kinds on the live state of the learner's namespace, read through the grader's read-only
// identity (ctx.cluster). Kinds about pods take a `workload` ({kind, name}): a Deployment,
// StatefulSet, Job or CronJob, whose pod template they judge (workloads.ts). Every failure says
// which object and field, and what to change. The file is long because it holds every k8s kind;
// each kind is a few independent lines over the shared helpers in ../objects and ../workloads.
import type { V1Container, V1Service } from "@kubernetes/client-node";
import { z } from "zod";
import { failWith } from "../failure";
import { clusterOf, findObject, requireObject, waitFor } from "../objects";
import { fail, pass, type AnyObject, type CheckContext } from "../types";
import { WorkloadRefSchema, containersOf, describeWorkload, podSpecOf, podTemplateOf, podsAtOnce, podsRunning, workloadRef, type WorkloadRef } from "../workloads";
import { ValueRule, defineKind, getPath, judgeValue } from "./kind";
import { GRADER_POD_LABEL } from "../live";
import { learnerPattern } from "../pattern";

const SHA256_DIGEST = learnerPattern("^sha256:[a-f0-9]{64}$");
const HAS_DIGIT = learnerPattern("[0-9]");
const QUANTITY = learnerPattern(String.raw`^([+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)?$`);

const Name = z.string().min(1).max(253);
const Ref = { apiVersion: z.string().min(1), kind: z.string().min(1), name: Name };

const WorkloadParams = z.object({ workload: WorkloadRefSchema, container: z.string().optional() });

/** A label key (optional DNS prefix, then a name of up to 63 characters) and value, as Kubernetes allows them. */
const LABEL_KEY = /^(?:[a-z0-9](?:[-a-z0-9]*[a-z0-9])?(?:\.[a-z0-9](?:[-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^(?:[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/** Labels an object must carry, all of them (a label selector's matchLabels); at least one. */
const LabelsSchema = z
  .record(z.string().regex(LABEL_KEY, "is not a label key (such as app or app.kubernetes.io/name)"), z.string().regex(LABEL_VALUE, "is not a label value (at most 63 letters, digits, -, _ or .)"))
  .refine((labels) => Object.keys(labels).length > 0, "needs at least one label: an empty selector selects every object of the kind");

/** How many objects a selector must select: exactly `n`, or between `min` (default 1) and `max`. */
const CountSchema = z.union([
  z.number().int().min(1, "must be at least 1 (for none, use k8s.absent)"),
  z
    .object({ min: z.number().int().min(0).default(1), max: z.number().int().min(1, "must be at least 1 (for none, use k8s.absent)").optional() })
    .strict()
    .refine((c) => c.max === undefined || c.min <= c.max, "`min` must not be above `max`"),
]);

function requireWorkload(ctx: CheckContext, workload: WorkloadRef): Promise<AnyObject> {
  return requireObject(ctx, workloadRef(workload));
}

/** The containers a rule applies to: the one named, else every container (init containers with `init`). */
function judged(object: AnyObject, container: string | undefined, init: boolean): V1Container[] {
  return containersOf(object, { only: container, init });
}

const noContainers = (w: WorkloadRef, container?: string) => fail(`${describeWorkload(w)} has no container${container ? ` named "${container}"` : ""}.`);

const SECURITY_RULES = [
  "runAsNonRoot",
  "readOnlyRootFilesystem",
  "noPrivilegeEscalation",
  "dropAllCapabilities",
  "notPrivileged",
  "noAddedCapabilities",
  "seccompProfile",
  "noHostNamespaces",
  "noHostPath",
] as const;

export const k8sKinds = {
  "k8s.exists": defineKind({
    params: z.object(Ref),
    needsCluster: true,
    async run(p, ctx) {
      await requireObject(ctx, p);
      return pass(`${p.kind} "${p.name}" exists.`);
    },
  }),

  "k8s.field": defineKind({
    params: z.object(Ref).and(ValueRule),
    needsCluster: true,
    async run(p, ctx) {
      const found = await requireObject(ctx, p);
      const problem = judgeValue(getPath(found, p.path), p);
      return problem ? fail(`${p.kind} "${p.name}": ${problem}.`) : pass(`${p.kind} "${p.name}": \`${p.path}\` is as expected.`);
    },
  }),

  "k8s.absent": defineKind({
    params: z
      .object({
        apiVersion: Ref.apiVersion,
        kind: Ref.kind,
        /** The one object that must not exist… */
        name: Name.optional(),
        /** …or the labels no object of the kind may carry (every one of them: matchLabels). */
        selector: LabelsSchema.optional(),
        /** An object that is being deleted (finalizers, pods stopping) gets until then to go, read again every second. */
        settleSeconds: z.number().int().min(0).max(50).default(10),
      })
      .refine((p) => (p.name === undefined) !== (p.selector === undefined), "needs either `name` or `selector` (one of them, not both)"),
    needsCluster: true,
    async run(p, ctx) {
      const what = p.name !== undefined ? `${p.kind} "${p.name}"` : `${p.kind} labelled ${labelsText(p.selector!)}`;
      const read = async (fresh: boolean): Promise<AnyObject[]> => {
        if (p.name !== undefined) {
          const found = await findObject(ctx, { apiVersion: p.apiVersion, kind: p.kind, name: p.name }, { fresh });
          return found ? [found] : [];
        }
        return listSelected(ctx, p.apiVersion, p.kind, p.selector!, fresh);
      };
      let left = await read(false);
      // A learner who just ran `kubectl delete` sees the object go in a moment; only then is waiting worth it.
      if (left.length > 0 && left.every(isTerminating) && p.settleSeconds > 0) {
        await waitFor(
          ctx,
          async () => {
            left = await read(true);
            return left.length === 0 || !left.every(isTerminating);
          },
          { timeoutMs: p.settleSeconds * 1000 },
        );
      }
      if (left.length === 0) return pass(`No ${what} exists in your namespace.`);
      const ns = clusterOf(ctx).namespace;
      const one = left.length === 1;
      const [it, is] = one ? ["it", "is"] : ["them", "are"];
      const subject =
        p.name !== undefined
          ? `${what} still exists in your namespace ${ns}`
          : `${left.length} ${plural(p.kind, left.length)} labelled ${labelsText(p.selector!)} still exist${one ? "s" : ""} in your namespace ${ns}: ${listNames(left.map((o) => o.metadata.name))}`;
      if (left.every(isTerminating)) {
        return fail(`${subject}, being deleted: Kubernetes is still waiting for ${it} to stop (finalizers, or pods shutting down). Check again in a few seconds.`);
      }
      const command = `kubectl delete ${p.kind.toLowerCase()} ${p.name !== undefined ? p.name : `-l ${labelsText(p.selector!)}`}`;
      return fail(
        `${subject}. The lab needs ${it} gone: delete ${it} (\`${command}\`); if ${it === "it" ? "it" : "they"} ${is} in a file you apply, take ${it} out of that file too, or the next Apply brings ${it} back.`,
      );
    },
  }),

  "k8s.selected": defineKind({
    params: z.object({
      apiVersion: Ref.apiVersion,
      kind: Ref.kind,
      /** The labels every selected object carries (matchLabels). */
      selector: LabelsSchema,
      /** How many objects it must select: exactly a number, or `{ min, max }` (min defaults to 1: write `min: 0` to allow none). */
      count: CountSchema.default({ min: 1 }),
      /** Field rules (as in k8s.field, `path` + equals/matches/min/max/present) every selected object must meet. */
      fields: z.array(ValueRule).max(20).default([]),
    }),
    needsCluster: true,
    async run(p, ctx) {
      const selected = await listSelected(ctx, p.apiVersion, p.kind, p.selector, false);
      const labels = labelsText(p.selector);
      const names = selected.map((o) => o.metadata.name);
      const which = (n: number) => `${n} ${plural(p.kind, n)} labelled ${labels}`;
      const countProblem = judgeCount(selected.length, p.count);
      if (countProblem) {
        const found = selected.length === 0 ? `No ${p.kind} is labelled ${labels} in your namespace` : `${which(selected.length)} exist${selected.length === 1 ? "s" : ""} (${listNames(names)})`;
        const advice = selected.length < (typeof p.count === "number" ? p.count : p.count.min)
          ? `Check the labels in \`metadata.labels\` of the ${plural(p.kind, 2)} you applied (\`kubectl get ${p.kind.toLowerCase()} --show-labels\`).`
          : `Delete the ones the lab does not ask for, or change their labels.`;
        return fail(`${found}; the lab expects ${countProblem}. ${advice}`);
      }
      const problems = selected.flatMap((o) =>
        p.fields.flatMap((rule) => {
          const problem = judgeValue(getPath(o, rule.path), rule);
          return problem ? [`${p.kind} "${o.metadata.name}": ${problem}`] : [];
        }),
      );
      if (problems.length > 0) {
        const failing = selected.filter((o) => p.fields.some((rule) => judgeValue(getPath(o, rule.path), rule))).length;
        const shown = problems.slice(0, 3).join("; ");
        const who = selected.length === 1 ? `The ${p.kind} labelled ${labels} does` : `${failing} of the ${which(selected.length)} ${failing === 1 ? "does" : "do"}`;
        return fail(
          `${who} not meet the lab's rules: ${shown}${problems.length > 3 ? `; and ${problems.length - 3} more (see below)` : ""}.`,
          problems.slice(0, 50),
        );
      }
      const rules = p.fields.length ? `, and each meets the lab's ${p.fields.length === 1 ? "rule" : `${p.fields.length} rules`}` : "";
      return pass(`${which(selected.length)} exist${selected.length === 1 ? "s" : ""} (${listNames(names)})${rules}.`);
    },
  }),

  "k8s.serviceSelects": defineKind({
    params: z.object({
      service: Name,
      workload: WorkloadRefSchema,
      /** The port the server in the pods listens on: every Service port must reach it (by number, or by a port name that means it). */
      containerPort: z.number().int().min(1).max(65535).optional(),
    }),
    needsCluster: true,
    async run(p, ctx) {
      const svc = (await requireObject(ctx, { apiVersion: "v1", kind: "Service", name: p.service })) as V1Service & AnyObject;
      const object = await requireWorkload(ctx, p.workload);
      const owner = describeWorkload(p.workload);
      const selector = svc.spec?.selector ?? {};
      const labels = podTemplateOf(object)?.metadata?.labels ?? {};
      if (Object.keys(selector).length === 0) {
        return fail(`Service "${p.service}" has no \`spec.selector\`, so it sends traffic to no pod. Select the pod labels of ${owner}.`);
      }
      const mismatched = Object.entries(selector).filter(([k, v]) => labels[k] !== v);
      if (mismatched.length > 0) {
        return fail(
          `Service "${p.service}" selects ${mismatched.map(([k, v]) => `${k}=${v}`).join(", ")}, but the pods of ${owner} are labelled ${
            Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(", ") || "with nothing"
          }.`,
        );
      }
      const containerPorts = containersOf(object).flatMap((c) => c.ports ?? []);
      for (const port of svc.spec?.ports ?? []) {
        const target = port.targetPort ?? port.port;
        if (typeof target === "string" && !containerPorts.some((cp) => cp.name === target)) {
          return fail(`Service "${p.service}" targets the port named "${target}", but no container of "${p.workload.name}" declares a port with that name.`);
        }
        if (typeof target === "number" && containerPorts.length > 0 && !containerPorts.some((cp) => cp.containerPort === target)) {
          return fail(
            `Service "${p.service}" sends traffic to port ${target}, but the containers of "${p.workload.name}" listen on ${containerPorts.map((cp) => cp.containerPort).join(", ")}.`,
          );
        }
        // Declared ports agree with each other yet both can be wrong: the server listens where it listens.
        const reaches = typeof target === "string" ? containerPorts.find((cp) => cp.name === target)?.containerPort : target;
        if (p.containerPort !== undefined && reaches !== p.containerPort) {
          return fail(
            `Service "${p.service}" port ${port.port} reaches container port ${reaches}${typeof target === "string" ? ` (the port named "${target}")` : ""}, but the server listens on ${p.containerPort}: every request would be refused. Declare \`containerPort: ${p.containerPort}\` and target it.`,
          );
        }
      }
      // Every pod of the workload carries the template labels, so the selector matching them
      // means the Service selects all its pods; the workload's status says whether there are any
      // (cheaper for the API server than listing pods by label on every check).
      const pods = podsRunning(object);
      if (pods === 0) return fail(`Service "${p.service}" matches the labels of ${owner}, but no pod exists yet. Is it scaled to 0, or are its pods refused?`);
      return pass(`Service "${p.service}" selects the ${pods} pod(s) of ${owner}.`);
    },
  }),

  "k8s.rolloutComplete": defineKind({
    params: z.object({
      workload: WorkloadRefSchema.refine((w) => w.kind === "Deployment" || w.kind === "StatefulSet", "a rollout is a Deployment's or a StatefulSet's; for a Job use k8s.jobComplete"),
      minReplicas: z.number().int().min(0).default(1),
    }),
    needsCluster: true,
    async run(p, ctx) {
      const object = await requireWorkload(ctx, p.workload);
      const owner = describeWorkload(p.workload);
      const desired = podsAtOnce(object);
      const status = (object.status ?? {}) as { observedGeneration?: number; availableReplicas?: number; updatedReplicas?: number };
      if (desired < p.minReplicas) return fail(`${owner} asks for ${desired} replica(s); the lab needs at least ${p.minReplicas}.`);
      const generation = object.metadata.generation ?? 0;
      const available = status.availableReplicas ?? 0;
      const updated = status.updatedReplicas ?? 0;
      if ((status.observedGeneration ?? 0) < generation || updated < desired || available < desired) {
        return fail(
          `${owner} has not finished rolling out: ${available} of ${desired} replicas available, ${updated} updated. ` +
            "Wait a few seconds and check again; if it stays like this, look at the pods' events (`kubectl describe pod`).",
        );
      }
      return pass(`${owner} is rolled out: ${available} of ${desired} replicas available.`);
    },
  }),

  "k8s.jobComplete": defineKind({
    params: z.object({
      job: Name,
      /** A Job younger than this gets until it is this old to finish, read again every second. */
      settleSeconds: z.number().int().min(0).max(50).default(12),
    }),
    needsCluster: true,
    async run(p, ctx) {
      const ref = { apiVersion: "batch/v1", kind: "Job", name: p.job } as const;
      let job: JobLike = await requireObject(ctx, ref);
      const ageMs = Date.now() - Date.parse(String(job.metadata.creationTimestamp ?? ""));
      const settleMs = p.settleSeconds * 1000;
      if (!jobVerdict(job) && Number.isFinite(ageMs) && ageMs < settleMs) {
        // The pods of a Job applied seconds ago need a moment: look again until it is settleSeconds old.
        await waitForJob(ctx, ref, settleMs - Math.max(ageMs, 0), (fresh) => (job = fresh));
      }
      const verdict = jobVerdict(job);
      if (verdict) return verdict;
      const events = await clusterOf(ctx).list("v1", "Event");
      const refusals = events
        .filter((e) => {
          const involved = (e as { involvedObject?: { kind?: string; name?: string } }).involvedObject;
          return involved?.kind === "Job" && involved.name === p.job && (e as { reason?: string }).reason === "FailedCreate";
        })
        .map((e) => String((e as { message?: string }).message ?? ""));
      if (refusals.length) return fail(`Job "${p.job}" cannot create its pods: ${refusals.at(-1)}`, refusals.slice(-3));
      const s = job.status ?? {};
      return fail(
        `Job "${p.job}" has not finished yet: ${s.succeeded ?? 0} of ${job.spec?.completions ?? 1} succeeded, ${s.active ?? 0} running, ${s.failed ?? 0} failed. Check again in a few seconds.`,
      );
    },
  }),

  "k8s.probes": defineKind({
    params: WorkloadParams.extend({
      readiness: z.boolean().default(true),
      liveness: z.boolean().default(true),
      /** The HTTP path the readiness probe must ask (the endpoint that says "ready for traffic"). */
      readinessPath: z.string().startsWith("/").optional(),
      /** The HTTP path the liveness probe must ask (the endpoint that says "the process is up"). */
      livenessPath: z.string().startsWith("/").optional(),
      /** The port the server listens on: HTTP and TCP probes must reach it (by number or by a port name that means it). */
      port: z.number().int().min(1).max(65535).optional(),
    }),
    needsCluster: true,
    async run(p, ctx) {
      const object = await requireWorkload(ctx, p.workload);
      const containers = judged(object, p.container, false);
      if (containers.length === 0) return noContainers(p.workload, p.container);
      const problems: string[] = [];
      for (const c of containers) {
        const name = `container "${c.name}"`;
        if (p.readiness && !c.readinessProbe) problems.push(`${name} has no readinessProbe`);
        if (p.liveness && !c.livenessProbe) problems.push(`${name} has no livenessProbe`);
        const probes = [
          { kind: "readinessProbe", probe: c.readinessProbe, path: p.readinessPath },
          { kind: "livenessProbe", probe: c.livenessProbe, path: p.livenessPath },
        ] as const;
        for (const { kind, probe, path } of probes) {
          if (!probe) continue;
          const target = probe.httpGet?.port ?? probe.tcpSocket?.port ?? probe.grpc?.port;
          const reaches = typeof target === "string" ? (c.ports ?? []).find((cp) => cp.name === target)?.containerPort : target;
          if (typeof target === "string" && reaches === undefined) problems.push(`${name}: the ${kind} asks the port named "${target}", which the container does not declare`);
          else if (p.port !== undefined && target !== undefined && reaches !== p.port) problems.push(`${name}: the ${kind} asks port ${reaches}, but the server listens on ${p.port}, so the probe always fails`);
          if (path !== undefined && probe.httpGet?.path !== path) {
            problems.push(`${name}: the ${kind} must be an HTTP GET of \`${path}\`${probe.httpGet ? `, not \`${probe.httpGet.path ?? "/"}\`` : ""}`);
          }
        }
        // A readiness probe that asks what the liveness probe asks says only "the process is up":
        // pods get traffic before the model is loaded, and a pod that cannot serve is never taken out.
        const same = c.readinessProbe && c.livenessProbe && JSON.stringify(probeAction(c.readinessProbe)) === JSON.stringify(probeAction(c.livenessProbe));
        if (same) problems.push(`${name}: the readinessProbe asks exactly what the livenessProbe asks, so it cannot tell "up" from "ready for traffic"`);
      }
      return problems.length
        ? fail(`${describeWorkload(p.workload)}: ${problems.join("; ")}.`, problems)
        : pass(`Every container of "${p.workload.name}" has its probes.`);
    },
  }),

  "k8s.resources": defineKind({
    params: WorkloadParams.extend({
      requests: z.array(z.enum(["cpu", "memory"])).default(["cpu", "memory"]),
      limits: z.array(z.enum(["cpu", "memory"])).default(["cpu", "memory"]),
      /** Upper bounds per container, as Kubernetes quantities ("500m", "512Mi"). */
      maxCpu: z.string().optional(),
      maxMemory: z.string().optional(),
      /** The namespace quota that the pods running at once (replicas, a Job's parallelism) must fit together. */
      quota: z.object({ requestsCpu: z.string(), requestsMemory: z.string(), limitsCpu: z.string(), limitsMemory: z.string() }).optional(),
    }),
    needsCluster: true,
    async run(p, ctx) {
      const object = await requireWorkload(ctx, p.workload);
      const owner = describeWorkload(p.workload);
      const containers = judged(object, p.container, false);
      if (containers.length === 0) return noContainers(p.workload, p.container);
      const problems: string[] = [];
      const total = { requests: { cpu: 0, memory: 0 }, limits: { cpu: 0, memory: 0 } };
      for (const c of containers) {
        const res = c.resources ?? {};
        for (const r of p.requests) if (!res.requests?.[r]) problems.push(`container "${c.name}" has no ${r} request`);
        for (const r of p.limits) if (!res.limits?.[r]) problems.push(`container "${c.name}" has no ${r} limit`);
        for (const [resource, max] of [["cpu", p.maxCpu], ["memory", p.maxMemory]] as const) {
          for (const which of ["requests", "limits"] as const) {
            const value = res[which]?.[resource];
            if (value) total[which][resource] += parseQuantity(String(value));
            if (max && value && parseQuantity(String(value)) > parseQuantity(max)) {
              problems.push(`container "${c.name}" ${which} ${value} of ${resource}, more than the lab allows (${max})`);
            }
          }
          const req = res.requests?.[resource];
          const lim = res.limits?.[resource];
          if (req && lim && parseQuantity(String(req)) > parseQuantity(String(lim))) {
            problems.push(`container "${c.name}" requests more ${resource} (${req}) than its limit (${lim})`);
          }
        }
      }
      if (problems.length) return fail(`${owner}: ${problems.join("; ")}.`, problems);
      if (!p.quota) return pass(`Requests and limits of "${p.workload.name}" are set and within bounds.`);
      const pods = podsAtOnce(object);
      const quota = { requests: { cpu: p.quota.requestsCpu, memory: p.quota.requestsMemory }, limits: { cpu: p.quota.limitsCpu, memory: p.quota.limitsMemory } };
      for (const which of ["requests", "limits"] as const) {
        for (const resource of ["cpu", "memory"] as const) {
          if (total[which][resource] * pods > parseQuantity(quota[which][resource]) + 1e-9) {
            problems.push(
              `${pods} pods at once ${which === "requests" ? "request" : "are limited to"} more ${resource} than the namespace quota allows (${which}.${resource} ${quota[which][resource]})`,
            );
          }
        }
      }
      return problems.length
        ? fail(`${owner}: ${problems.join("; ")}.`, problems)
        : pass(`Every container of "${p.workload.name}" has bounded requests and limits, and ${pods} pod(s) at once fit the quota.`);
    },
  }),

  "k8s.securityContext": defineKind({
    params: WorkloadParams.extend({
      require: z.array(z.enum(SECURITY_RULES)).default([...SECURITY_RULES]),
      /** Where the app must write: with a read-only root filesystem, a writable volume must be mounted at (or above) each. */
      writablePaths: z.array(z.string().startsWith("/")).default([]),
    }),
    needsCluster: true,
    async run(p, ctx) {
      const object = await requireWorkload(ctx, p.workload);
      const spec = podSpecOf(object);
      const pod = spec.securityContext ?? {};
      const rule = (r: (typeof SECURITY_RULES)[number]) => p.require.includes(r);
      const problems: string[] = [];
      if (rule("noHostNamespaces") && (spec.hostNetwork || spec.hostPID || spec.hostIPC)) problems.push("the pod shares the node's network, PID or IPC namespace");
      if (rule("noHostPath") && (spec.volumes ?? []).some((v) => v.hostPath)) problems.push("a volume mounts a path of the node (`hostPath`)");
      // Every container the pod runs, init containers included: the weakest one is what an attacker gets.
      const containers = judged(object, p.container, true);
      if (containers.length === 0) return noContainers(p.workload, p.container);
      for (const c of containers) {
        const sc = c.securityContext ?? {};
        const name = `container "${c.name}"`;
        if (rule("runAsNonRoot")) {
          if ((sc.runAsNonRoot ?? pod.runAsNonRoot) !== true) problems.push(`${name}: set \`runAsNonRoot: true\``);
          else if ((sc.runAsUser ?? pod.runAsUser) === 0) problems.push(`${name}: \`runAsUser: 0\` is root`);
        }
        if (rule("readOnlyRootFilesystem") && sc.readOnlyRootFilesystem !== true) {
          problems.push(`${name}: set \`readOnlyRootFilesystem: true\` (mount an emptyDir where the app must write, such as /tmp)`);
        }
        if (sc.readOnlyRootFilesystem === true) {
          for (const dir of p.writablePaths) {
            const mount = (c.volumeMounts ?? []).find((m) => !m.readOnly && isWithin(dir, m.mountPath));
            if (!mount) problems.push(`${name}: the root filesystem is read-only and nothing writable is mounted at ${dir}, where the app writes; mount an \`emptyDir\` volume there`);
          }
        }
        if (rule("noPrivilegeEscalation") && sc.allowPrivilegeEscalation !== false) problems.push(`${name}: set \`allowPrivilegeEscalation: false\``);
        if (rule("dropAllCapabilities") && !(sc.capabilities?.drop ?? []).some((d) => d.toUpperCase() === "ALL")) {
          problems.push(`${name}: drop all capabilities (\`capabilities: {drop: [ALL]}\`)`);
        }
        if (rule("notPrivileged") && sc.privileged) problems.push(`${name}: must not be \`privileged\``);
        if (rule("noAddedCapabilities") && (sc.capabilities?.add ?? []).some((a) => a.toUpperCase() !== "NET_BIND_SERVICE")) {
          problems.push(`${name}: adds capabilities back (only NET_BIND_SERVICE is allowed)`);
        }
        const seccomp = sc.seccompProfile?.type ?? pod.seccompProfile?.type;
        if (rule("seccompProfile") && seccomp !== "RuntimeDefault" && seccomp !== "Localhost") {
          problems.push(`${name}: set \`seccompProfile: {type: RuntimeDefault}\` (on the pod or the container)`);
        }
      }
      const owner = describeWorkload(p.workload);
      if (problems.length) return fail(`${owner} is not locked down: ${problems.join("; ")}.`, problems);
      return pass(
        p.require.length === SECURITY_RULES.length ? `${owner} meets the restricted Pod Security level with a read-only root filesystem.` : `${owner} runs locked down.`,
      );
    },
  }),

  "k8s.imagePinned": defineKind({
    params: WorkloadParams.extend({ requireDigest: z.boolean().default(false) }),
    needsCluster: true,
    async run(p, ctx) {
      const object = await requireWorkload(ctx, p.workload);
      const problems: string[] = [];
      for (const c of [...(podSpecOf(object).initContainers ?? []), ...judged(object, p.container, false)]) {
        const problem = imageProblem(c.image ?? "", p.requireDigest);
        if (problem) problems.push(`container "${c.name}": ${problem}`);
      }
      return problems.length ? fail(`${problems.join("; ")}.`) : pass(`Every image of ${describeWorkload(p.workload)} is pinned.`);
    },
  }),

  "k8s.configConsumed": defineKind({
    params: z.object({ workload: WorkloadRefSchema, configMap: Name.optional(), secret: Name.optional() }).refine((v) => v.configMap || v.secret, "needs configMap or secret"),
    needsCluster: true,
    async run(p, ctx) {
      const object = await requireWorkload(ctx, p.workload);
      const spec = podSpecOf(object);
      const containers = containersOf(object, { init: true });
      for (const [kind, name] of [["ConfigMap", p.configMap], ["Secret", p.secret]] as const) {
        if (!name) continue;
        await requireObject(ctx, { apiVersion: "v1", kind, name });
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
            `${kind} "${name}" exists but ${describeWorkload(p.workload)} does not use it. Reference it with \`envFrom\`, \`env[].valueFrom\` or a volume.`,
          );
        }
      }
      const used = [p.configMap && `ConfigMap "${p.configMap}"`, p.secret && `Secret "${p.secret}"`].filter(Boolean);
      return pass(`${describeWorkload(p.workload)} reads ${used.join(" and ")}.`);
    },
  }),
};

/** What the count should have been, in words, or null when `n` is within it. */
function judgeCount(n: number, count: z.output<typeof CountSchema>): string | null {
  if (typeof count === "number") return n === count ? null : `exactly ${count}`;
  if (n >= count.min && (count.max === undefined || n <= count.max)) return null;
  if (count.max === undefined) return `at least ${count.min}`;
  return count.min === count.max ? `exactly ${count.min}` : `from ${count.min} to ${count.max}`;
}

/** The objects of a kind carrying every label of `labels`, by name; never the grader's own pods. */
async function listSelected(ctx: CheckContext, apiVersion: string, kind: string, labels: Record<string, string>, fresh: boolean): Promise<AnyObject[]> {
  const objects = await clusterOf(ctx).list(apiVersion, kind, { labelSelector: labelsText(labels), fresh });
  return objects
    .filter((o) => !(kind === "Pod" && o.metadata.labels?.[GRADER_POD_LABEL]))
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}

/** `app=model,tier=api`: a label selector as kubectl and the API take it. */
function labelsText(labels: Record<string, string>): string {
  return Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(",");
}

function isTerminating(object: AnyObject): boolean {
  return Boolean(object.metadata.deletionTimestamp);
}

/** `"a", "b" and 3 more`: names in a message, at most five. */
function listNames(names: string[]): string {
  const shown = names.slice(0, 5).map((n) => `"${n}"`).join(", ");
  return names.length > 5 ? `${shown} and ${names.length - 5} more` : shown;
}

/** A kind in the plural for messages: Deployments, NetworkPolicies, Ingresses. */
function plural(kind: string, n: number): string {
  if (n === 1) return kind;
  if (/[^aeiou]y$/.test(kind)) return `${kind.slice(0, -1)}ies`;
  return /(s|x|ch|sh)$/.test(kind) ? `${kind}es` : `${kind}s`;
}

type JobLike = AnyObject & {
  spec?: { completions?: number };
  status?: { active?: number; succeeded?: number; failed?: number; conditions?: Array<{ type?: string; status?: string; reason?: string; message?: string }> };
};

/** The verdict on a finished Job (complete or failed), or null while it runs. */
function jobVerdict(job: JobLike) {
  const is = (type: string) => (job.status?.conditions ?? []).find((c) => c.type === type && c.status === "True");
  const name = job.metadata.name;
  if (is("Complete")) return pass(`Job "${name}" completed: ${job.status?.succeeded ?? 0} of ${job.spec?.completions ?? 1} pod(s) succeeded.`);
  const failed = is("Failed");
  if (!failed) return null;
  return fail(`Job "${name}" failed${failed.reason ? ` (${failed.reason})` : ""}: ${failed.message ?? "no message"}. Fix the cause, delete the Job and apply it again.`);
}

async function waitForJob(ctx: CheckContext, ref: { apiVersion: string; kind: "Job"; name: string }, timeoutMs: number, seen: (job: JobLike) => void): Promise<void> {
  await waitFor(
    ctx,
    async () => {
      const fresh = await findObject(ctx, ref, { fresh: true });
      if (!fresh) return failWith(`Job "${ref.name}" was deleted while the check waited for it. Apply it again.`);
      seen(fresh);
      return jobVerdict(fresh) !== null;
    },
    { timeoutMs },
  );
}

/** Whether `dir` is `mount` or below it ("/tmp/x" is within "/tmp" and "/"; "/tmpx" is not). */
function isWithin(dir: string, mount: string): boolean {
  let base = mount;
  while (base.length > 1 && base.endsWith("/")) base = base.slice(0, -1);
  return dir === base || dir.startsWith(base === "/" ? "/" : `${base}/`);
}

/** What a probe does (its handler), without its timings: two probes with the same action ask the same thing. */
function probeAction(probe: NonNullable<V1Container["readinessProbe"]>): unknown {
  return { httpGet: probe.httpGet && { path: probe.httpGet.path ?? "/", port: probe.httpGet.port }, tcpSocket: probe.tcpSocket?.port, exec: probe.exec?.command, grpc: probe.grpc?.port };
}

/** Why an image reference is not pinned, or null when it is. */
export function imageProblem(image: string, requireDigest = false): string | null {
  if (!image) return "has no image";
  const [withoutDigest, digest] = image.split("@");
  if (digest) return SHA256_DIGEST.test(digest) ? null : `the digest in "${image}" is not a sha256 digest`;
  if (requireDigest) return `"${image}" is not pinned by digest (add @sha256:…)`;
  const lastSlash = withoutDigest!.lastIndexOf("/");
  const colon = withoutDigest!.indexOf(":", lastSlash + 1);
  const tag = colon === -1 ? "" : withoutDigest!.slice(colon + 1);
  if (!tag) return `"${image}" has no tag, so it means :latest and can change under you; pin a version`;
  if (tag === "latest") return `"${image}" uses the moving tag latest; pin a version`;
  // `slim`, `bookworm`, `stable`, `lts`: names of a line of releases, moved by every new one.
  if (!HAS_DIGIT.test(tag)) return `"${image}" uses the tag ${tag}, a name that moves with every release rather than a version; pin a version such as :1.2.3`;
  return null;
}

const SUFFIX: Record<string, number> = {
  n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** Parses a Kubernetes quantity ("250m", "1.5", "512Mi", "1e3") to a number; NaN when invalid. */
export function parseQuantity(text: string): number {
  const m = QUANTITY.exec(String(text).trim());
  if (!m) return NaN;
  return Number(m[1]) * SUFFIX[m[2] ?? ""]!;
}
