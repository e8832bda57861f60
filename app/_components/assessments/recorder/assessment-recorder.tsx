"use client";

// The recorder on the assessment's own page (no lab): focus changes only. The lab pages record
// through AssessmentLabRoom, which also hands the editor's pastes to it.
import { LabRoom } from "@/app/_components/labs/lab-room";
import { useAssessmentRecorder } from "./use-assessment-recorder";

export function AssessmentRecorder() {
  useAssessmentRecorder(null);
  return null;
}

export function AssessmentLabRoom(props: Omit<Parameters<typeof LabRoom>[0], "onPaste">) {
  const recorder = useAssessmentRecorder(props.labId);
  return <LabRoom {...props} onPaste={recorder.paste} />;
}
