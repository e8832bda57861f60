// The one rule for a lab file path, wherever one is named: in lab.mdx `files`, in a check's
// params, in a learner's save. Plain relative paths that stay inside the lab.
import { z } from "zod";

const SEGMENT = /^[A-Za-z0-9_.-]+$/;

/** Why a lab file path is not acceptable, or null. */
export function labPathProblem(path: string): string | null {
  if (typeof path !== "string" || path.length === 0) return "the path is empty";
  if (path.length > 200) return "the path is longer than 200 characters";
  if (path.startsWith("/") || /^[A-Za-z]:/.test(path)) return "the path is absolute; use a path inside the lab, like `k8s/deployment.yaml`";
  if (path.includes("\\")) return "the path uses backslashes; use `/`";
  const segments = path.split("/");
  if (segments.includes("..")) return "the path contains `..`; it must stay inside the lab";
  if (segments.some((s) => s === "" || s === ".")) return "the path has an empty or `.` segment";
  if (segments.some((s) => !SEGMENT.test(s))) return "the path may only use letters, digits, `.`, `_`, `-` and `/`";
  if (segments.length > 6) return "the path is nested too deeply";
  return null;
}

export const LabPathSchema = z.string().superRefine((p, ctx) => {
  const problem = labPathProblem(p);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});
