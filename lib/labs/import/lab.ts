// npm run lab:import: a Killercoda scenario folder → an Academy lab skeleton with steps
// (docs/lab-format.md, "Import a Killercoda scenario"). The text is converted to MDX
// (markdown.ts), each verify.sh to checks (verify.ts), background scripts to setup objects
// (setup.ts); the lab is written and registered by the same code as `npm run lab:new`
// (writeNewLab), with IMPORT-REPORT.md saying what was mapped and what the author must do. No
// solution is written: the author adds it.
import "server-only";
import { stringify } from "yaml";
import { builtinKind } from "@/lib/checks/kinds";
import { writeNewLab } from "../skeleton";
import { toMdx } from "./markdown";
import { readScenario, type Scenario, type ScenarioFile } from "./scenario";
import { mapSetup, type SetupObject } from "./setup";
import { mapVerify, type DraftCheck, type LineOutcome } from "./verify";

export type ImportOptions = {
  /** The scenario folder (holding index.json). */
  scenarioDir: string;
  /** The lab id; default: from the scenario's title. */
  id?: string;
  labsDir: string;
  contentRoot: string;
  module?: string;
};

export type ImportResult = { ok: true; id: string; dir: string; files: string[]; report: string } | { ok: false; errors: string[] };

export const STARTER_FILE = "k8s/manifests.yaml";
const POINTS = 10;
/** script.inWorkspace's own limit is 20 s; the check's timeout leaves room for the exec around it. */
const SCRIPT_TIMEOUT_MS = 30_000;

type GeneratedCheck = DraftCheck & { id: string; title: string; hints: string[] };

type ImportedStep = {
  id: string;
  title: string;
  mdx: string;
  textNotes: string[];
  checks: GeneratedCheck[];
  verify: ScenarioFile | null;
  verifyLines: LineOutcome[];
  verifyNotes: string[];
  setupFolder: string | null;
  setupObjects: SetupObject[];
  setupLines: Array<{ file: string; lines: LineOutcome[] }>;
  foreground: ScenarioFile | null;
};

export function importScenario(options: ImportOptions): ImportResult {
  const read = readScenario(options.scenarioDir);
  if (!read.ok) return read;
  const scenario = read.scenario;
  const id = options.id ?? slug(scenario.title, 80);
  if (!id) return { ok: false, errors: [`${options.scenarioDir}/index.json: the title "${scenario.title}" gives no lab id; pass one with --id <lab-id>.`] };
  let report = "";
  const result = writeNewLab({ id, labsDir: options.labsDir, contentRoot: options.contentRoot, module: options.module }, (labId, moduleSlug) => {
    const lab = buildLab(scenario, labId, moduleSlug);
    report = lab.report;
    return lab.files;
  });
  if (!result.ok) return { ok: false, errors: [result.error] };
  return { ok: true, id, dir: result.dir, files: result.files, report };
}

/** The lab's files (path within labs/<id>/ → text), IMPORT-REPORT.md among them. */
export function buildLab(scenario: Scenario, labId: string, moduleSlug: string): { files: Record<string, string>; report: string } {
  const usedStepIds = new Set<string>();
  const usedCheckIds = new Set<string>();
  const labSetup: SetupObject[] = [];
  const labSetupLines: Array<{ file: string; lines: LineOutcome[] }> = [];
  for (const script of [scenario.introBackground]) {
    if (!script) continue;
    const mapped = mapSetup(script, scenario);
    labSetup.push(...mapped.objects);
    labSetupLines.push({ file: script.file, lines: mapped.lines });
  }
  const steps: ImportedStep[] = scenario.steps.map((step, index) => {
    const id = unique(slug(step.title, 40) || `step-${index + 1}`, usedStepIds);
    const text = toMdx(step.text.text);
    const verify = step.verify ? mapVerify(step.verify.text) : null;
    let drafts = verify?.checks ?? [];
    const verifyNotes = [...(verify?.notes ?? [])];
    // Every params object is validated with the kind's own schema; one that fails (a label value
    // Kubernetes would refuse) sends the step to its script, as written.
    const invalid = drafts.map((d) => ({ d, parsed: builtinKind(d.kind)!.params.safeParse(d.params) })).find((x) => !x.parsed.success);
    if (invalid && step.verify) {
      verifyNotes.push(`Line ${invalid.d.lines.join(", ")} maps to ${invalid.d.kind} with params its schema refuses (${invalid.parsed.error!.issues[0]!.message}); the whole script runs as written instead.`);
      drafts = [{ slug: "verify-script", what: "the step's verify script passes", kind: "script.inWorkspace", params: { script: step.verify.text }, lines: [], source: "verify.sh" }];
    }
    const checks = drafts.map((d) => ({
      ...d,
      id: unique(d.kind === "script.inWorkspace" ? `${slug(id, 50)}-verify` : slug(d.slug, 60) || "check", usedCheckIds),
      title: drafts.length === 1 ? step.title : `${step.title}: ${d.what}`,
      hints: [hintFor(d)],
    }));
    const setup = index === 0 ? null : step.background ? mapSetup(step.background, scenario) : null;
    if (index === 0 && step.background) {
      const mapped = mapSetup(step.background, scenario);
      labSetup.push(...mapped.objects);
      labSetupLines.push({ file: step.background.file, lines: mapped.lines });
    }
    return {
      id,
      title: step.title,
      mdx: text.mdx,
      textNotes: text.notes,
      checks,
      verify: step.verify,
      verifyLines: verify?.lines ?? [],
      verifyNotes,
      setupFolder: setup && setup.objects.length ? `steps/${id}/setup` : null,
      setupObjects: setup?.objects ?? [],
      setupLines: setup && step.background ? [{ file: step.background.file, lines: setup.lines }] : [],
      foreground: step.foreground,
    };
  });
  const needsWorkspace = steps.some((s) => s.checks.some((c) => c.kind === "script.inWorkspace"));
  const intro = scenario.intro ? toMdx(scenario.intro.text) : null;
  const finish = scenario.finish ? toMdx(scenario.finish.text) : null;
  // Runnable blocks send their commands to the lab's terminal, which only `workloads: real` labs have.
  const hasRunnable = [intro?.mdx, finish?.mdx, ...steps.map((s) => s.mdx)].some((text) => text !== undefined && RUNNABLE_FENCE.test(text));
  const needsTerminal = needsWorkspace || hasRunnable;

  const frontmatter = {
    title: scenario.title,
    module: moduleSlug,
    summary: oneLine(scenario.description) ?? `Imported from the Killercoda scenario "${scenario.title}": write a one-sentence summary.`,
    difficulty: "beginner",
    minutes: Math.min(480, Math.max(5, steps.length * 10)),
    sandbox: "small",
    ...(needsTerminal ? { workloads: "real" } : {}),
    ...(labSetup.length ? { setup: "setup/" } : {}),
    files: [{ path: STARTER_FILE, language: "yaml", apply: true }],
    steps: steps.map((s) => ({ id: s.id, title: s.title, checks: s.checks.map((c) => c.id), ...(s.setupFolder ? { setup: s.setupFolder } : {}) })),
  };
  const body = [intro?.mdx.trim() || `${scenario.title}: write the lab's introduction here.`, finish ? `## When you have finished\n\n${finish.mdx.trim()}` : ""].filter(Boolean).join("\n\n");
  const files: Record<string, string> = {
    "lab.mdx": `---\n${stringify(frontmatter, { lineWidth: 0 })}---\n\n${body}\n`,
    [`starter/${STARTER_FILE}`]: "# Write the Kubernetes objects of this lab here; Apply sends them to your namespace.\n",
    "checks.ts": checksSource(labId, steps.flatMap((s) => s.checks)),
  };
  for (const step of steps) files[`steps/${step.id}.mdx`] = step.mdx;
  for (const o of labSetup) files[`setup/${o.kind.toLowerCase()}-${o.name}.yaml`] = o.text;
  for (const step of steps) for (const o of step.setupObjects) files[`${step.setupFolder}/${o.kind.toLowerCase()}-${o.name}.yaml`] = o.text;
  const report = reportText({ scenario, labId, steps, labSetup, labSetupLines, needsWorkspace, hasRunnable, introNotes: intro?.notes ?? [], finishNotes: finish?.notes ?? [] });
  files["IMPORT-REPORT.md"] = report;
  return { files, report };
}

function checksSource(labId: string, checks: GeneratedCheck[]): string {
  const entries = checks.map((c) => {
    const definition = { id: c.id, title: c.title, points: POINTS, hints: c.hints, kind: c.kind, params: c.params, ...(c.kind === "script.inWorkspace" ? { timeoutMs: SCRIPT_TIMEOUT_MS } : {}) };
    return `  ${JSON.stringify(definition, null, 2).replace(/\n/g, "\n  ")},`;
  });
  return `// The checks of lab ${labId}, written by npm run lab:import from the scenario's verify scripts
// (IMPORT-REPORT.md says which line became which check). Rewrite the hints for learners.
import { defineChecks } from "@/lib/labs/define";

export const checks = defineChecks([
${entries.join("\n")}
]);
`;
}

function hintFor(check: DraftCheck): string {
  if (check.kind === "script.inWorkspace") return "This step's check runs the scenario's verify script in your terminal's workspace; its output above says what it found. Reread the step and compare.";
  return `The scenario checked this with \`${check.source}\`: run it in the terminal to see what it finds, and compare with what the step asks.`;
}

function reportText(input: {
  scenario: Scenario;
  labId: string;
  steps: ImportedStep[];
  labSetup: SetupObject[];
  labSetupLines: Array<{ file: string; lines: LineOutcome[] }>;
  needsWorkspace: boolean;
  hasRunnable: boolean;
  introNotes: string[];
  finishNotes: string[];
}): string {
  const { scenario, labId, steps } = input;
  const out: string[] = [`# Import report: ${scenario.title}`, "", `Imported by \`npm run lab:import\` from ${scenario.dir} into labs/${labId}/.`, ""];
  const lineText = (o: LineOutcome) =>
    `- line ${o.line}: \`${o.source.replace(/`/g, "'")}\` — ${o.outcome === "mapped" ? `mapped to ${o.kind}${o.note ? ` (${o.note})` : ""}` : o.outcome === "ignored" ? `ignored: ${o.why}` : `**needs the author**: ${o.why}`}`;
  const scripts = (list: Array<{ file: string; lines: LineOutcome[] }>) => list.flatMap(({ file, lines }) => [`Setup script ${file}:`, "", ...(lines.length ? lines.map(lineText) : ["- (no commands)"]), ""]);
  const notes = (list: string[]) => list.map((n) => `- ${n}`);

  out.push("## Lab", "");
  out.push(`- Text: ${scenario.intro ? `${scenario.intro.file} → lab.mdx (the introduction)` : "the scenario has no intro text: write the introduction in lab.mdx"}${scenario.finish ? `; ${scenario.finish.file} → "When you have finished" in lab.mdx` : ""}.`);
  out.push(...notes([...input.introNotes, ...input.finishNotes]));
  if (scenario.imageid) out.push(`- Killercoda machine \`${scenario.imageid}\`: the lab runs in a \`sandbox: small\` namespace instead${terminalReason(input)}. Change the size in lab.mdx if the lab needs more.`);
  if (scenario.introForeground) out.push(`- **needs the author**: ${scenario.introForeground.file} (foreground script) ran in the learner's terminal at the start; Academy has no equivalent: say in the text what to run.`);
  if (scenario.ignored.length) out.push(`- Not carried over from index.json: ${scenario.ignored.map((k) => `\`${k}\``).join(", ")}.`);
  out.push(input.labSetup.length ? `- Setup objects (setup/, applied when the sandbox starts): ${input.labSetup.map((o) => `${o.kind} "${o.name}"`).join(", ")}.` : "- No setup objects.");
  out.push("");
  out.push(...scripts(input.labSetupLines));

  for (const [n, step] of steps.entries()) {
    out.push(`## Step ${n + 1}: ${step.title} (\`${step.id}\`)`, "");
    out.push(`- Text: ${scenario.steps[n]!.text.file} → steps/${step.id}.mdx.`);
    out.push(...notes(step.textNotes));
    if (step.checks.length) out.push(`- Checks: ${step.checks.map((c) => `\`${c.id}\` (${c.kind})`).join(", ")}.`);
    else out.push("- **needs the author**: the step has no verify script, so it has no check; every step needs at least one: add it to checks.ts and to the step's `checks:` in lab.mdx.");
    if (step.setupFolder) out.push(`- Setup objects (${step.setupFolder}/, applied when the step unlocks): ${step.setupObjects.map((o) => `${o.kind} "${o.name}"`).join(", ")}.`);
    if (step.foreground) out.push(`- **needs the author**: ${step.foreground.file} (foreground script) ran in the learner's terminal when the step started; Academy has no equivalent.`);
    out.push("");
    if (step.verify) {
      out.push(`Verify script ${step.verify.file}:`, "", ...(step.verifyLines.length ? step.verifyLines.map(lineText) : ["- (no commands)"]), ...notes(step.verifyNotes), "");
    }
    out.push(...scripts(step.setupLines));
  }

  const pending = [...input.labSetupLines, ...steps.flatMap((s) => s.setupLines)].flatMap((s) => s.lines).filter((l) => l.outcome === "unmapped").length;
  out.push("## What the author must do", "");
  out.push(
    `1. **Add the solution**: \`solution/${STARTER_FILE}\` with the objects the learner ends with (the lab's one file, \`apply: true\`). Steps are graded one after the other against the solution; where a step needs another state of the file than the last one (an object created in one step and deleted in a later one), give that step's state as the steps format says (docs/lab-format.md, "Steps": \`solution/steps/<step-id>/\`).`,
    "2. **Add fixtures** (`fixtures/<case>/fixture.yaml`): a wrong-but-plausible submission for each check, from the mistakes learners make.",
    "3. **Rewrite the hints** in checks.ts: they point at the original verify lines, not at what to learn.",
    `4. Write the \`summary\`, \`difficulty\` and \`minutes\` in lab.mdx, and reread the text of each step (notes above).`,
  );
  let next = 5;
  if (steps.some((s) => s.checks.length === 0)) out.push(`${next++}. Add a check to every step that has none (above).`);
  if (pending) out.push(`${next++}. Handle the ${pending} setup line(s) marked **needs the author** above: as manifests in the setup folder, or in the step's text.`);
  if (input.needsWorkspace) out.push(`${next++}. The \`script.inWorkspace\` checks run in the learner's workspace pod, which starts when the learner opens the terminal; \`labs:verify\` does not start one yet, so replace them with built-in kinds where you can.`);
  out.push(`${next}. Run \`npm run content:check\` and \`npm run labs:verify -- --lab ${labId}\`.`, "");
  return out.join("\n");
}

function oneLine(text: string | null): string | null {
  const line = text?.split("\n").map((l) => l.trim()).find(Boolean);
  return line ? line.replace(/[<>{}]/g, "") : null;
}

/** Lower-case words joined by `-`, cut at a word boundary within `max` characters. */
function slug(text: string, max: number): string {
  const words = text.toLowerCase().replace(/[^a-z0-9]+/g, " ").trim().split(" ").filter(Boolean);
  let out = "";
  for (const w of words) {
    const next = out ? `${out}-${w}` : w;
    if (next.length > max) break;
    out = next;
  }
  return out || (words[0]?.slice(0, max) ?? "");
}

function unique(base: string, used: Set<string>): string {
  let id = base;
  for (let n = 2; used.has(id); n++) id = `${base}-${n}`;
  used.add(id);
  return id;
}

/** A fenced block with the `runnable` meta word, as toMdx writes it. */
const RUNNABLE_FENCE = /^\s*(?:`{3,}|~{3,})\S+(?: [^\n]*)? runnable\b/m;

/** Why the imported lab says `workloads: real` (the terminal and the workspace pod exist only there), or "". */
function terminalReason(input: { needsWorkspace: boolean; hasRunnable: boolean }): string {
  const why = [
    input.hasRunnable ? "its {{exec}} commands are runnable blocks, which go to the lab's terminal" : "",
    input.needsWorkspace ? "script checks run in the workspace pod" : "",
  ].filter(Boolean);
  return why.length ? ` with \`workloads: real\` (${why.join("; ")}: both exist only there)` : "";
}
