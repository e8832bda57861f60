// The check kind that RUNS a learner's script: script.runInPod starts one grader pod in the
// learner's sandbox (the workspace image, the restricted Pod Security level, a read-only root
// filesystem, small CPU/memory limits, a deadline, no service account token), copies the script
// and the lab's fixture inputs in, runs each case with `exec` (so stdout, stderr and the exit
// code come back separately), looks at the files it left behind, and deletes the pod, always
// (the pod and its lifecycle: grader-pod.ts).
// Each case gets its own folder and its own TMPDIR, so one case's leftovers never pass or fail
// another.
// script.inWorkspace runs a lab author's shell script (an imported Killercoda verify.sh) in the
// learner's workspace pod, where kubectl acts as the learner: exit 0 passes, and the script's last
// lines of output are the explanation either way.
import { z } from "zod";
import { WORKSPACE_CONTAINER, WORKSPACE_POD, liveOf } from "../live";
import { learnerPattern, patternProblem } from "../pattern";
import { lastLines } from "../pod-problems";
import { fail, pass, type LiveSandbox } from "../types";
import { WORK, WRITE_FILES, graderPod, withGraderPod, writeArgs, writeFiles } from "./grader-pod";
import { FileParam, defineKind, fileText, missingFile } from "./kind";

export const WORKSPACE_IMAGE = "ghcr.io/academy-labs/workspace:1.0.0";
const TOOLS = `${WORK}/.tools`;
const SCRIPT_DIR = `${WORK}/.script`;

const Pattern = z.string().min(1).refine((p) => patternProblem(p, "m") === null, "is not a regular expression RE2 can run (no backreferences or lookaround)");
/**
 * A fixture path inside a case's folder. Looser than a lab file path on purpose: fixtures test
 * names with spaces and glob characters (`b c.csv`, `[x].csv`), the very names scripts get wrong.
 */
const FixturePath = z
  .string()
  .min(1)
  .max(200)
  .refine((p) => !p.startsWith("/") && !p.split("/").some((s) => s === "" || s === "." || s === "..") && !/[\\\u0000-\u001f]/.test(p), "a relative path inside the case folder, without `..`");
const Files = z.record(FixturePath, z.string().max(64 * 1024));

const CaseParams = z
  .object({
    /** What the case shows, for messages: "a file that fails to score". */
    name: z.string().min(1).max(80),
    args: z.array(z.string().max(200)).max(10).default([]),
    /** Input files of this case, relative to its folder (the script's working directory). */
    files: Files.default({}),
    /** Folders to make (empty) before the run, relative to the case folder. */
    dirs: z.array(FixturePath).max(5).default([]),
    /** The exit code it must end with; "nonzero" for any failure; absent for any. */
    exitCode: z.union([z.number().int().min(0).max(255), z.literal("nonzero")]).optional(),
    stdout: Pattern.optional(),
    stderr: Pattern.optional(),
    /** Folders (relative to the case folder) that must hold exactly these names afterwards, hidden files included. */
    folders: z.array(z.object({ path: FixturePath, names: z.array(z.string().min(1)).max(20) })).max(5).default([]),
    /** Files whose text must contain a pattern afterwards. */
    contains: z.array(z.object({ path: FixturePath, pattern: Pattern })).max(5).default([]),
    /** Nothing may be left in the case's TMPDIR. */
    tmpClean: z.boolean().default(true),
  })
  .strict();

export const RunInPodParams = z.object({
  file: FileParam,
  image: z.string().min(1).default(WORKSPACE_IMAGE),
  /** Executables put first on PATH (name → text), e.g. a stand-in for a CLI the script calls. */
  tools: z.record(z.string().regex(/^[A-Za-z0-9_.-]+$/), z.string().max(64 * 1024)).default({}),
  cases: z.array(CaseParams).min(1).max(8),
  /** Per case. */
  timeoutSeconds: z.number().int().min(1).max(20).default(10),
});

type Params = z.output<typeof RunInPodParams>;
type Case = z.output<typeof CaseParams>;

/** The grader pod of this kind (grader-pod.ts): the workspace image, 500m CPU and 256 MiB. */
export function scriptPod(name: string, image: string) {
  return graderPod(name, { check: "script", image });
}

function shown(args: string[]): string {
  return args.map((a) => (/^[\w./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`)).join(" ");
}

async function runCase(live: LiveSandbox, pod: string, script: string, p: Params, index: number, c: Case): Promise<string | null> {
  const dir = `${WORK}/case-${index}`;
  const tmp = `/tmp/case-${index}`;
  const setup = await live.exec(pod, "run", ["sh", "-c", `${WRITE_FILES}; mkdir -p "${dir}" "${tmp}"${c.dirs.map((d) => ` "${dir}/${d.replace(/["$`\\]/g, "")}"`).join("")}`, "_", ...writeArgs(Object.fromEntries(Object.entries(c.files).map(([k, v]) => [`${dir}/${k}`, v])))], { timeoutMs: 15_000 });
  if (!setup.ok || setup.exitCode !== 0) throw new Error(`setting up case ${index} failed: ${setup.ok ? setup.stderr : setup.error}`);
  const command = `${script.split("/").at(-1)}${c.args.length ? ` ${shown(c.args)}` : ""}`;
  const run = await live.exec(
    pod,
    "run",
    ["env", `TMPDIR=${tmp}`, `PATH=${TOOLS}:/usr/local/bin:/usr/bin:/bin`, "sh", "-c", 'cd "$1" && shift && exec "$@"', "_", dir, script, ...c.args],
    { timeoutMs: p.timeoutSeconds * 1000 },
  );
  const label = `With ${c.name}, \`${command}\``;
  if (!run.ok) return /did not finish/.test(run.error) ? `${label} did not finish within ${p.timeoutSeconds} s (does it wait for input, or loop?)` : `${label} could not be run: ${run.error}`;
  const tail = (text: string) => {
    const lines = lastLines(text, 3);
    return lines.length ? lines.map((l) => `“${l}”`).join(" ") : "nothing";
  };
  if (c.exitCode === "nonzero" ? run.exitCode === 0 : c.exitCode !== undefined && run.exitCode !== c.exitCode) {
    return `${label} exited with ${run.exitCode}; expected ${c.exitCode === "nonzero" ? "a failure (not 0)" : c.exitCode}. It printed to stderr: ${tail(run.stderr)}`;
  }
  if (c.stdout && !learnerPattern(c.stdout, "m").test(run.stdout)) return `${label} exited ${run.exitCode}, but its stdout does not contain /${c.stdout}/ (it printed ${tail(run.stdout)})`;
  if (c.stderr && !learnerPattern(c.stderr, "m").test(run.stderr)) return `${label} exited ${run.exitCode}, but its stderr does not contain /${c.stderr}/ (it printed ${tail(run.stderr)})`;
  // What it left behind: each folder's names (hidden ones too) and the TMPDIR, one exec.
  const listing = await live.exec(
    pod,
    "run",
    ["sh", "-c", 'cd "$1" && shift; t="$1"; shift; for d in "$@"; do echo "@@ $d"; [ -d "$d" ] && ls -A1 "$d"; done; echo "@@ TMPDIR"; ls -A1 "$t"; true', "_", dir, tmp, ...c.folders.map((f) => f.path)],
    { timeoutMs: 10_000 },
  );
  if (!listing.ok) throw new Error(`listing the files of case ${index} failed: ${listing.error}`);
  const sections = new Map<string, string[]>();
  let current = "";
  for (const line of listing.stdout.split("\n")) {
    if (line.startsWith("@@ ")) sections.set((current = line.slice(3)), []);
    else if (line.trim()) sections.get(current)?.push(line);
  }
  for (const folder of c.folders) {
    const names = sections.get(folder.path) ?? [];
    const extra = names.filter((n) => !folder.names.includes(n));
    const missing = folder.names.filter((n) => !names.includes(n));
    if (missing.length) return `${label} exited ${run.exitCode}, but \`${folder.path}/\` lacks ${missing.map((n) => `"${n}"`).join(", ")}${names.length ? ` (it holds ${names.map((n) => `"${n}"`).join(", ")})` : " (it is empty or missing)"}`;
    if (extra.length) return `${label} exited ${run.exitCode}, but left ${extra.map((n) => `"${n}"`).join(", ")} in \`${folder.path}/\`: a half-written output or a temporary file that was never removed`;
  }
  const leftovers = sections.get("TMPDIR") ?? [];
  if (c.tmpClean && leftovers.length) return `${label} left ${leftovers.map((n) => `"${n}"`).join(", ")} in its temporary folder ($TMPDIR): remove temporary files when the script ends (\`trap … EXIT\`)`;
  for (const want of c.contains) {
    const read = await live.exec(pod, "run", ["cat", `${dir}/${want.path}`], { timeoutMs: 10_000 });
    const text = read.ok && read.exitCode === 0 ? read.stdout : null;
    if (text === null) return `${label} exited ${run.exitCode}, but \`${want.path}\` is not there`;
    if (!learnerPattern(want.pattern, "m").test(text)) return `${label} exited ${run.exitCode}, but \`${want.path}\` does not contain /${want.pattern}/`;
  }
  return null;
}

export const InWorkspaceParams = z
  .object({
    /** The script's text (bash), written by the lab author: it is not a learner file. */
    script: z.string().trim().min(1, "must not be empty").max(16 * 1024),
    timeoutSeconds: z.number().int().min(1).max(50).default(20),
  })
  .strict();

/**
 * How the workspace runs an author's script: in a fresh folder (its HOME, TMPDIR and working
 * directory, removed afterwards), with an empty environment but PATH and the in-cluster API
 * address, and a KUBECONFIG the learner cannot create (a path in the read-only token mount), so
 * kubectl uses the pod's own token, the learner's, and not a kubeconfig the learner wrote in ~.
 */
export const IN_WORKSPACE_COMMAND = [
  'd=$(mktemp -d) && cd "$d" || { echo "academy-workspace: no temporary folder" >&2; exit 125; }',
  'env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$d" TMPDIR="$d" KUBECONFIG=/var/run/secrets/kubernetes.io/serviceaccount/no-kubeconfig \\',
  '  KUBERNETES_SERVICE_HOST="$KUBERNETES_SERVICE_HOST" KUBERNETES_SERVICE_PORT="$KUBERNETES_SERVICE_PORT" bash -c "$1" check',
  's=$?; cd / && rm -rf "$d"; exit "$s"',
].join("\n");

function quoted(lines: string[]): string {
  return lines.length ? lines.map((l) => `“${l}”`).join(" ") : "nothing";
}

export const scriptKinds = {
  "script.inWorkspace": defineKind({
    params: InWorkspaceParams,
    needsCluster: true,
    // The workspace pod exists only where pods really run (lib/sandbox/workspace-manifest.ts).
    needsRealWorkloads: true,
    async run(p, ctx) {
      const live = liveOf(ctx);
      const run = await live.exec(WORKSPACE_POD, WORKSPACE_CONTAINER, ["sh", "-c", IN_WORKSPACE_COMMAND, "_", p.script], { timeoutMs: p.timeoutSeconds * 1000 });
      if (!run.ok) {
        if (/did not finish/.test(run.error)) return fail(`The lab's check script did not finish within ${p.timeoutSeconds} s in your workspace. It printed ${quoted(lastLines(run.stdout + run.stderr, 3))}.`);
        return fail(`This check runs in your workspace (the terminal), which is not running: open the terminal, wait for its prompt, and check again.`, [run.error]);
      }
      const output = lastLines(`${run.stdout}\n${run.stderr}`, 5);
      if (run.exitCode === 0) return pass(output.length ? `The lab's check script passed: ${quoted(output)}` : "The lab's check script passed.");
      if (run.exitCode === 125 && run.stderr.includes("academy-workspace:")) throw new Error(`script.inWorkspace: no temporary folder in the workspace pod: ${run.stderr}`);
      return fail(`The lab's check script failed (exit ${run.exitCode}) in your workspace: ${quoted(output)}`, output.length > 1 ? output : undefined);
    },
  }),


  "script.runInPod": defineKind({
    params: RunInPodParams,
    needsCluster: true,
    needsRealWorkloads: true,
    async run(p, ctx) {
      const text = fileText(ctx, p.file);
      if (text === null) return missingFile(p.file);
      return withGraderPod(ctx, { check: "script", image: p.image, what: "your script" }, async (live, name) => {
        const script = `${SCRIPT_DIR}/${p.file.split("/").at(-1)}`;
        const tools = Object.fromEntries(Object.entries(p.tools).map(([k, v]) => [`${TOOLS}/${k}`, v]));
        await writeFiles(live, name, { [script]: text, ...tools }, `chmod +x "${script}"${Object.keys(tools).length ? ` "${TOOLS}"/*` : ""}`, "copying the script into the pod");
        const problems: string[] = [];
        for (const [index, c] of p.cases.entries()) {
          const problem = await runCase(live, name, script, p, index, c);
          if (problem) problems.push(problem);
        }
        if (problems.length) return fail(`${problems[0]}.`, problems.length > 1 ? problems.map((x) => `${x}.`) : undefined);
        return pass(`\`${p.file}\` ran in a pod against ${p.cases.length} case(s) (${p.cases.map((c) => c.name).join("; ")}): exit codes, output and clean-up as expected.`);
      });
    },
  }),
};
