// TEMPORARY re-export, to be deleted at merge: these types moved to lib/workspace/views.ts.
// Only app/_components/labs/lab-room.tsx (being split on another branch) still imports them from
// here; lib/labs itself must not depend on lib/workspace.
export type { AttemptView, CheckEvent, SandboxEvent, SandboxView } from "@/lib/workspace/views";
