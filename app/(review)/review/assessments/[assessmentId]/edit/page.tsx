import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { AssessmentBuilder } from "@/app/_components/assessments/assessment-builder";
import { assessmentLabOptions, getAssessment } from "@/lib/assessments/assessments";
import { requireRole } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { NoOrganisation } from "../../../no-organisation";

export const metadata: Metadata = { title: "Edit assessment" };

export default async function EditAssessmentPage({ params }: { params: Promise<{ assessmentId: string }> }) {
  const { assessmentId } = await params;
  const reviewer = await requireRole(`/review/assessments/${assessmentId}/edit`, "reviewer");
  const result = await getAssessment(await getDb(), reviewer, assessmentId);
  if (!result.ok) {
    if (result.code === "not-found") notFound();
    return <NoOrganisation message={result.error} />;
  }
  const { assessment } = result;
  const s = assessment.current.settings;
  return (
    <section className="stack">
      <p className="breadcrumbs">
        <Link href="/review">Assessments</Link> / <Link href={`/review/assessments/${assessment.id}`}>{assessment.title}</Link> / Edit
      </p>
      <h1>Edit {assessment.title}</h1>
      <p className="muted">Version {assessment.current.number}.</p>
      <AssessmentBuilder
        assessmentId={assessment.id}
        hasCandidates={assessment.current.candidates > 0}
        labOptions={assessmentLabOptions()}
        initial={{
          title: s.title,
          introduction: s.introduction,
          labs: s.labs.map((l) => ({ labId: l.labId, weight: l.weight })),
          timeLimitMinutes: s.timeLimitMinutes,
          passMarkPercent: s.passMarkPercent,
          showResults: s.showResults,
          showHints: s.showHints,
          inviteValidityDays: s.inviteValidityDays,
        }}
      />
    </section>
  );
}
