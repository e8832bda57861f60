// Where a lab's terminal runs: the learner's running lab environment (checked before the upgrade)
// and the workspace pod in it, which the workspace facade (lib/workspace `labWorkspace`) starts on demand.
import "server-only";
import { assessmentGate, type AssessmentGateFailure } from "@/lib/assessments/gate";
import type { ActingUser } from "@/lib/auth/acting-user";
import type { Database } from "@/lib/db/client";
import { failure, type Failure } from "@/lib/result";
import { labSandbox, labWorkspace } from "@/lib/workspace";
import type { WorkspaceTarget } from "./server";

/** The workspace pod's names (lib/workspace builds it; the terminal only looks it up). */
export const WORKSPACE_POD = { name: "workspace", container: "shell", componentLabel: { "academy.dev/component": "workspace" } } as const;

/** The namespace of the user's ready lab environment for the lab: the server's ownership check. */
export async function labNamespace(
  db: Database,
  user: ActingUser,
  labId: string,
): Promise<{ ok: true; namespace: string } | Failure<"no-sandbox" | "not-ready"> | AssessmentGateFailure> {
  // An assessment candidate's terminal opens only on its own labs and before the deadline.
  const gate = await assessmentGate(db, user, labId);
  if (!gate.ok) return gate;
  const sandbox = await labSandbox(db, user, labId);
  if (!sandbox) return failure("no-sandbox", "You have no lab environment running for this lab. Start it first; the terminal runs inside it.");
  if (sandbox.state !== "ready") return failure("not-ready", "Your lab environment is still starting. Open the terminal when it is ready.");
  return { ok: true, namespace: sandbox.namespace };
}

/**
 * The workspace pod of the user's lab environment, started (and seeded with the lab files) when it
 * is not running yet: lib/workspace `labWorkspace`, which checks ownership and its rate limit.
 */
export async function workspaceTarget(db: Database, user: ActingUser, labId: string, onProgress?: (message: string) => void): Promise<WorkspaceTarget | Failure> {
  const found = await labWorkspace(db, user, labId, {}, { onProgress });
  if (!found.ok) return found;
  return { ok: true, namespace: found.namespace, pod: found.pod, container: found.container };
}
