import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import ts from "typescript";
import { parse as parseYaml } from "yaml";
import { afterEach, beforeEach, expect, test } from "vitest";
import { builtinKind } from "@/lib/checks/kinds";
import { contextWith } from "@/lib/checks/kinds/test-helpers";
import { compileMdx } from "@/lib/content/compile";
import type { CheckDefinition } from "../define";
import { checkSetup } from "../setup";
import { importScenario } from "./lab";
import { toMdx } from "./markdown";
import { readScenario } from "./scenario";
import { mapSetup } from "./setup";
import { mapVerify } from "./verify";

const repoRoot = path.resolve(import.meta.dirname, "../../..");
const contentRoot = path.join(repoRoot, "content");
const scenarios = path.join(repoRoot, "tests/fixtures/killercoda");
const EMPTY_REGISTRY = `import type { CheckDefinition } from "@/lib/labs/define";\n\nexport const LAB_REGISTRY: Readonly<Record<string, readonly CheckDefinition[]>> = {\n};\n`;

let labsDir: string;
beforeEach(() => {
  labsDir = fs.mkdtempSync(path.join(os.tmpdir(), "academy-lab-import-"));
  fs.writeFileSync(path.join(labsDir, "index.ts"), EMPTY_REGISTRY);
});
afterEach(() => fs.rmSync(labsDir, { recursive: true, force: true }));

const importInto = (name: string, id?: string) => importScenario({ scenarioDir: path.join(scenarios, name), id, labsDir, contentRoot, module: "kubernetes" });

function frontmatterOf(file: string): Record<string, unknown> {
  const text = fs.readFileSync(file, "utf8");
  return parseYaml(/^---\n([\s\S]*?)\n---\n/.exec(text)![1]!) as Record<string, unknown>;
}

/** Each check by id, with its mapping: only kind and params. */
function mapped(script: string) {
  const result = mapVerify(script);
  return { ...result, kinds: result.checks.map((c) => [c.kind, c.params]) };
}

test("the three-step scenario becomes a lab with steps, built-in checks, setup objects and no solution", async () => {
  const result = importInto("web-rollout");
  if (!result.ok) throw new Error(result.errors.join("\n"));
  const dir = path.join(labsDir, "roll-out-a-small-web-server");
  expect(result.dir).toBe(dir);
  expect(result.files.sort()).toEqual([
    "IMPORT-REPORT.md",
    "checks.ts",
    "lab.mdx",
    "setup/service-old-web.yaml",
    "starter/k8s/manifests.yaml",
    "steps/create-the-deployment.mdx",
    "steps/remove-the-stale-service.mdx",
    "steps/scale-it-out.mdx",
  ]);
  expect(fs.existsSync(path.join(dir, "solution"))).toBe(false);

  const fm = frontmatterOf(path.join(dir, "lab.mdx"));
  expect(fm).toMatchObject({ title: "Roll out a small web server", module: "kubernetes", sandbox: "small", setup: "setup/", files: [{ path: "k8s/manifests.yaml", language: "yaml", apply: true }] });
  // Its {{exec}} commands are runnable blocks: they need the lab's terminal, which real workloads have.
  expect(fm.workloads).toBe("real");
  expect(fm.steps).toEqual([
    { id: "create-the-deployment", title: "Create the Deployment", checks: ["deployment-web-exists"] },
    { id: "scale-it-out", title: "Scale it out", checks: ["deployment-web-replicas", "deployment-web-image"] },
    { id: "remove-the-stale-service", title: "Remove the stale Service", checks: ["service-old-web-absent"] },
  ]);

  // The registry the importer wrote lists it, and its checks are what the steps name.
  const { LAB_REGISTRY } = (await import(path.join(labsDir, "index.ts"))) as { LAB_REGISTRY: Record<string, readonly CheckDefinition[]> };
  const checks = LAB_REGISTRY["roll-out-a-small-web-server"]!;
  expect(checks.map((c) => [c.id, c.kind, c.points])).toEqual([
    ["deployment-web-exists", "k8s.exists", 10],
    ["deployment-web-replicas", "k8s.field", 10],
    ["deployment-web-image", "k8s.field", 10],
    ["service-old-web-absent", "k8s.absent", 10],
  ]);
  for (const check of checks) {
    expect(check.hints.length).toBeGreaterThan(0);
    expect(builtinKind(check.kind)!.params.safeParse((check as { params: unknown }).params).success, check.id).toBe(true);
  }
  // The setup object is what content:check accepts for a setup folder.
  expect(checkSetup(dir, "setup")).toEqual([]);
  // Every text compiles as MDX; runnable blocks carry the meta word, {{copy}} is gone.
  for (const file of ["lab.mdx", ...result.files.filter((f) => f.startsWith("steps/"))]) {
    const text = fs.readFileSync(path.join(dir, file), "utf8").replace(/^---\n[\s\S]*?\n---\n/, "");
    await expect(compileMdx(text, { file: path.join(dir, file) }), file).resolves.toMatchObject({ code: expect.any(String) });
    expect(text).not.toMatch(/\{\{/);
  }
  expect(fs.readFileSync(path.join(dir, "steps/create-the-deployment.mdx"), "utf8")).toContain("```bash runnable\nkubectl apply -f k8s/manifests.yaml\n```\n\nCheck that it is there:\n\n```bash\nkubectl get deploy web\n```");
  expect(fs.readFileSync(path.join(dir, "steps/remove-the-stale-service.mdx"), "utf8")).toContain("```bash runnable\nkubectl delete service old-web\n```");
}, 60_000);

test("the generated checks grade a cluster as the verify scripts would", async () => {
  const result = importInto("web-rollout");
  if (!result.ok) throw new Error(result.errors.join("\n"));
  const { LAB_REGISTRY } = (await import(path.join(labsDir, "index.ts"))) as { LAB_REGISTRY: Record<string, readonly CheckDefinition[]> };
  const checks = LAB_REGISTRY["roll-out-a-small-web-server"]!;
  const web = (replicas: number) => ({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web" }, spec: { replicas, template: { spec: { containers: [{ name: "nginx", image: "nginx:1.27" }] } } } });
  const oldWeb = { apiVersion: "v1", kind: "Service", metadata: { name: "old-web" } };
  const grade = async (objects: object[]) =>
    Object.fromEntries(
      await Promise.all(
        checks.map(async (c) => {
          const kind = builtinKind(c.kind)!;
          const outcome = await kind.run(kind.params.parse((c as { params: unknown }).params), contextWith({}, objects as never));
          return [c.id, outcome.status];
        }),
      ),
    );
  expect(await grade([oldWeb])).toMatchObject({ "deployment-web-exists": "fail", "service-old-web-absent": "fail" });
  expect(await grade([web(1), oldWeb])).toMatchObject({ "deployment-web-exists": "pass", "deployment-web-replicas": "fail", "deployment-web-image": "pass" });
  expect(await grade([web(3)])).toEqual({ "deployment-web-exists": "pass", "deployment-web-replicas": "pass", "deployment-web-image": "pass", "service-old-web-absent": "pass" });
});

test("the generated checks.ts type-checks against the repository's types", () => {
  const result = importInto("unmappable");
  if (!result.ok) throw new Error(result.errors.join("\n"));
  const file = path.join(result.dir, "checks.ts");
  // A control beside it, so the test shows the program really checks params against the kinds.
  const control = path.join(result.dir, "control.ts");
  fs.writeFileSync(control, fs.readFileSync(file, "utf8").replace('"timeoutMs": 30000', '"timeoutMs": "slow"'));
  const program = ts.createProgram([file, control], {
    strict: true,
    noUncheckedIndexedAccess: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2023,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    esModuleInterop: true,
    resolveJsonModule: true,
    types: ["node"],
    typeRoots: [path.join(repoRoot, "node_modules/@types")],
    paths: { "@/*": [`${repoRoot}/*`] },
  });
  const problems = ts.getPreEmitDiagnostics(program).map((d) => `${d.file?.fileName ?? ""}: ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
  expect(problems.filter((p) => !p.startsWith(control))).toEqual([]);
  expect(problems.filter((p) => p.startsWith(control))).not.toEqual([]);
}, 120_000);

test("what cannot be mapped runs as the step's script in the workspace, and the report says why, line by line", () => {
  const result = importInto("unmappable");
  if (!result.ok) throw new Error(result.errors.join("\n"));
  const fm = frontmatterOf(path.join(result.dir, "lab.mdx"));
  expect(fm).toMatchObject({ workloads: "real", setup: "setup/" });
  expect(fm.steps).toEqual([
    { id: "serve-over-http", title: "Serve over HTTP", checks: ["serve-over-http-verify"] },
    { id: "label-and-configure", title: "Label and configure", checks: ["label-and-configure-verify"], setup: "steps/label-and-configure/setup" },
    { id: "read-the-notes", title: "Read the notes", checks: [] },
  ]);
  expect(checkSetup(result.dir, "setup")).toEqual([]);
  expect(checkSetup(result.dir, "steps/label-and-configure/setup")).toEqual([]);
  expect(fs.readdirSync(path.join(result.dir, "setup")).sort()).toEqual(["configmap-greeting.yaml", "deployment-api.yaml"]);
  const report = fs.readFileSync(path.join(result.dir, "IMPORT-REPORT.md"), "utf8");
  expect(report).toBe(result.report);
  for (const line of [
    "- line 1: `apt-get install -y jq` — **needs the author**: `apt-get` is not a kubectl command",
    "- line 2: `kubectl create namespace tools` — **needs the author**",
    "- line 3: `kubectl apply -f /root/config.yaml` — mapped to setup: Deployment \"api\"",
    "- line 4: `cat <<'YAML' | kubectl apply -f -` — mapped to setup: ConfigMap \"greeting\"",
    "- line 13: `kubectl apply -f - <<'YAML'` — **needs the author**: a Role (rbac.authorization.k8s.io/v1) is not something a lab can set up",
    "- line 3: `kubectl get deploy api` — mapped to script.inWorkspace (part of the script; on its own it would be k8s.exists)",
    "- line 5: `curl -sf http://api.default.svc >/dev/null && exit 0` — **needs the author**: it is inside an `if`, a loop or a function",
    "- line 4: `kubectl get pods -l tier=web | grep -q Running` — **needs the author**: it pipes one command into another",
    "- line 3: `kubectl expose deployment helper --port=80` — **needs the author**: `kubectl expose` is not a command the importer maps",
    "- **needs the author**: foreground.sh (foreground script)",
    "- **needs the author**: step1/foreground.sh (foreground script)",
    "- **needs the author**: the step has no verify script, so it has no check",
    "1. **Add the solution**: `solution/k8s/manifests.yaml`",
    "6. Handle the 4 setup line(s) marked **needs the author** above",
    "7. The `script.inWorkspace` checks run in the learner's workspace pod",
  ]) expect(report).toContain(line);
});

test("a broken index.json is refused with the file, what is wrong and what to do, and nothing is written", () => {
  const result = importInto("broken-index", "broken");
  expect(result.ok).toBe(false);
  const errors = !result.ok ? result.errors : [];
  const file = path.join(scenarios, "broken-index/index.json");
  expect(errors).toEqual([
    `${file}: title must not be empty. See docs/lab-format.md, "Import a Killercoda scenario", for the keys the importer reads.`,
    `${file}: details.steps.0.title must be the step's title, such as "Scale the Deployment". See docs/lab-format.md, "Import a Killercoda scenario", for the keys the importer reads.`,
    `${file}: details.steps.0.verify must be a path inside the scenario folder (no \`..\`, not absolute). See docs/lab-format.md, "Import a Killercoda scenario", for the keys the importer reads.`,
  ]);
  expect(fs.readdirSync(labsDir)).toEqual(["index.ts"]);
  expect(fs.readFileSync(path.join(labsDir, "index.ts"), "utf8")).toBe(EMPTY_REGISTRY);
});

test("readScenario: not JSON, no index.json, a missing step file", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "academy-scenario-"));
  try {
    expect(readScenario(dir)).toEqual({ ok: false, errors: [`${path.join(dir, "index.json")}: does not exist. A Killercoda scenario folder has an index.json naming its title and steps.`] });
    fs.writeFileSync(path.join(dir, "index.json"), "{ title: 1 ");
    expect(readScenario(dir)).toMatchObject({ ok: false, errors: [expect.stringMatching(/index\.json: is not valid JSON \(.*\)\. Fix the JSON, then import again\.$/)] });
    fs.writeFileSync(path.join(dir, "index.json"), JSON.stringify({ title: "T", details: { steps: [{ title: "One", text: "one.md", verify: "one.sh" }] } }));
    fs.writeFileSync(path.join(dir, "one.md"), "Step one.");
    expect(readScenario(dir)).toEqual({ ok: false, errors: [`${path.join(dir, "one.sh")}: (details.steps.0.verify in index.json) does not exist. Add the file, or correct the path in index.json.`] });
    fs.writeFileSync(path.join(dir, "one.sh"), "kubectl get pod x\n");
    expect(readScenario(dir)).toMatchObject({ ok: true, scenario: { title: "T", steps: [{ title: "One", text: { file: "one.md", text: "Step one." }, verify: { file: "one.sh" } }] } });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("refuses to overwrite an existing lab folder, and writes nothing", () => {
  fs.mkdirSync(path.join(labsDir, "taken"));
  fs.writeFileSync(path.join(labsDir, "taken", "lab.mdx"), "mine");
  const result = importInto("web-rollout", "taken");
  expect(result).toMatchObject({ ok: false, errors: [expect.stringMatching(/taken already exists: there is a lab "taken" already/)] });
  expect(fs.readFileSync(path.join(labsDir, "taken", "lab.mdx"), "utf8")).toBe("mine");
  expect(fs.readFileSync(path.join(labsDir, "index.ts"), "utf8")).toBe(EMPTY_REGISTRY);
});

test("markdown: runnable and copy markers, escapes MDX would misread, code left alone", async () => {
  const md = [
    "Use `{{name}}` and {{TRAFFIC_HOST1_80}} and {braces} <b>bold</b> a < b.",
    "`kubectl get pods`{{exec}} then `ls`{{copy}}",
    "<!-- a comment -->Visible. See <https://example.com/x>.",
    "export KUBECONFIG=/tmp/x",
    "",
    "```yaml",
    "a: {b: <c>}",
    "```{{copy}}",
    "",
    "```",
    "echo {x}",
    "```{{exec}}",
    "",
    "~~~plain",
    "text",
    "~~~",
    "",
    "```",
    "NAME   READY",
    "```",
  ].join("\n");
  const { mdx, notes } = toMdx(md);
  expect(mdx).toBe(
    [
      "Use `{{name}}` and \\{\\{TRAFFIC_HOST1_80\\}\\} and \\{braces\\} \\<b>bold\\</b> a \\< b.",
      "`kubectl get pods` then `ls`",
      "Visible. See [https://example.com/x](https://example.com/x).",
      "&#101;xport KUBECONFIG=/tmp/x",
      "",
      "```yaml",
      "a: {b: <c>}",
      "```",
      "",
      "```bash runnable",
      "echo {x}",
      "```",
      "",
      "~~~text",
      "text",
      "~~~",
      "",
      "```text",
      "NAME   READY",
      "```",
      "",
    ].join("\n"),
  );
  expect(notes).toEqual([
    expect.stringContaining("{{TRAFFIC_HOST1_80}} has no meaning here"),
    expect.stringContaining("HTML tags are shown as text"),
    expect.stringContaining("Inline commands marked {{exec}} became plain code"),
    "HTML comments were removed.",
  ]);
  await expect(compileMdx(mdx, { file: "test.mdx" })).resolves.toMatchObject({ code: expect.any(String) });
});

test("verify: exists, absent, fields, counts and env map to the kinds that say exactly that", () => {
  expect(mapped("kubectl get deploy web\nkubectl get svc/web -n default >/dev/null\n").kinds).toEqual([
    ["k8s.exists", { apiVersion: "apps/v1", kind: "Deployment", name: "web" }],
    ["k8s.exists", { apiVersion: "v1", kind: "Service", name: "web" }],
  ]);
  expect(mapped("set -e\n! kubectl get configmap old\nkubectl get pod debug && exit 1\nkubectl get cm new || exit 1\n").kinds).toEqual([
    ["k8s.absent", { apiVersion: "v1", kind: "ConfigMap", name: "old" }],
    ["k8s.absent", { apiVersion: "v1", kind: "Pod", name: "debug" }],
    ["k8s.exists", { apiVersion: "v1", kind: "ConfigMap", name: "new" }],
  ]);
  const fields = mapped(
    [
      "set -e",
      `test "$(kubectl get deploy web -o jsonpath='{.spec.replicas}')" = "3"`,
      `[ "$(kubectl get pod p -o jsonpath='{.status.phase}')" == Running ]`,
      `[[ $(kubectl get deploy web -o=jsonpath='{.metadata.labels.app\\.kubernetes\\.io/name}') = 42 ]]`,
      `n=$(kubectl get deploy web -o jsonpath="{.spec.replicas}")`,
      `[ "$n" -ge 2 ]`,
      `[ 5 -gt "$n" ]`,
    ].join("\n"),
  );
  expect(fields.kinds).toEqual([
    ["k8s.field", { apiVersion: "apps/v1", kind: "Deployment", name: "web", path: "spec.replicas", equals: 3 }],
    ["k8s.field", { apiVersion: "v1", kind: "Pod", name: "p", path: "status.phase", equals: "Running" }],
    ["k8s.field", { apiVersion: "apps/v1", kind: "Deployment", name: "web", path: 'metadata.labels["app.kubernetes.io/name"]', equals: "42" }],
    ["k8s.field", { apiVersion: "apps/v1", kind: "Deployment", name: "web", path: "spec.replicas", min: 2 }],
    ["k8s.field", { apiVersion: "apps/v1", kind: "Deployment", name: "web", path: "spec.replicas", max: 4 }],
  ]);
  expect(fields.lines.find((l) => l.line === 2)).toMatchObject({ outcome: "mapped", note: expect.stringContaining('compared as the number 3: a field holding the text "3" fails') });
  expect(mapped([`[ "$(kubectl get pods -l app=web,tier=front --no-headers | wc -l)" -eq 3 ]`, `test $(kubectl get po -l app=web -o name | wc -l) -ge 2`, `[ "$(kubectl get pods -l job=old --no-headers | wc -l)" = 0 ]`, `[ "$(kubectl get deploy -l app=web --no-headers | wc -l)" -lt 3 ]`].join("\n")).kinds).toEqual([
    ["k8s.selected", { apiVersion: "v1", kind: "Pod", selector: { app: "web", tier: "front" }, count: 3 }],
    ["k8s.selected", { apiVersion: "v1", kind: "Pod", selector: { app: "web" }, count: { min: 2 } }],
    ["k8s.absent", { apiVersion: "v1", kind: "Pod", selector: { job: "old" } }],
    ["k8s.selected", { apiVersion: "apps/v1", kind: "Deployment", selector: { app: "web" }, count: { min: 0, max: 2 } }],
  ]);
  const env = `{.spec.template.spec.containers[?(@.name=="server")].env[?(@.name=="LOG_LEVEL")].value}`;
  expect(mapped([`test "$(kubectl get deploy api -o jsonpath='${env}')" = "debug"`, `[ "$(kubectl get cronjob nightly -o jsonpath='{.spec.jobTemplate.spec.template.spec.containers[0].env[?(@.name=="TOKEN")].valueFrom.secretKeyRef.name}')" = "store" ]`].join("\n")).kinds).toEqual([
    ["k8s.containerEnv", { workload: { kind: "Deployment", name: "api" }, container: "server", variable: "LOG_LEVEL", from: "literal", value: "debug" }],
    ["k8s.containerEnv", { workload: { kind: "CronJob", name: "nightly" }, variable: "TOKEN", from: "secret", secret: "store" }],
  ]);
  // Every params object is one its kind's schema accepts.
  for (const script of ["kubectl get deploy web", `[ "$(kubectl get pods -l app=web --no-headers | wc -l)" -eq 3 ]`, `test "$(kubectl get deploy api -o jsonpath='${env}')" = "debug"`]) {
    for (const c of mapVerify(script).checks) expect(builtinKind(c.kind)!.params.safeParse(c.params).success, script).toBe(true);
  }
});

test("verify: anything else makes the whole script one script.inWorkspace check, with the reason per line", () => {
  const cases: Array<[string, RegExp]> = [
    ["kubectl get deploy web -n tools", /reads namespace "tools"/],
    ["kubectl get pods -l app=web", /succeeds even when nothing matches/],
    ["kubectl get deploy web --ignore-not-found", /succeed whether or not the object exists/],
    [`[ "$(kubectl get pods --no-headers | wc -l)" -eq 3 ]`, /without a label selector/],
    [`[ "$(kubectl get pods -l app=web | wc -l)" -eq 3 ]`, /header line/],
    [`[ "$(kubectl get deploy web -o jsonpath='{.spec.replicas}')" != 3 ]`, /comparison `!=`/],
    [`[ "$(kubectl get deploy web -o jsonpath='{range .items[*]}{.x}{end}')" = 3 ]`, /not one field/],
    [`[ "$(kubectl get pods -o jsonpath='{.items[0].status.phase}')" = Running ]`, /more than one object/],
    ["curl -s http://web", /`curl` is not a command/],
    ["kubectl get pods | grep Running", /pipes one command into another/],
    ["if kubectl get deploy web; then exit 0; fi", /inside an `if`/],
    [`[ "$x" = 3 ]`, /\$x is not set by an earlier line/],
  ];
  for (const [script, why] of cases) {
    const result = mapVerify(script);
    expect(result.asScript, script).toBe(true);
    expect(result.checks, script).toEqual([{ slug: "verify-script", what: "the step's verify script passes", kind: "script.inWorkspace", params: { script }, lines: expect.any(Array), source: "verify.sh" }]);
    expect(result.lines.find((l) => l.outcome === "unmapped"), script).toMatchObject({ why: expect.stringMatching(why) });
  }
  // Without set -e only the last command decided in Killercoda: the report says the checks are stricter.
  expect(mapVerify("kubectl get deploy a\nkubectl get deploy b\n").notes).toEqual([expect.stringContaining("no `set -e`")]);
});

test("setup: kubectl create and heredoc manifests become the objects kubectl would create", () => {
  const script = [
    "kubectl create deployment web --image=registry.example/team/nginx:1.27 --replicas=2 --port=80",
    "kubectl create configmap settings --from-literal=mode=fast --from-literal=level=2",
    "kubectl create secret generic token --from-literal=key=abc",
    "kubectl wait --for=condition=available deploy/web",
    "kubectl apply -f - <<EOF",
    "apiVersion: batch/v1",
    "kind: Job",
    "metadata: {name: once}",
    "spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: busybox:1.36}]}}}",
    "EOF",
    "kubectl create deployment web --image=nginx:1.27",
    "kubectl create -f missing.yaml",
  ].join("\n");
  const { objects, lines } = mapSetup({ file: "setup.sh", text: script }, { dir: path.join(scenarios, "web-rollout"), assets: [] });
  expect(objects.map((o) => [o.kind, o.name, parseYaml(o.text)])).toEqual([
    ["Deployment", "web", { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "web", labels: { app: "web" } }, spec: { replicas: 2, selector: { matchLabels: { app: "web" } }, template: { metadata: { labels: { app: "web" } }, spec: { containers: [{ name: "nginx", image: "registry.example/team/nginx:1.27", ports: [{ containerPort: 80 }] }] } } } }],
    ["ConfigMap", "settings", { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings" }, data: { mode: "fast", level: "2" } }],
    ["Secret", "token", { apiVersion: "v1", kind: "Secret", metadata: { name: "token" }, type: "Opaque", data: { key: Buffer.from("abc").toString("base64") } }],
    ["Job", "once", expect.objectContaining({ kind: "Job", metadata: { name: "once" } })],
  ]);
  expect(lines.map((l) => [l.line, l.outcome])).toEqual([[1, "mapped"], [2, "mapped"], [3, "mapped"], [4, "ignored"], [5, "mapped"], [11, "unmapped"], [12, "unmapped"]]);
  expect(lines.at(-2)).toMatchObject({ why: expect.stringContaining('Deployment "web" is set up by an earlier line already') });
  expect(lines.at(-1)).toMatchObject({ why: expect.stringContaining("missing.yaml is not a file of the scenario folder") });
});
