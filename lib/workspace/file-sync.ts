// Which workspace files to bring into the editor, decided purely from what the pod has (path,
// size, sha256), what was last in step (the baseline) and what the lab declares; unit-tested in
// file-sync.test.ts. The rule: only a file whose pod copy differs from the baseline was changed in
// the terminal, so a stale pod copy never overwrites a newer editor save (which moves the
// baseline when it reaches the pod), and a change made in both places is kept as two revisions.
import type { PodFile } from "@/lib/sandbox/workspace-pod";

export type SyncPlan = {
  /** Changed in the terminal, a file the learner may edit, not too large: read and save these. */
  imports: Array<{ path: string; sha256: string }>;
  /** Changed in the pod to exactly the editor's text: only the baseline moves. */
  inStep: Array<{ path: string; sha256: string }>;
  /** Words for changed files that were not imported (too large, read-only). */
  problems: string[];
};

export type SyncInput = {
  podFiles: PodFile[];
  /** sha256 of the stored text (or the starter) of every file of the lab, and whether the learner may change it. */
  labFiles: Map<string, { sha256: string; readonly: boolean }>;
  /** The sha256 each pod file had when last in step (written there or imported). */
  baseline: Map<string, string>;
  maxFileBytes: number;
};

/** Temporary names the workspace writer uses while replacing a file. */
const TEMPORARY = /\.academy-new$/;

export function planSync({ podFiles, labFiles, baseline, maxFileBytes }: SyncInput): SyncPlan {
  const plan: SyncPlan = { imports: [], inStep: [], problems: [] };
  for (const file of podFiles) {
    const declared = labFiles.get(file.path);
    // Scratch files, outputs, caches: the terminal may keep anything; only lab files come back.
    if (!declared || TEMPORARY.test(file.path)) continue;
    if (file.sha256 !== null && file.sha256 === baseline.get(file.path)) continue;
    if (file.sha256 === null || file.bytes > maxFileBytes) {
      plan.problems.push(`"${file.path}" in the terminal is ${file.bytes} bytes; a lab file may be at most ${maxFileBytes} bytes, so it was not brought into the editor.`);
      continue;
    }
    if (declared.readonly) {
      plan.problems.push(`"${file.path}" is provided by the lab: your change in the terminal stays there and is not saved.`);
      continue;
    }
    if (file.sha256 === declared.sha256) plan.inStep.push({ path: file.path, sha256: file.sha256 });
    else plan.imports.push({ path: file.path, sha256: file.sha256 });
  }
  return plan;
}
