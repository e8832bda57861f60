// content:check's rules for a lab's setup folder and the `setup:` frontmatter key.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import { LabFrontmatterSchema } from "./schema";
import { checkSetup, readSetupFiles } from "./setup";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function labWith(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lab-setup-"));
  dirs.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

const DEPLOYMENT = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: model-server\nspec: {}\n";

test("a valid setup folder has no problems and is read in name order", () => {
  const dir = labWith({ "setup/b-service.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: model-server\n", "setup/a-deployment.yaml": DEPLOYMENT });
  expect(checkSetup(dir, "setup")).toEqual([]);
  expect(readSetupFiles(dir, "setup").map((f) => f.file)).toEqual(["setup/a-deployment.yaml", "setup/b-service.yaml"]);
});

test("each broken rule is reported with file and line", () => {
  const dir = labWith({
    "setup/namespaced.yaml": `${DEPLOYMENT}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n  namespace: default\n`,
    "setup/kinds.yaml": "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: r\n---\napiVersion: apps/v1\nkind: Service\nmetadata:\n  name: s\n",
    "setup/a-first.yaml": DEPLOYMENT,
    "setup/twice.yaml": DEPLOYMENT,
    "setup/broken.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: [\n",
    "setup/notes.txt": "hello",
  });
  const problems = checkSetup(dir, "setup").map((p) => `${path.basename(p.file)}:${p.line} ${p.message}`);
  expect(problems).toEqual(
    expect.arrayContaining([
      expect.stringMatching(/^notes\.txt:1 setup\/ holds only manifest files/),
      expect.stringMatching(/^namespaced\.yaml:7 Document 2 names a namespace/),
      expect.stringMatching(/^kinds\.yaml:1 Document 1 \(Role "r"\): Role is not a kind a lab can set up/),
      expect.stringMatching(/^kinds\.yaml:6 Document 2 \(Service "s"\): a Service is `apiVersion: v1`, not apps\/v1/),
      expect.stringMatching(/^twice\.yaml:1 Document 1 \(Deployment "model-server"\): Deployment\/model-server is already set up in a-first\.yaml$/),
      expect.stringMatching(/^broken\.yaml:\d+ Document 1/),
    ]),
  );
});

test("a missing or empty setup folder is a problem", () => {
  expect(checkSetup(labWith({ "lab.mdx": "" }), "setup")[0]?.message).toMatch(/names setup\/, but there is no folder/);
  expect(checkSetup(labWith({ "setup/README": "x" }), "setup").map((p) => p.message)).toContainEqual(expect.stringMatching(/setup\/ has no manifests/));
});

test("frontmatter `setup` is one folder of a lab with a sandbox", () => {
  const base = { title: "T", module: "kubernetes", summary: "S", difficulty: "beginner", minutes: 10, sandbox: "small", files: [{ path: "a.yaml", language: "yaml" }] };
  expect(LabFrontmatterSchema.parse({ ...base, setup: "setup/" }).setup).toBe("setup");
  for (const setup of ["../x", "starter", "a/b", "/abs"]) expect(LabFrontmatterSchema.safeParse({ ...base, setup }).success).toBe(false);
  const none = LabFrontmatterSchema.safeParse({ ...base, sandbox: "none", setup: "setup" });
  expect(none.success ? null : none.error.issues[0]!.message).toMatch(/needs a sandbox/);
});
