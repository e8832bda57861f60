import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import path from "node:path";
import { LabRoom, type AvailabilityView } from "@/app/_components/labs/lab-room";
import { MdxContent } from "@/app/_components/mdx/mdx-content";
import { requireUser } from "@/lib/auth/session";
import { getCatalogue } from "@/lib/content/catalogue";
import { compileMdx } from "@/lib/content/compile";
import { lastBuiltImage } from "@/lib/builds/queue";
import { getDb } from "@/lib/db";
import { env } from "@/lib/env";
import { listAttempts } from "@/lib/grading/attempts";
import { availabilityFor, clusterAvailability } from "@/lib/k8s/availability";
import { listLabFiles } from "@/lib/labs/files";
import { getLab, publicChecks, starterFiles } from "@/lib/labs/registry";
import { labSandbox } from "@/lib/workspace";
import { attemptView, sandboxView } from "@/lib/workspace/views";

type Params = { params: Promise<{ labId: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const lab = getLab((await params).labId);
  return lab ? { title: lab.title, description: lab.summary } : {};
}

export default async function LabPage({ params }: Params) {
  const lab = getLab((await params).labId);
  if (!lab) notFound();
  const user = await requireUser(`/labs/${lab.id}`);
  const db = await getDb();
  const [files, sandbox, attempts, instructions, availability, lastImage] = await Promise.all([
    listLabFiles(db, user, lab.id),
    lab.sandbox ? labSandbox(db, user, lab.id) : Promise.resolve(null),
    listAttempts(db, user, lab.id),
    compileMdx(lab.body, { file: lab.file, cacheDir: path.join(env.ACADEMY_DATA_DIR, "cache", "mdx") }),
    lab.sandbox ? clusterAvailability({ needsRealNode: lab.workloads === "real" }) : Promise.resolve({ state: "ready" as const, server: "" }),
    lab.build ? lastBuiltImage(db, user, lab.id) : Promise.resolve(null),
  ]);
  // The only failure is "no such lab", which getLab above has already ruled out.
  if (!Array.isArray(files)) notFound();
  const starter = starterFiles(lab);
  const moduleMeta = getCatalogue().modules.find((m) => m.slug === lab.module);
  // An admin sees what is wrong with the cluster and how to fix it; a learner words and a request id.
  const availabilityView: AvailabilityView = availabilityFor(availability, user);

  return (
    <div className="lab-layout">
      <article className="lab-instructions stack">
        <nav aria-label="Breadcrumb" className="breadcrumbs">
          <Link href="/labs">Labs</Link>
          {moduleMeta ? (
            <>
              {" "}/ <Link href={moduleMeta.href}>{moduleMeta.title}</Link>
            </>
          ) : null}
        </nav>
        <h1>{lab.title}</h1>
        <p className="lead">{lab.summary}</p>
        <p className="small muted">
          {lab.difficulty} · about {lab.minutes} minutes · {lab.checks.length} checks, {lab.totalPoints} points
          {lab.sandbox ? ` · ${lab.sandbox} sandbox` : " · no cluster needed"}
          {lab.workloads === "real" ? " · your containers really run" : ""}
        </p>
        <MdxContent code={instructions.code} />
      </article>
      <LabRoom
        labId={lab.id}
        files={files.map((f) => ({
          path: f.path,
          language: f.language,
          readonly: f.readonly,
          apply: f.apply,
          content: f.content,
          starter: starter[f.path] ?? "",
          revision: f.revision,
        }))}
        hasSandbox={Boolean(lab.sandbox)}
        availability={availabilityView}
        initialSandbox={sandbox ? sandboxView(sandbox) : null}
        checks={publicChecks(lab)}
        initialAttempts={attempts.map(attemptView)}
        buildsImage={lab.build !== null}
        lastImage={lastImage}
      />
    </div>
  );
}
