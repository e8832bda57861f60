import { expect, test } from "vitest";
import { INPUT_LIMITS, parseLearnerManifests, type ParseResult } from "./learner-input";

const NS = "lab-k8s-abcdefghij";

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
`;

function problems(result: ParseResult): string[] {
  if (result.ok) throw new Error("expected the input to be refused");
  return result.problems.map((p) => p.message);
}

test("several documents become objects in the sandbox namespace, with their position", () => {
  const text = `${deployment}---\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: ${NS}\n---\n`;
  const result = parseLearnerManifests(text, NS);
  expect(result.ok).toBe(true);
  if (!result.ok) return;
  expect(result.objects.map((o) => [o.document, o.line, o.kind, o.name])).toEqual([
    [1, 1, "Deployment", "web"],
    [2, 8, "Service", "web"],
  ]);
  expect(result.objects.every((o) => o.object.metadata.namespace === NS)).toBe(true);
});

test("JSON is accepted too", () => {
  const result = parseLearnerManifests(
    JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "c" }, data: { a: "1" } }),
    NS,
  );
  expect(result.ok && result.objects[0]!.object).toMatchObject({ data: { a: "1" }, metadata: { namespace: NS } });
});

test("a billion-laughs alias bomb is refused quickly", () => {
  const levels = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
  let text = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\ndata:\n  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n`;
  for (let i = 1; i < levels.length; i++) {
    const prev = levels[i - 1];
    text += `  ${levels[i]}: &${levels[i]} [${Array(9).fill(`*${prev}`).join(",")}]\n`;
  }
  const started = performance.now();
  const result = parseLearnerManifests(text, NS);
  expect(performance.now() - started).toBeLessThan(500);
  expect(problems(result)[0]).toMatch(/Document 1 \(line 1\): uses YAML aliases too many times/);
});

test("input over the size limit is refused before parsing", () => {
  const text = `${deployment}# ${"x".repeat(INPUT_LIMITS.maxBytes)}`;
  expect(problems(parseLearnerManifests(text, NS))[0]).toMatch(/limit is 256 KiB/);
});

test("too many documents are refused", () => {
  const text = Array.from({ length: 51 }, (_, i) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c${i}\n`).join("---\n");
  expect(problems(parseLearnerManifests(text, NS))[0]).toMatch(/51 documents; the limit is 50/);
});

test("deep nesting is refused", () => {
  const deep = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\nspec: ${"[".repeat(40)}${"]".repeat(40)}\n`;
  expect(problems(parseLearnerManifests(deep, NS))[0]).toMatch(/nested more than 32 levels/);
});

test("cluster-scoped kinds are refused with the document and line", () => {
  const text = `${deployment}---\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRoleBinding\nmetadata:\n  name: me-admin\n`;
  const [message] = problems(parseLearnerManifests(text, NS));
  expect(message).toMatch(/^Document 2 \(line 8\): ClusterRoleBinding "me-admin" is a cluster-wide kind/);
  expect(message).toMatch(/Remove this document/);
  for (const kind of ["Namespace", "Node", "PersistentVolume", "CustomResourceDefinition", "StorageClass", "PriorityClass", "ValidatingWebhookConfiguration", "ClusterRole"]) {
    expect(problems(parseLearnerManifests(`apiVersion: v1\nkind: ${kind}\nmetadata:\n  name: x\n`, NS))[0]).toMatch(/cluster-wide/);
  }
});

test("an object aimed at another namespace is refused", () => {
  const text = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: kube-system\n`;
  expect(problems(parseLearnerManifests(text, NS))[0]).toMatch(
    /names the namespace "kube-system", but you can only use your sandbox .*Delete the `metadata.namespace` line/,
  );
});

test("documents without apiVersion, kind or name, or that are not mappings, say what is missing", () => {
  expect(problems(parseLearnerManifests("kind: Pod\nmetadata:\n  name: p\n", NS))[0]).toMatch(/needs `apiVersion`/);
  expect(problems(parseLearnerManifests("apiVersion: v1\nmetadata:\n  name: p\n", NS))[0]).toMatch(/needs `kind`/);
  expect(problems(parseLearnerManifests("apiVersion: v1\nkind: Pod\nmetadata: {}\n", NS))[0]).toMatch(/metadata.name/);
  expect(problems(parseLearnerManifests("- a\n- b\n", NS))[0]).toMatch(/not a Kubernetes object/);
  expect(problems(parseLearnerManifests("", NS))[0]).toMatch(/nothing to apply/);
});

test("YAML syntax errors and duplicate keys point at the line", () => {
  const [syntax] = problems(parseLearnerManifests(`${deployment}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [x\n`, NS));
  expect(syntax).toMatch(/^Document 2 \(line \d+\): .*Fix the YAML syntax there/);
  const [dup] = problems(parseLearnerManifests("apiVersion: v1\nkind: ConfigMap\nkind: Secret\nmetadata:\n  name: x\n", NS));
  expect(dup).toMatch(/Document 1 \(line 3\): Map keys must be unique/);
});

test("every bad document is reported, not only the first", () => {
  const text = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: Node\nmetadata:\n  name: b\n";
  expect(problems(parseLearnerManifests(text, NS))).toHaveLength(2);
});

test("a List (as kubectl get -o yaml prints it) is refused as a List, with how to write its items instead", () => {
  const list = `apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata:
      name: a
`;
  const [message] = problems(parseLearnerManifests(list, NS));
  expect(message).toMatch(/^Document 1 \(line 1\): is a List, which is not accepted here\. Write each object as its own document instead, separated by a line with `---`/);
  expect(message).not.toContain("metadata");
  // A typed list too (ConfigMapList), even when it has metadata.
  const typed = problems(parseLearnerManifests("apiVersion: v1\nkind: ConfigMapList\nmetadata:\n  name: x\nitems: []\n", NS));
  expect(typed[0]).toContain("is a ConfigMapList, which is not accepted here");
});

test("input over the size limit names its size and the limit", () => {
  const big = `${deployment}# ${"x".repeat(INPUT_LIMITS.maxBytes)}\n`;
  expect(problems(parseLearnerManifests(big, NS))[0]).toMatch(/^The input is 257 KiB; the limit is 256 KiB\./);
});
