import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";
import { builtinKind } from "@/lib/checks/kinds";
import { contextWith } from "@/lib/checks/kinds/test-helpers";
import { formatProblem } from "@/lib/content/check";
import { compileMdx } from "@/lib/content/compile";
import { checkLabs } from "./check";
import type { CheckDefinition } from "./define";
import { fixtureFiles, labFixtures } from "./fixtures";
import { getLab, solutionFiles, starterFiles, type LabRegistry } from "./registry";
import { addToRegistry, createLab } from "./skeleton";

const repoRoot = path.resolve(import.meta.dirname, "../..");
const contentRoot = path.join(repoRoot, "content");

// The registry as labs/index.ts writes it, with one lab so there are neighbours to keep in order.
const INDEX = `// The static registry of labs.
import type { CheckDefinition } from "@/lib/labs/define";
import { checks as middleLab } from "./middle-lab/checks";

export const LAB_REGISTRY: Readonly<Record<string, readonly CheckDefinition[]>> = {
  "middle-lab": middleLab,
};
`;

let labsDir: string;

beforeEach(() => {
  labsDir = fs.mkdtempSync(path.join(os.tmpdir(), "academy-lab-new-"));
  fs.writeFileSync(path.join(labsDir, "index.ts"), INDEX.replace(/^import \{ checks as middleLab.*\n/m, "").replace(/^ {2}"middle-lab".*\n/m, ""));
});

afterEach(() => {
  fs.rmSync(labsDir, { recursive: true, force: true });
});

/** Every check of the lab run on `files` as the grader would (they are static kinds here). */
async function grade(checks: readonly CheckDefinition[], files: Record<string, string>) {
  return Promise.all(
    checks.map(async (check) => {
      const kind = check.kind === "custom" ? null : builtinKind(check.kind);
      if (!kind || kind.needsCluster) throw new Error(`the skeleton's check ${check.id} should be a static built-in kind`);
      return { id: check.id, ...(await kind.run(kind.params.parse((check as { params: unknown }).params), contextWith(files))) };
    }),
  );
}

test("the new lab passes content:check's validation, and its solution, starter and fixture behave as labs:verify wants", async () => {
  const result = createLab({ id: "serve-the-model", labsDir, contentRoot, module: "kubernetes" });
  expect(result).toMatchObject({ ok: true, dir: path.join(labsDir, "serve-the-model"), module: "kubernetes" });
  for (const folder of ["starter", "solution", "fixtures/two-replicas"]) expect(fs.existsSync(path.join(labsDir, "serve-the-model", folder))).toBe(true);

  // The registry the generator wrote, imported as the site imports labs/index.ts.
  const { LAB_REGISTRY } = (await import(path.join(labsDir, "index.ts"))) as { LAB_REGISTRY: LabRegistry };
  expect(Object.keys(LAB_REGISTRY)).toEqual(["serve-the-model"]);
  const report = checkLabs({ root: labsDir, contentRoot, registry: LAB_REGISTRY });
  expect(report.problems.map((p) => formatProblem(p, labsDir))).toEqual([]);
  expect(report).toMatchObject({ labs: 1, checks: 1, fixtures: 1 });

  const lab = getLab("serve-the-model", { root: labsDir, registry: LAB_REGISTRY })!;
  expect(lab).toMatchObject({ title: "Serve the model", module: "kubernetes", sandbox: null });
  // The lab page compiles the text as MDX: the skeleton's must compile.
  await expect(compileMdx(lab.body, { file: lab.file })).resolves.toMatchObject({ code: expect.any(String) });
  expect((await grade(lab.checks, solutionFiles(lab))).map((r) => r.status)).toEqual(["pass"]);
  expect((await grade(lab.checks, starterFiles(lab))).map((r) => r.status)).toEqual(["fail"]);
  const fixtures = labFixtures(lab);
  expect(fixtures.map((f) => [f.name, f.mustFail])).toEqual([["two-replicas", ["three-replicas"]]]);
  const onFixture = await grade(lab.checks, fixtureFiles(lab, fixtures[0]!));
  expect(onFixture).toEqual([expect.objectContaining({ id: "three-replicas", status: "fail", message: expect.stringContaining("is 2; expected 3") })]);
});

test("without --module, the first content module by name", () => {
  const result = createLab({ id: "first-module", labsDir, contentRoot });
  const first = fs.readdirSync(contentRoot).filter((m) => fs.existsSync(path.join(contentRoot, m, "index.mdx"))).sort()[0];
  expect(result).toMatchObject({ ok: true, module: first });
  expect(fs.readFileSync(path.join(labsDir, "first-module", "lab.mdx"), "utf8")).toContain(`module: ${first}\n`);
});

test("refuses an invalid id, an existing lab, a listed id and an unknown module, in words, and writes nothing", () => {
  fs.mkdirSync(path.join(labsDir, "taken"));
  const registry = path.join(labsDir, "index.ts");
  fs.writeFileSync(registry, INDEX);
  const before = fs.readdirSync(labsDir).sort();
  const refusals: Array<[string, string | undefined, RegExp]> = [
    ["Serve_The_Model", undefined, /^"Serve_The_Model" is not a valid lab id: use lower-case letters and digits in words joined by '-' \(at most 80 characters\), such as serve-the-model\.$/],
    ["-serve", undefined, /not a valid lab id/],
    ["a".repeat(81), undefined, /not a valid lab id/],
    ["../escape", undefined, /not a valid lab id/],
    ["taken", undefined, /taken already exists: there is a lab "taken" already\. Choose another id/],
    ["middle-lab", undefined, /the registry lists "middle-lab" already/],
    ["fine-id", "no-such-module", /"no-such-module" is not a content module \(known: .*kubernetes.*\)\. A lab belongs to one: pass --module/],
  ];
  for (const [id, module, message] of refusals) {
    const result = createLab({ id, labsDir, contentRoot, module });
    expect(result.ok, id).toBe(false);
    expect(!result.ok && result.error, id).toMatch(message);
  }
  expect(fs.readdirSync(labsDir).sort()).toEqual(before);
  expect(fs.readFileSync(registry, "utf8")).toBe(INDEX);
});

test("a registry laid out otherwise is refused before anything is written", () => {
  fs.writeFileSync(path.join(labsDir, "index.ts"), "export const LAB_REGISTRY = { ...others };\n");
  const result = createLab({ id: "serve-the-model", labsDir, contentRoot });
  expect(result).toMatchObject({ ok: false, error: expect.stringContaining("add the lab to the registry by hand") });
  expect(fs.existsSync(path.join(labsDir, "serve-the-model"))).toBe(false);
});

test("addToRegistry keeps the real labs/index.ts in order of lab id", () => {
  const source = fs.readFileSync(path.join(repoRoot, "labs", "index.ts"), "utf8");
  const added = addToRegistry(source, "deploy-the-model-again");
  if (!added.ok) throw new Error(added.error);
  const lines = added.source.split("\n");
  const importAt = lines.indexOf('import { checks as deployTheModelAgain } from "./deploy-the-model-again/checks";');
  expect(lines[importAt - 1]).toBe('import { checks as deployTheModel } from "./deploy-the-model/checks";');
  expect(lines[importAt + 1]).toBe('import { checks as designThePredictionApi } from "./design-the-prediction-api/checks";');
  const entryAt = lines.indexOf('  "deploy-the-model-again": deployTheModelAgain,');
  expect(lines[entryAt - 1]).toBe('  "deploy-the-model": deployTheModel,');
  expect(lines[entryAt + 1]).toBe('  "design-the-prediction-api": designThePredictionApi,');
  // Nothing else changed.
  expect(lines.filter((_, i) => i !== importAt && i !== entryAt).join("\n")).toBe(source);
  // First and last places, an id that is no identifier as it stands, and a name already taken.
  const first = addToRegistry(source, "aaa");
  expect(first.ok && first.source.split("\n").find((l) => l.includes('"aaa"'))).toBe('  "aaa": aaa,');
  expect(first.ok && first.source.indexOf('import { checks as aaa }')).toBeLessThan(source.indexOf("batchScoringJob"));
  const last = addToRegistry(source, "zz-top");
  expect(last.ok && last.source).toMatch(/"test-the-churn-features": testTheChurnFeatures,\n {2}"zz-top": zzTop,\n\};/);
  expect(addToRegistry(source, "3d-scan")).toMatchObject({ ok: true, source: expect.stringContaining('import { checks as lab3dScan } from "./3d-scan/checks";') });
  expect(addToRegistry(source, "new")).toMatchObject({ ok: true, source: expect.stringContaining('"new": newLab,') });
  expect(addToRegistry(source, "deploy-the-model")).toMatchObject({ ok: false });
});
