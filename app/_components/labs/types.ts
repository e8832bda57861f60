// The props the lab page hands to the lab room, shared by the room's components and hooks.
import type { AttemptView } from "@/lib/workspace/views";

export type LabFileView = {
  path: string;
  language: string;
  readonly: boolean;
  apply: boolean;
  content: string;
  starter: string;
  revision: number;
};

/** Whether lab environments can be had right now; "starting" while the local control plane starts or builds. */
export type AvailabilityView =
  | { state: "ready" }
  | { state: "starting"; detail: string }
  | { state: "unavailable"; reason: string; howToFix: string[] };

/** A check as the learner sees it before it has run. */
export type CheckSummary = { id: string; title: string; points: number };

export type CheckResult = AttemptView["results"][number];
