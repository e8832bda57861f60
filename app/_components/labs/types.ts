// The props the lab page hands to the lab room, shared by the room's components and hooks.
import type { AttemptView } from "@/lib/workspace/views";

/** Whether lab environments can be had right now, as this viewer may see it (lib/k8s/availability.ts). */
export type { AvailabilityView } from "@/lib/k8s/availability";

export type LabFileView = {
  path: string;
  language: string;
  readonly: boolean;
  apply: boolean;
  content: string;
  starter: string;
  revision: number;
};

/** A check as the learner sees it before it has run. */
export type CheckSummary = { id: string; title: string; points: number };

export type CheckResult = AttemptView["results"][number];

/** A check that waits for a condition while grading runs (lib/grading/waiting.ts). */
export type { CheckWaiting as CheckWaitingView } from "@/lib/grading/waiting";
