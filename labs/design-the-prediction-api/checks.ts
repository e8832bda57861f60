import { dereference } from "@readme/openapi-parser";
import { fail, pass, requireStructured } from "@/lib/checks/kit";
import { defineChecks } from "@/lib/labs/define";

const file = "openapi.yaml";
const FEATURES = ["tenure_months", "monthly_charges", "contract"];

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
    title: "POST /predict has request and response schemas",
    points: 20,
    hints: [
      "Under `paths./predict.post`, add `requestBody.content.application/json.schema` and a `200` response with `content.application/json.schema`.",
      "Put the schemas under `components/schemas` and refer to them with `$ref`.",
    ],
    kind: "openapi.operation",
    params: { file, method: "post", path: "/predict", requestBody: true, responses: ["200"] },
  },
  {
    id: "request-fields",
    title: "The request requires exactly the model's features",
    points: 20,
    hints: [
      "List `tenure_months`, `monthly_charges` and `contract` under `required`.",
      "Add `additionalProperties: false` so a typo such as `tenure_month` is a 422, not a silently ignored field.",
    ],
    kind: "custom",
    needsCluster: false,
    async run(ctx) {
      const value = requireStructured(ctx, file);
      let doc: { paths?: Record<string, { post?: { requestBody?: { content?: Record<string, { schema?: Record<string, unknown> }> } } }> };
      try {
        doc = (await dereference(structuredClone(value) as never, { resolve: { external: false }, dereference: { circular: "ignore" } })) as typeof doc;
      } catch {
        return fail("The document's `$ref`s cannot be resolved; fix `valid-openapi` first.");
      }
      const schema = Object.values(doc.paths?.["/predict"]?.post?.requestBody?.content ?? {})[0]?.schema;
      if (!schema) return fail("`POST /predict` has no request body schema yet.");
      const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
      const missing = FEATURES.filter((f) => !required.includes(f));
      if (missing.length) return fail(`The request schema does not require ${missing.join(", ")}.`);
      if (schema.additionalProperties !== false) return fail("The request schema accepts unknown fields; set `additionalProperties: false`.");
      return pass("The request requires the three features and nothing else.");
    },
  },
  {
    id: "error-responses",
    title: "Client and server errors are documented",
    points: 25,
    hints: [
      "Add a `422` response (invalid input) and a `503` response (model not loaded) to `POST /predict`.",
      "Give both a body: `content.application/problem+json.schema: {$ref: \"#/components/schemas/Problem\"}`.",
    ],
    kind: "openapi.operation",
    params: { file, method: "post", path: "/predict", requestBody: false, responses: ["4xx", "5xx"] },
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
