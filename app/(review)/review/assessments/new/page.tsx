import type { Metadata } from "next";
import Link from "next/link";
import { AssessmentBuilder } from "@/app/_components/assessments/assessment-builder";
import { NEW_ASSESSMENT } from "@/app/_components/assessments/builder-values";
import { assessmentLabOptions } from "@/lib/assessments/assessments";
import { isScope, reviewerScope } from "@/lib/assessments/organisations";
import { requireRole } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { NoOrganisation } from "../../no-organisation";

export const metadata: Metadata = { title: "New assessment" };

export default async function NewAssessmentPage() {
  const reviewer = await requireRole("/review/assessments/new", "reviewer");
  const scope = await reviewerScope(await getDb(), reviewer);
  if (!isScope(scope)) return <NoOrganisation message={scope.error} />;
  return (
    <section className="stack">
      <p className="breadcrumbs">
        <Link href="/review">Assessments</Link> / New
      </p>
      <h1>New assessment</h1>
      <AssessmentBuilder initial={NEW_ASSESSMENT} labOptions={assessmentLabOptions()} hasCandidates={false} />
    </section>
  );
}
