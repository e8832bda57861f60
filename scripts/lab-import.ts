// npm run lab:import -- <scenario-folder> [--id <lab-id>] [--module <slug>] — turns a Killercoda
// scenario folder into an Academy lab skeleton with steps in labs/<lab-id>/, lists it in
// labs/index.ts and prints IMPORT-REPORT.md: what was mapped and what the author must do
// (lib/labs/import/lab.ts; docs/lab-format.md, "Import a Killercoda scenario"). Exit 1 when it refuses.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { importScenario } from "../lib/labs/import/lab";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const USAGE = "Usage: npm run lab:import -- <scenario-folder> [--id <lab-id>] [--module <module-slug>]";

function main(): number {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse();
  } catch (error) {
    console.error(`lab:import: ${error instanceof Error ? error.message : String(error)}. ${USAGE}`);
    return 1;
  }
  if (parsed.values.help) {
    console.log(USAGE);
    return 0;
  }
  const [folder, ...rest] = parsed.positionals;
  if (folder === undefined || rest.length > 0) {
    console.error(`lab:import: ${folder === undefined ? "name the scenario folder (the one holding index.json)" : `one scenario at a time (got ${parsed.positionals.join(", ")})`}. ${USAGE}`);
    return 1;
  }
  const result = importScenario({
    scenarioDir: path.resolve(folder),
    id: parsed.values.id,
    module: parsed.values.module,
    labsDir: path.join(repoRoot, "labs"),
    contentRoot: path.join(repoRoot, "content"),
  });
  if (!result.ok) {
    for (const error of result.errors) console.error(`lab:import: ${error}`);
    return 1;
  }
  console.log(result.report);
  const rel = path.relative(process.cwd(), result.dir) || ".";
  console.log(`lab:import: wrote ${rel}/ (${result.files.join(", ")}) and added "${result.id}" to labs/index.ts; this report is ${path.join(rel, "IMPORT-REPORT.md")}.`);
  return 0;
}

function parse() {
  return parseArgs({ options: { id: { type: "string" }, module: { type: "string" }, help: { type: "boolean", short: "h" } }, allowPositionals: true, strict: true });
}

process.exit(main());
