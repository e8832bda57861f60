import { expect, test } from "vitest";
import type { AnyObject, HttpAnswer } from "../types";
import { httpKinds, judgeAnswer, judgeJson } from "./http";
import { fakeLive, liveContextWith } from "./test-helpers";

const service: AnyObject = { apiVersion: "v1", kind: "Service", metadata: { name: "model-server" }, spec: { selector: { app: "model" }, ports: [{ name: "http", port: 80, targetPort: "http" }] } };
const readyPod: AnyObject = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "model-server-1", labels: { app: "model" } },
  status: { conditions: [{ type: "Ready", status: "True" }], containerStatuses: [{ name: "server", image: "x", ready: true, restartCount: 0, state: { running: {} } }] },
};
const crashingPod: AnyObject = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "model-server-2", labels: { app: "model" } },
  status: {
    conditions: [{ type: "Ready", status: "False" }],
    containerStatuses: [{ name: "server", image: "x", ready: false, restartCount: 3, state: { waiting: { reason: "CrashLoopBackOff" } }, lastState: { terminated: { exitCode: 1, reason: "Error" } } }],
  },
};

const answer = (status: number, json: unknown): HttpAnswer => ({ status, text: JSON.stringify(json), json, fromApiServer: false });
const noEndpoints: HttpAnswer = { status: 503, text: 'no endpoints available for service "model-server"', json: undefined, fromApiServer: true };

const PREDICT = {
  service: "model-server",
  port: "http",
  request: { method: "POST", path: "/predict", json: { tenure_months: 3, monthly_charges: 90, contract: "month-to-month" } },
  expect: { status: 200, json: [{ path: "churn_probability", type: "number", min: 0, max: 1 }, { path: "churn", type: "boolean" }] },
  retrySeconds: 0,
} as const;

async function run(params: unknown, objects: AnyObject[], live: ReturnType<typeof fakeLive>) {
  const spec = httpKinds["http.request"];
  return spec.run(spec.params.parse(params), liveContextWith(objects, live));
}

test("judgeJson: types, integers and value rules", () => {
  expect(judgeJson({ p: 0.3 }, { path: "p", type: "number", min: 0, max: 1 })).toBeNull();
  expect(judgeJson({ p: "0.3" }, { path: "p", type: "number" })).toBe('`p` is "0.3" (string); expected a number');
  expect(judgeJson({}, { path: "p", type: "number" })).toBe("`p` is missing; expected a number");
  expect(judgeJson({ n: 2.5 }, { path: "n", type: "integer" })).toContain("expected an integer");
  expect(judgeJson({ p: 1.5 }, { path: "p", type: "number", max: 1 })).toBe("`p` is 1.5; expected at most 1");
});

test("judgeAnswer tells the API server's own answer from the app's", () => {
  expect(judgeAnswer(noEndpoints, { status: 200, json: [] })).toBe("no pod behind the Service is Ready, so the request reached nothing");
  expect(judgeAnswer(answer(503, { status: "not ready" }), { status: 200, json: [] })).toBe('it answered 503 ({"status":"not ready"}); expected 200');
  expect(judgeAnswer({ status: 200, text: "<html>", json: undefined, fromApiServer: false }, { status: 200, json: [{ path: "a", present: true }] })).toContain("not JSON");
  expect(judgeAnswer(answer(200, { status: "ok" }), { status: 200, json: [], text: "ok" })).toBeNull();
});

test("http.request sends the request through the Service and passes on the right answer", async () => {
  const live = fakeLive({ http: async () => answer(200, { churn_probability: 0.71, churn: true }) });
  const outcome = await run(PREDICT, [service, readyPod], live);
  expect(outcome.status).toBe("pass");
  expect(outcome.message).toBe('POST /predict through Service "model-server" port http answered 200 with `churn_probability`, `churn` as expected.');
});

test("http.request asks again while the pods become ready", async () => {
  const answers = [noEndpoints, answer(503, { status: "not ready" }), answer(200, { status: "ready" })];
  const seen: string[] = [];
  const live = fakeLive({
    http: async (target, request) => {
      seen.push(`${target.kind}/${target.name}:${target.port} ${request.method} ${request.path}`);
      return answers.shift() ?? answer(200, {});
    },
  });
  const outcome = await run({ service: "model-server", port: 80, request: { path: "/ready" }, retrySeconds: 5 }, [service, readyPod], live);
  expect(outcome.status).toBe("pass");
  expect(seen).toEqual(["service/model-server:80 GET /ready", "service/model-server:80 GET /ready", "service/model-server:80 GET /ready"]);
});

test("a prediction of the wrong type fails naming the field and showing the body", async () => {
  const live = fakeLive({ http: async () => answer(200, { churn_probability: "high", churn: true }) });
  const outcome = await run(PREDICT, [service, readyPod], live);
  expect(outcome.status).toBe("fail");
  expect(outcome.message).toContain('`churn_probability` is "high" (string); expected a number');
});

test("when nothing answers, the crashing pods explain why with their last log lines", async () => {
  const live = fakeLive({ http: async () => noEndpoints, logs: async (_pod, options) => (options?.previous ? "INFO starting\nSettingsError: LOG_LEVEL must be one of critical, error\n" : "") });
  const outcome = await run(PREDICT, [service, crashingPod], live);
  expect(outcome.status).toBe("fail");
  expect(outcome.message).toContain("no pod behind the Service is Ready");
  expect(outcome.message).toContain("0 of the 1 pod(s) it selects are Ready");
  expect(outcome.details).toEqual([
    "Pod model-server-2: Container “server” keeps crashing (CrashLoopBackOff, restarted 3 times): it last exited with code 1 (Error): the program reported an error; its log says which. Its last log lines were: “INFO starting” / “SettingsError: LOG_LEVEL must be one of critical, error”.",
  ]);
});

test("a Service that selects nothing says so", async () => {
  const live = fakeLive({ http: async () => noEndpoints });
  const outcome = await run(PREDICT, [{ ...service, spec: { selector: { app: "other" } } }, readyPod], live);
  expect(outcome.message).toContain("selects no pod at all");
});

test("an ExternalName Service or one without a selector is never asked (the proxy would leave the namespace)", async () => {
  const live = fakeLive();
  const external = await run(PREDICT, [{ ...service, spec: { type: "ExternalName", externalName: "localhost", ports: [{ port: 80 }] } }], live);
  expect(external.message).toContain("is of type ExternalName");
  const selectorless = await run(PREDICT, [{ ...service, spec: { ports: [{ port: 80 }] } }], live);
  expect(selectorless.message).toContain("has no `spec.selector`");
  expect(live.commands).toEqual([]);
});

test("params refuse paths that leave the proxy and patterns RE2 cannot run", () => {
  const parse = (extra: object) => httpKinds["http.request"].params.safeParse({ service: "s", port: 80, request: { path: "/x" }, ...extra }).success;
  expect(parse({})).toBe(true);
  expect(parse({ request: { path: "/../../api/v1/secrets" } })).toBe(false);
  expect(parse({ request: { path: "predict" } })).toBe(false);
  expect(parse({ expect: { status: 200, text: "(a)\\1" } })).toBe(false);
});
