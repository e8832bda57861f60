// npm run lab:new -- <lab-id> [--module <slug>] — writes the skeleton of a new lab in labs/<lab-id>/
// and lists it in labs/index.ts; it passes content:check and labs:verify as written
// (lib/labs/skeleton.ts; docs/lab-format.md, "Start a new lab"). Exit 1 when it refuses.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { createLab } from "../lib/labs/skeleton";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const USAGE = "Usage: npm run lab:new -- <lab-id> [--module <module-slug>]";

function main(): number {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse();
  } catch (error) {
    console.error(`lab:new: ${error instanceof Error ? error.message : String(error)}. ${USAGE}`);
    return 1;
  }
  const [id, ...rest] = parsed.positionals;
  if (id === undefined || rest.length > 0) {
    console.error(`lab:new: ${id === undefined ? "name the new lab's id" : `one lab id at a time (got ${parsed.positionals.join(", ")})`}. ${USAGE}`);
    return 1;
  }
  const result = createLab({ id, labsDir: path.join(repoRoot, "labs"), contentRoot: path.join(repoRoot, "content"), module: parsed.values.module });
  if (!result.ok) {
    console.error(`lab:new: ${result.error}`);
    return 1;
  }
  const rel = path.relative(process.cwd(), result.dir) || ".";
  console.log(`lab:new: wrote ${rel}/ (${result.files.join(", ")}) and added "${id}" to labs/index.ts.`);
  console.log(`lab:new: its module is "${result.module}"${parsed.values.module ? "" : " (the first by name; change `module:` in lab.mdx)"}.`);
  console.log(`lab:new: next, replace the example parts (see ${path.join(rel, "lab.mdx")}), then run npm run content:check and npm run labs:verify -- --lab ${id}.`);
  return 0;
}

function parse() {
  return parseArgs({ options: { module: { type: "string" } }, allowPositionals: true, strict: true });
}

process.exit(main());
