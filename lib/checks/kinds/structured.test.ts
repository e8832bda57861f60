import fs from "node:fs";
import path from "node:path";
import { expect, test } from "vitest";
import { parseStructured, structuredKinds, yamlBombProblem } from "./structured";
import { contextWith } from "./test-helpers";

const lab = path.join(process.cwd(), "labs/design-the-prediction-api");
const solution = fs.readFileSync(path.join(lab, "solution/openapi.yaml"), "utf8");
const starter = fs.readFileSync(path.join(lab, "starter/openapi.yaml"), "utf8");

async function run<K extends keyof typeof structuredKinds>(kind: K, params: unknown, files: Record<string, string>) {
  const spec = structuredKinds[kind];
  return spec.run(spec.params.parse(params) as never, contextWith(files));
}

const BOMB = `a: &a ["x","x","x","x","x","x","x","x","x"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: [*e,*e,*e,*e,*e,*e,*e,*e,*e]
`;

test("YAML alias bombs are refused quickly, ordinary aliases are fine", () => {
  const started = performance.now();
  const result = parseStructured(BOMB, "yaml");
  expect(result).toMatchObject({ ok: false, bomb: true });
  expect(performance.now() - started).toBeLessThan(1000);
  expect(yamlBombProblem(`---\nkind: A\n---\n${BOMB}`)).toMatch(/document 2 expands YAML aliases/);
  expect(parseStructured("base: &b {x: 1}\nuse: *b\n", "yaml")).toMatchObject({ ok: true });
});

test("parse errors carry a line", () => {
  expect(parseStructured("a: 1\nb: [\n", "yaml")).toMatchObject({ ok: false });
  expect(parseStructured('{\n "a": 1,\n}', "json")).toMatchObject({ ok: false, message: expect.stringContaining("not valid JSON") });
  expect(parseStructured("a: 1\na: 2\n", "yaml")).toMatchObject({ ok: false });
});

test("structured.field judges a value at a path", async () => {
  expect((await run("structured.field", { file: "c.yaml", path: "server.port", equals: 8080 }, { "c.yaml": "server:\n  port: 8080\n" })).status).toBe("pass");
  expect((await run("structured.field", { file: "c.json", path: "a[1]", equals: 2 }, { "c.json": '{"a":[1,3]}' })).message).toContain("is 3; expected 2");
});

test("openapi.valid: the solution is valid, broken documents are explained", async () => {
  expect((await run("openapi.valid", { file: "openapi.yaml" }, { "openapi.yaml": solution })).status).toBe("pass");
  const noPaths = await run("openapi.valid", { file: "openapi.yaml" }, { "openapi.yaml": "openapi: 3.1.0\ninfo: {title: x}\npaths: {}\n" });
  expect(noPaths.status).toBe("fail");
  expect(noPaths.message).toMatch(/not a valid OpenAPI document/);
  expect((await run("openapi.valid", { file: "openapi.yaml" }, { "openapi.yaml": "swagger: '2.0'\n" })).message).toMatch(/not an OpenAPI 3/);
});

test("external $refs are refused, never fetched or read", async () => {
  const doc = solution.replace('"#/components/schemas/PredictionRequest"', '"/etc/passwd"');
  const outcome = await run("openapi.valid", { file: "openapi.yaml" }, { "openapi.yaml": doc });
  expect(outcome.status).toBe("fail");
  expect(outcome.message).toContain("/etc/passwd");
  expect(outcome.message).toContain("refers to other files or URLs");
});

test("openapi.operation: request body, 200 and error classes with schemas", async () => {
  const params = { file: "openapi.yaml", method: "post", path: "/v1/predictions", responses: ["200", "4xx", "5xx"] };
  expect((await run("openapi.operation", params, { "openapi.yaml": solution })).status).toBe("pass");
  const outcome = await run("openapi.operation", params, { "openapi.yaml": starter });
  expect(outcome.message).toContain("request body has no schema");
  expect(outcome.message).toContain("no 4xx response");
  expect(outcome.message).toContain("200 response has no schema");
  expect((await run("openapi.operation", { ...params, path: "/score" }, { "openapi.yaml": solution })).message).toContain("no `POST /score`");
});
