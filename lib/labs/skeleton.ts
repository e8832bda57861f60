// npm run lab:new: writes the skeleton of a new lab (labs/<id>/) and lists it in the registry
// (labs/index.ts), so that it passes content:check and labs:verify from the start and the author
// replaces parts that work rather than filling a blank page. See docs/lab-format.md, "Start a new lab".
// Nothing is written when the id, the module or the registry is not as expected; a failure while
// writing removes what was written.
import "server-only";
import fs from "node:fs";
import path from "node:path";
import { LabIdSchema } from "./schema";

export type NewLabOptions = {
  id: string;
  /** The labs folder (labs/ of the repository; a temporary one in tests). */
  labsDir: string;
  /** The content folder, whose modules the lab may belong to. */
  contentRoot: string;
  /** The content module; default: the first one by name. */
  module?: string;
};

export type NewLabResult =
  | { ok: true; dir: string; module: string; files: string[] }
  | { ok: false; error: string };

export const REGISTRY_FILE = "index.ts";

/** The content modules (folders of content/ with an index.mdx), by name. */
export function contentModules(contentRoot: string): string[] {
  if (!fs.existsSync(contentRoot)) return [];
  return fs
    .readdirSync(contentRoot, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(contentRoot, e.name, "index.mdx")))
    .map((e) => e.name)
    .sort();
}

/** Writes labs/<id>/ and adds it to labs/index.ts, or says why not (and writes nothing). */
export function createLab(options: NewLabOptions): NewLabResult {
  return writeNewLab(options, labSkeleton);
}

/**
 * Writes a new lab's files (`filesFor(id, module)`: path within labs/<id>/ → text) and adds it to
 * labs/index.ts, with createLab's refusals (lab:import writes an imported lab with it).
 */
export function writeNewLab(options: NewLabOptions, filesFor: (id: string, moduleSlug: string) => Record<string, string>): NewLabResult {
  const id = LabIdSchema.safeParse(options.id);
  if (!id.success) {
    return { ok: false, error: `"${options.id}" is not a valid lab id: use lower-case letters and digits in words joined by '-' (at most 80 characters), such as serve-the-model.` };
  }
  const labId = id.data;
  const labsDir = path.resolve(options.labsDir);
  const dir = path.join(labsDir, labId);
  if (fs.existsSync(dir)) return { ok: false, error: `${dir} already exists: there is a lab "${labId}" already. Choose another id, or edit that lab.` };
  const modules = contentModules(options.contentRoot);
  const moduleSlug = options.module ?? modules[0];
  if (!moduleSlug || !modules.includes(moduleSlug)) {
    return { ok: false, error: `${moduleSlug ? `"${moduleSlug}" is not a content module` : "There is no content module"} (known: ${modules.join(", ") || "none"}). A lab belongs to one: pass --module <slug>.` };
  }
  const registryFile = path.join(labsDir, REGISTRY_FILE);
  let registrySource: string;
  try {
    registrySource = fs.readFileSync(registryFile, "utf8");
  } catch {
    return { ok: false, error: `There is no registry ${registryFile}: lab:new adds the lab to it.` };
  }
  const registry = addToRegistry(registrySource, labId);
  if (!registry.ok) return { ok: false, error: `${registryFile}: ${registry.error}` };

  const files = filesFor(labId, moduleSlug);
  try {
    fs.mkdirSync(dir);
  } catch (error) {
    return { ok: false, error: `Cannot create ${dir}: ${error instanceof Error ? error.message : String(error)}` };
  }
  try {
    for (const [rel, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), text, { flag: "wx" });
    }
    // The registry last, and in one step: a lab listed there without its folder breaks every page.
    const temporary = `${registryFile}.lab-new-${process.pid}`;
    fs.writeFileSync(temporary, registry.source);
    fs.renameSync(temporary, registryFile);
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true });
    return { ok: false, error: `Writing the lab failed, nothing was kept: ${error instanceof Error ? error.message : String(error)}` };
  }
  return { ok: true, dir, module: moduleSlug, files: Object.keys(files) };
}

const IMPORT_LINE = /^import \{ checks as ([A-Za-z_$][\w$]*) \} from "\.\/([a-z0-9-]+)\/checks";$/;
const ENTRY_LINE = /^\s*"([a-z0-9-]+)":\s*[A-Za-z_$][\w$]*,\s*$/;
const REGISTRY_START = /^export const LAB_REGISTRY\b.*=\s*\{\s*$/;

/**
 * The registry's source with the lab added: its `import { checks as … }` line and its entry, each
 * in order of lab id among the others. An error when the file is not laid out as expected (one
 * import line per lab, `export const LAB_REGISTRY … = {` with one `"id": name,` line per lab).
 */
export function addToRegistry(source: string, id: string): { ok: true; source: string } | { ok: false; error: string } {
  const lines = source.split("\n");
  const start = lines.findIndex((l) => REGISTRY_START.test(l));
  const end = start === -1 ? -1 : lines.findIndex((l, i) => i > start && /^\};?\s*$/.test(l));
  if (start === -1 || end === -1) return { ok: false, error: "no `export const LAB_REGISTRY … = { … };` found; add the lab to the registry by hand." };
  const body = lines.slice(start + 1, end);
  const strange = body.find((l) => l.trim() !== "" && !l.trim().startsWith("//") && !ENTRY_LINE.test(l));
  if (strange !== undefined) return { ok: false, error: `the registry has a line lab:new does not understand (${JSON.stringify(strange.trim())}); add the lab by hand.` };
  const entries = body.flatMap((l, i) => {
    const m = ENTRY_LINE.exec(l);
    return m ? [{ id: m[1]!, line: start + 1 + i }] : [];
  });
  if (entries.some((e) => e.id === id)) return { ok: false, error: `the registry lists "${id}" already.` };
  const imports = lines.flatMap((l, i) => {
    const m = IMPORT_LINE.exec(l);
    return m && i < start ? [{ id: m[2]!, line: i }] : [];
  });
  const name = identifierFor(id, source);

  // Entry first: it lies below the imports, so inserting it leaves their line numbers alone.
  const entryAt = entries.find((e) => e.id > id)?.line ?? end;
  lines.splice(entryAt, 0, `  "${id}": ${name},`);
  const lastImport = lines.reduce((last, l, i) => (i < start && l.startsWith("import ") ? i : last), -1);
  const importAt = imports.find((e) => e.id > id)?.line ?? (imports.length ? imports.at(-1)!.line + 1 : lastImport + 1);
  lines.splice(importAt, 0, `import { checks as ${name} } from "./${id}/checks";`);
  return { ok: true, source: lines.join("\n") };
}

const RESERVED = new Set(
  "await break case catch class const continue debugger default delete do else enum export extends false finally for function if implements import in instanceof interface let new null package private protected public return static super switch this throw true try typeof var void while with yield".split(" "),
);

/** `serve-the-model` → `serveTheModel`, not used in `source` yet (a valid identifier even for `3d-scan` or `new`). */
function identifierFor(id: string, source: string): string {
  const camel = id.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  const base = /^[0-9]/.test(camel) ? `lab${camel[0]!.toUpperCase()}${camel.slice(1)}` : RESERVED.has(camel) ? `${camel}Lab` : camel;
  const used = (name: string) => new RegExp(`\\b${name}\\b`).test(source);
  let name = base;
  for (let n = 2; used(name); n++) name = `${base}${n}`;
  return name;
}

/** `serve-the-model` → `Serve the model`. */
function titleFor(id: string): string {
  const words = id.split("-").join(" ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * The skeleton's files by path within labs/<id>/: a static lab (no sandbox) with one file, one
 * check of a built-in kind that the solution passes and the starter fails, and one fixture.
 */
export function labSkeleton(id: string, moduleSlug: string): Record<string, string> {
  return {
    "lab.mdx": `---
title: ${titleFor(id)}
module: ${moduleSlug}
summary: Replace this with one sentence on what the learner builds in this lab.
difficulty: beginner
minutes: 30
sandbox: none
files:
  - path: answer.yaml
    language: yaml
---

This is the skeleton that \`npm run lab:new\` wrote. It is a complete lab that passes
\`npm run content:check\` and \`npm run labs:verify -- --lab ${id}\`; replace each part with
the real one and run both again (docs/lab-format.md describes every part):

1. **This text**: the instructions, written for engineers: the goal, the constraints the checks
   enforce, how to apply and check. Hints for failures belong with the checks, not here.
2. **The frontmatter** above: \`title\`, \`summary\`, \`module\` (the content module the lab is
   part of; it is "${moduleSlug}" now), \`difficulty\`, \`minutes\`, \`sandbox\` (\`none\`, or a size
   profile for a lab with a Kubernetes namespace) and \`files\`, the files the learner edits.
3. **starter/**: what the learner starts with, a file for every entry of \`files\`.
4. **solution/**: the reference solution; it must pass every check.
5. **checks.ts**: the checks, of a built-in kind wherever one fits. The example checks that
   \`answer.yaml\` asks for 3 replicas.
6. **fixtures/**: a wrong-but-plausible submission for each mistake learners make, each failing
   the checks it names. The example asks for 2 replicas.

Set \`replicas: 3\` in \`answer.yaml\` and press **Check** to see the example pass.
`,
    "starter/answer.yaml": `# What the learner starts with: replace it with the lab's starter files.
replicas: 1
`,
    "solution/answer.yaml": `# The reference solution: it passes every check in checks.ts.
replicas: 3
`,
    "checks.ts": `// The checks of lab ${id} (docs/lab-format.md, "checks.ts" and "Built-in kinds").
import { defineChecks } from "@/lib/labs/define";

export const checks = defineChecks([
  {
    id: "three-replicas",
    title: "answer.yaml asks for 3 replicas",
    points: 10,
    hints: ["Set \`replicas: 3\` in \`answer.yaml\`."],
    kind: "structured.field",
    params: { file: "answer.yaml", path: "replicas", equals: 3 },
  },
]);
`,
    "fixtures/two-replicas/fixture.yaml": `description: answer.yaml asks for 2 replicas, one fewer than the lab needs
mustFail: [three-replicas]
edits:
  - file: answer.yaml
    find: "replicas: 3"
    replace: "replicas: 2"
`,
  };
}
