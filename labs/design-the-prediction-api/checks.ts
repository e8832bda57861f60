import { dereference } from "@readme/openapi-parser";
import { fail, pass, requireStructured } from "@/lib/checks/kit";
import { defineChecks } from "@/lib/labs/define";

const file = "openapi.yaml";
const FEATURES = ["tenure_months", "monthly_charges", "contract"];
const PATH = "/v1/predictions";

type Schema = { type?: unknown; required?: unknown; additionalProperties?: unknown; maxItems?: unknown; properties?: Record<string, Schema>; items?: Schema };

function requires(schema: Schema, field: string): boolean {
  return Array.isArray(schema.required) && schema.required.includes(field);
}

export const checks = defineChecks([
  {
    id: "valid-openapi",
    title: "A valid OpenAPI document",
    points: 15,
    hints: [
      "Start from `openapi: 3.1.0`, `info: {title, version}` and `paths:`.",
      "The message quotes the validator: it names the JSON pointer of the offending part.",
    ],
    kind: "openapi.valid",
    params: { file },
  },
  {
    id: "semantic-version",
    title: "The contract has a semantic version",
    points: 5,
    hints: ["Set `info.version` to `1.0.0`; bump the major version when you break clients."],
    kind: "structured.field",
    params: { file, path: "info.version", matches: "^\\d+\\.\\d+\\.\\d+$" },
  },
  {
    id: "predict-operation",
    title: "POST /v1/predictions has request and response schemas",
    points: 20,
    hints: [
      "Version the path from day one: `/v1/predictions`. A breaking change then goes to `/v2` while `/v1` keeps serving the clients built against it.",
      "Under `paths./v1/predictions.post`, add `requestBody.content.application/json.schema` and a `200` response with `content.application/json.schema`.",
      "Put the schemas under `components/schemas` and refer to them with `$ref`.",
    ],
    kind: "openapi.operation",
    params: { file, method: "post", path: PATH, requestBody: true, responses: ["200"] },
  },
  {
    id: "request-fields",
    title: "The request is a bounded batch of customers with exactly the model's features",
    points: 20,
    hints: [
      "The body is an object with one required field, `instances`: an array of customers with `minItems: 1` and a `maxItems` such as 1000, so one call can score a whole batch but not an unbounded one.",
      "Each customer lists `tenure_months`, `monthly_charges` and `contract` under `required`.",
      "Add `additionalProperties: false` to the body and to each customer, so a typo such as `tenure_month` is a 422, not a silently ignored field.",
    ],
    kind: "custom",
    needsCluster: false,
    async run(ctx) {
      const value = requireStructured(ctx, file);
      let doc: { paths?: Record<string, { post?: { requestBody?: { content?: Record<string, { schema?: Schema }> } } }> };
      try {
        doc = (await dereference(structuredClone(value) as never, { resolve: { external: false }, dereference: { circular: "ignore" } })) as typeof doc;
      } catch {
        return fail("The document's `$ref`s cannot be resolved; fix `valid-openapi` first.");
      }
      const body = Object.values(doc.paths?.[PATH]?.post?.requestBody?.content ?? {})[0]?.schema;
      if (!body) return fail(`\`POST ${PATH}\` has no request body schema yet.`);
      const instances = body.properties?.instances;
      if (!instances || !requires(body, "instances")) {
        return fail("The request body is not a batch: it needs a required `instances` field, an array of customers, as in `{\"instances\": [{...}, {...}]}`.");
      }
      if (instances.type !== "array" || !instances.items) return fail("`instances` is not an array of customer objects (`type: array` with `items`).");
      if (typeof instances.maxItems !== "number") return fail("`instances` has no `maxItems`: one request could carry a million customers. Bound the batch, for example `maxItems: 1000`.");
      if (body.additionalProperties !== false) return fail("The request body accepts unknown fields next to `instances`; set `additionalProperties: false` on it.");
      const customer = instances.items;
      const missing = FEATURES.filter((f) => !requires(customer, f));
      if (missing.length) return fail(`A customer in \`instances\` does not require ${missing.join(", ")}.`);
      if (customer.additionalProperties !== false) return fail("A customer accepts unknown fields, so `tenure_month` would be ignored; set `additionalProperties: false` on the customer schema.");
      return pass(`The request is a batch of at most ${instances.maxItems} customers, each with exactly the three features.`);
    },
  },
  {
    id: "error-responses",
    title: "Client and server errors are documented",
    points: 25,
    hints: [
      "Add a `422` response (invalid input) and a `503` response (model not loaded) to `POST /v1/predictions`.",
      "Give both a body: `content.application/problem+json.schema: {$ref: \"#/components/schemas/Problem\"}`.",
    ],
    kind: "openapi.operation",
    params: { file, method: "post", path: PATH, requestBody: false, responses: ["4xx", "5xx"] },
  },
  {
    id: "health-endpoint",
    title: "GET /healthz for the liveness probe",
    points: 15,
    hints: ["Add `paths./healthz.get` with a `200` response whose body schema is `{status: ok}`."],
    kind: "openapi.operation",
    params: { file, method: "get", path: "/healthz", requestBody: false, responses: ["200"] },
  },
]);
