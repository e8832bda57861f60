import { defineChecks } from "@/lib/labs/define";
import { FAILING_INPUT, GOOD_INPUT, GOOD_OUTPUTS, SCORER_STAND_IN } from "./samples";

const file = "score.sh";
const tools = { python: SCORER_STAND_IN };

export const checks = defineChecks([
  {
    id: "strict-mode",
    title: "Bash in strict mode",
    points: 15,
    hints: [
      "Start with `#!/usr/bin/env bash` (pipefail is a bash option, `sh` may not have it).",
      "Put `set -euo pipefail` on the line after the shebang, before any command.",
    ],
    kind: "shell.strictMode",
    params: { file },
  },
  {
    id: "shellcheck-clean",
    title: "ShellCheck finds no warnings",
    points: 20,
    hints: [
      "Each finding links to its ShellCheck wiki page, which shows the fix.",
      "Loop over the glob (`for file in \"$dir\"/*.csv`) instead of parsing `ls`.",
    ],
    kind: "shell.shellcheck",
    params: { file, severity: "warning" },
  },
  {
    id: "quoting",
    title: "Every expansion is quoted",
    points: 15,
    hints: ["Write `\"$file\"`, `\"$(basename \"$file\" .csv)\"` and `\"${files[@]}\"`: unquoted expansions split on spaces and expand globs."],
    kind: "shell.shellcheck",
    params: { file, severity: "info", codes: [2086, 2046, 2048, 2068, 2206, 2207] },
  },
  {
    id: "checks-arguments",
    title: "The script checks its arguments",
    points: 10,
    hints: ["Test `$#` (`if [[ $# -ne 2 ]]`), print a usage line to stderr (`>&2`) and exit 2."],
    kind: "shell.checksArguments",
    params: {
      file,
      failure: "The script never checks how many arguments it got, so a missing argument scores the wrong folder.",
      success: "The script checks its arguments.",
    },
  },
  {
    id: "exit-codes-written",
    title: "The script names distinct exit codes",
    points: 15,
    hints: ["Use `exit 2` for wrong usage, `exit 3` when the input folder is missing and `exit 1` when scoring fails."],
    kind: "shell.exitCodes",
    params: { file, minDistinct: 3 },
  },
  {
    id: "atomic-output",
    title: "Outputs appear only when complete",
    points: 15,
    hints: ["Write each output to a file made with `mktemp` (or in a `mktemp -d` folder on the same filesystem), then `mv` it into place."],
    kind: "shell.runs",
    params: {
      file,
      commands: ["mktemp", "mv"],
      inOrder: true,
      failure: "Outputs are written in place: a crash leaves a half-written file that the next job reads as complete.",
      success: "Outputs are written to a temporary file and moved into place.",
    },
  },
  {
    id: "cleanup-trap",
    title: "Leftovers are removed on exit",
    points: 10,
    hints: ["Define `cleanup() { rm -rf \"$tmp_dir\"; }` and register it with `trap cleanup EXIT`."],
    kind: "shell.trap",
    params: {
      file,
      signal: "EXIT",
      runs: ["rm"],
      failure: "There is no `trap … EXIT` whose handler removes the temporary files (`rm`), so they stay behind when the script stops half-way.",
      success: "A trap cleans up on exit.",
    },
  },
  // Behaviour: score.sh runs in a pod in your sandbox against sample folders.
  {
    id: "exit-codes",
    title: "It exits 2, 3 and 1 when it should, and 0 when all is scored",
    points: 15,
    hints: [
      "Wrong usage (no arguments) prints a usage line to stderr and exits 2; a missing input folder exits 3; a file the scorer fails on exits 1.",
      "Under `set -e` a failing command stops the script with that command's own exit code. To exit 1 when scoring fails, test it: `if ! python -m scorer …; then exit 1; fi`.",
    ],
    kind: "script.runInPod",
    params: {
      file,
      tools,
      cases: [
        { name: "no arguments", args: [], exitCode: 2, stderr: "(?i)usage", tmpClean: false },
        { name: "an input folder that does not exist", args: ["missing", "out"], dirs: ["out"], exitCode: 3, tmpClean: false },
        { name: "a file the scorer fails on", args: ["in", "out"], files: FAILING_INPUT, dirs: ["out"], exitCode: 1, tmpClean: false },
        { name: "two good files", args: ["in", "out"], files: GOOD_INPUT, dirs: ["out"], exitCode: 0, tmpClean: false },
      ],
    },
    timeoutMs: 60_000,
  },
  {
    id: "runs-clean",
    title: "Every file is scored, and nothing half-written or temporary is left",
    points: 15,
    hints: [
      "A file named `week 1.csv` must become `week 1.scores.csv`: quote every expansion and loop over the glob, never over `ls`.",
      "When the scorer fails half-way, the output folder must not hold its half-written file: write to a `mktemp` file and `mv` it into place only when the scorer succeeded.",
      "Temporary files and folders must be gone when the script ends, whether it succeeded or failed: `trap cleanup EXIT`.",
    ],
    kind: "script.runInPod",
    params: {
      file,
      tools,
      cases: [
        { name: "two good files", args: ["in", "out"], files: GOOD_INPUT, dirs: ["out"], exitCode: 0, folders: [{ path: "out", names: GOOD_OUTPUTS }] },
        { name: "a file the scorer fails on", args: ["in", "out"], files: FAILING_INPUT, dirs: ["out"], exitCode: "nonzero", folders: [{ path: "out", names: ["a.scores.csv"] }] },
      ],
    },
    timeoutMs: 60_000,
  },
]);
