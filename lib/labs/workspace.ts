// TEMPORARY, to be deleted at merge: the lab workspace facade moved to lib/workspace, and the apply
// action's result (with "signed out") is ApplyActionResult in app/(learn)/labs/[labId]/actions.ts.
// Only app/_components/labs/lab-room.tsx (being split on another branch) still imports this type
// from here, and also stores its own code-less failures in it ("could not save", "lost the
// connection"); lib/labs itself must not depend on lib/workspace.
import type { ApplyLabResult as FacadeApplyLabResult } from "@/lib/workspace";

export type ApplyLabResult = FacadeApplyLabResult | { ok: false; code?: string; error: string };
