// npm run content:check — validates every page of the curriculum in content/ and prints each
// problem as `file:line:column — what is wrong`. Exit code 1 when there is any problem.
// Usage: content-check [--root content] [--cache-dir .academy-data/cache/mdx]
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { checkContent, formatProblem, formatSummary } from "../lib/content/check";
import { checkLabs, checkLabTexts } from "../lib/labs/check";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      root: { type: "string", default: path.join(repoRoot, "content") },
      "cache-dir": { type: "string" },
    },
  });
  const root = path.resolve(values.root);
  const base = process.cwd();
  const showProgress = process.stderr.isTTY;
  const report = await checkContent({
    root,
    base: path.dirname(root),
    publicDir: path.join(path.dirname(root), "public"),
    cacheDir: values["cache-dir"] ? path.resolve(values["cache-dir"]) : null,
    onProgress: showProgress
      ? (done, total) => process.stderr.write(`\rcontent:check: compiled ${done}/${total} pages`)
      : undefined,
  });
  if (showProgress) process.stderr.write("\r\x1b[K");
  for (const problem of report.problems) console.log(formatProblem(problem, base));
  // Labs (labs/<id>/): definitions, files and the registry; see docs/lab-format.md.
  const labOptions = { root: path.join(path.dirname(root), "labs"), contentRoot: root };
  const labs = checkLabs(labOptions);
  // The labs' instructions: their MDX, code blocks and `runnable` marks.
  labs.problems.push(...(await checkLabTexts({ ...labOptions, cacheDir: values["cache-dir"] ? path.resolve(values["cache-dir"]) : null })));
  for (const problem of labs.problems) console.log(formatProblem(problem, base));
  console.log(formatSummary(report));
  console.log(`labs:check: ${labs.labs} lab${labs.labs === 1 ? "" : "s"}, ${labs.checks} checks, ${labs.fixtures} fixture${labs.fixtures === 1 ? "" : "s"}, ${labs.problems.length === 0 ? "no problems" : `${labs.problems.length} problem${labs.problems.length === 1 ? "" : "s"}`}.`);
  return report.problems.length === 0 && labs.problems.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(2);
  },
);
