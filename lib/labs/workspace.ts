// What the lab page does on the learner's behalf beyond editing: find the lab's sandbox, and
// apply the saved files to it. Files are read from the database, never from the request, so
// what is applied is exactly what is graded.
import "server-only";
import type { Database } from "@/lib/db/client";
import { applyLearnerManifests, listSandboxes, type ObjectResult, type SandboxDTO, type SandboxDeps } from "@/lib/sandbox/service";
import { currentFiles } from "./files";
import { getLab } from "./registry";

type ActingUser = { id: string };

/** The learner's live sandbox for this lab (provisioning or ready), if any. */
export async function sandboxForLab(db: Database, user: ActingUser, labId: string): Promise<SandboxDTO | null> {
  const live = await listSandboxes(db, user);
  return live.find((sandbox) => sandbox.labId === labId) ?? null;
}

export type FileApplyResult =
  | { path: string; ok: true; results: ObjectResult[] }
  | { path: string; ok: false; error: string; results?: ObjectResult[] };

export type ApplyLabResult = { ok: true; files: FileApplyResult[] } | { ok: false; error: string };

/** Applies every `apply: true` file of the lab, as saved, to the learner's sandbox, as the learner. */
export async function applyLabFiles(
  db: Database,
  user: ActingUser,
  labId: string,
  deps: SandboxDeps = {},
): Promise<ApplyLabResult> {
  const lab = getLab(labId);
  if (!lab) return { ok: false, error: "This lab does not exist." };
  if (!lab.sandbox) return { ok: false, error: "This lab has no sandbox: there is nothing to apply." };
  const sandbox = await sandboxForLab(db, user, lab.id);
  if (!sandbox) return { ok: false, error: "Start your lab environment first, then apply." };
  const files = await currentFiles(db, user.id, lab);
  const out: FileApplyResult[] = [];
  for (const file of lab.files.filter((f) => f.apply)) {
    const text = files[file.path] ?? "";
    if (!text.trim()) {
      out.push({ path: file.path, ok: false, error: "The file is empty: nothing to apply." });
      continue;
    }
    const result = await applyLearnerManifests(db, user, sandbox.id, text, deps);
    if (result.ok) out.push({ path: file.path, ok: true, results: result.results });
    else if (result.code === "cluster-unreachable" || result.code === "not-ready" || result.code === "not-found") {
      return { ok: false, error: result.error };
    } else out.push({ path: file.path, ok: false, error: result.error });
  }
  return { ok: true, files: out };
}
