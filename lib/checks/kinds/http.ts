// Check kinds that talk to the learner's app over HTTP, through the API server's service proxy
// (`/api/v1/namespaces/<ns>/services/<name>:<port>/proxy/<path>`) with the platform's identity:
// the request takes the same path as traffic from inside the cluster would, through the
// Service's ready endpoints, so a wrong selector, port or readiness shows up as it would in
// production. Pods take a moment to become ready, so a request is sent again (once a second)
// until the answer is right or `retrySeconds` pass; the last answer is what the learner reads.
import type { V1Service } from "@kubernetes/client-node";
import { z } from "zod";
import { failWith } from "../failure";
import { explainPods, isReady, liveOf, podsOf } from "../live";
import { requireObject, waitFor } from "../objects";
import { patternProblem, learnerPattern } from "../pattern";
import { fail, pass, type AnyObject, type CheckContext, type HttpAnswer } from "../types";
import { defineKind, getPath, judgeValue } from "./kind";

const JSON_TYPES = ["string", "number", "integer", "boolean", "object", "array", "null"] as const;

/** A rule on one field of a JSON answer: its type and/or a value rule (as in k8s.field). */
export const JsonRule = z
  .object({
    path: z.string().min(1),
    type: z.enum(JSON_TYPES).optional(),
    equals: z.union([z.string(), z.number(), z.boolean()]).optional(),
    matches: z.string().optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    present: z.boolean().optional(),
  })
  .refine((r) => Object.keys(r).some((k) => k !== "path" && r[k as keyof typeof r] !== undefined), "needs one of type, equals, matches, min, max or present")
  .superRefine((r, issue) => {
    const problem = r.matches === undefined ? null : patternProblem(r.matches);
    if (problem) issue.addIssue({ code: "custom", path: ["matches"], message: `\`matches\` ${problem}` });
  });

export type JsonRuleT = z.output<typeof JsonRule>;

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/** Why a field of the answer breaks its rule, or null. */
export function judgeJson(body: unknown, rule: JsonRuleT): string | null {
  const value = getPath(body, rule.path);
  if (rule.type) {
    const actual = typeOf(value);
    const fits = rule.type === "integer" ? Number.isInteger(value) : actual === rule.type;
    if (value === undefined) return `\`${rule.path}\` is missing; expected ${rule.type === "integer" ? "an integer" : `a ${rule.type}`}`;
    if (!fits) return `\`${rule.path}\` is ${JSON.stringify(value)} (${actual}); expected ${rule.type === "integer" ? "an integer" : `a ${rule.type}`}`;
  }
  if (rule.equals === undefined && rule.matches === undefined && rule.min === undefined && rule.max === undefined && rule.present === undefined) return null;
  return judgeValue(value, { path: rule.path, equals: rule.equals, matches: rule.matches, min: rule.min, max: rule.max, present: rule.present });
}

const PathParam = z
  .string()
  .max(300)
  .regex(/^\/[A-Za-z0-9._~/?=&%+-]*$/, "an absolute URL path such as /predict or /items?limit=1")
  .refine((p) => !p.split(/[/?]/).includes(".."), "must not contain ..");

export const HttpRequestParams = z.object({
  service: z.string().min(1).max(63),
  /** The Service port, by number or by name. */
  port: z.union([z.number().int().min(1).max(65535), z.string().min(1).max(15)]),
  request: z
    .object({
      method: z.enum(["GET", "POST", "PUT", "DELETE"]).default("GET"),
      path: PathParam,
      /** A JSON body (sent with Content-Type: application/json). */
      json: z.unknown().optional(),
    })
    .strict(),
  expect: z
    .object({
      status: z.number().int().min(100).max(599).default(200),
      json: z.array(JsonRule).max(20).default([]),
      /** A pattern (RE2) the body's text must contain. */
      text: z.string().optional().refine((p) => p === undefined || patternProblem(p) === null, "is not a regular expression RE2 can run"),
    })
    .strict()
    .default({ status: 200, json: [] }),
  /** How long to keep asking while pods become ready (a request per second). */
  retrySeconds: z.number().int().min(0).max(50).default(15),
});

type Params = z.output<typeof HttpRequestParams>;

function shorten(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** What is wrong with the answer, or null when it is what the lab expects. */
export function judgeAnswer(answer: HttpAnswer, expect: Params["expect"]): string | null {
  if (answer.fromApiServer) {
    if (answer.status === 0) return answer.text;
    if (/no endpoints available/i.test(answer.text)) return "no pod behind the Service is Ready, so the request reached nothing";
    return `the request did not reach your app: the API server answered ${answer.status} (${shorten(answer.text)})`;
  }
  if (answer.status !== expect.status) {
    return `it answered ${answer.status}${answer.text ? ` (${shorten(answer.text)})` : ""}; expected ${expect.status}`;
  }
  if (expect.json.length > 0 && answer.json === undefined) return `it answered ${answer.status} with a body that is not JSON (${shorten(answer.text) || "empty"})`;
  const problems = expect.json.map((rule) => judgeJson(answer.json, rule)).filter((p): p is string => p !== null);
  if (problems.length) return `it answered ${answer.status}, but ${problems.join("; ")} (body: ${shorten(answer.text)})`;
  if (expect.text && !learnerPattern(expect.text).test(answer.text)) return `it answered ${answer.status}, but the body does not contain /${expect.text}/ (body: ${shorten(answer.text)})`;
  return null;
}

async function requestThroughService(p: Params, ctx: CheckContext) {
  const service = (await requireObject(ctx, { apiVersion: "v1", kind: "Service", name: p.service })) as V1Service & AnyObject;
  const live = liveOf(ctx);
  const what = `${p.request.method} ${p.request.path} through Service "${p.service}" port ${p.port}`;
  // The API server proxies an ExternalName Service to whatever host it names, from the API
  // server's own network: the grader would fetch an address the learner chose and show its
  // answer. Only Services that select pods (so the proxy goes to this namespace's pods) are asked.
  if (service.spec?.type === "ExternalName") {
    failWith(`Service "${p.service}" is of type ExternalName, so it points outside your namespace instead of at your pods. Use a ClusterIP Service with a \`selector\` that matches the pod labels.`);
  }
  if (Object.keys(service.spec?.selector ?? {}).length === 0) {
    failWith(`Service "${p.service}" has no \`spec.selector\`, so it sends traffic to no pod. Select the labels of your pods.`);
  }
  const body = p.request.json === undefined ? undefined : JSON.stringify(p.request.json);
  let last: { answer: HttpAnswer; problem: string } | null = null;
  const passed = await waitFor(
    ctx,
    async () => {
      const answer = await live.http({ kind: "service", name: p.service, port: p.port }, { method: p.request.method, path: p.request.path, body, timeoutMs: 5_000 });
      const problem = judgeAnswer(answer, p.expect);
      if (problem === null) return answer;
      last = { answer, problem };
      return null;
    },
    { timeoutMs: p.retrySeconds * 1000, intervalMs: 1000 },
  );
  return { service, what, passed, last: last as { answer: HttpAnswer; problem: string } | null };
}

export const httpKinds = {
  "http.request": defineKind({
    params: HttpRequestParams,
    needsCluster: true,
    needsRealWorkloads: true,
    async run(p, ctx) {
      const { service, what, passed, last } = await requestThroughService(p, ctx);
      if (passed) {
        const fields = p.expect.json.map((r) => `\`${r.path}\``);
        return pass(`${what} answered ${passed.status}${fields.length ? ` with ${fields.join(", ")} as expected` : ""}.`);
      }
      const problem = last?.problem ?? "the check ran out of time before an answer came";
      // The pods behind the Service say why it did not answer: crashing, not ready, failing probes.
      const pods = await podsOf(ctx, service);
      const explained = await explainPods(ctx, pods);
      const readyCount = pods.filter(isReady).length;
      const podsLine = pods.length === 0 ? ` The Service selects no pod at all: compare its \`spec.selector\` with your pods' labels.` : ` ${readyCount} of the ${pods.length} pod(s) it selects are Ready.`;
      return fail(`${what}: ${problem}.${last?.answer.fromApiServer || last?.answer.status === 503 ? podsLine : ""}`, explained);
    },
  }),
};
