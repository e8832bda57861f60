import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { LabRoom } from "@/app/_components/labs/lab-room";
import { LabSteps } from "@/app/_components/labs/lab-steps";
import { MdxContent } from "@/app/_components/mdx/mdx-content";
import { TerminalCommands } from "@/app/_components/mdx/terminal-commands";
import { requireUser } from "@/lib/auth/session";
import { getCatalogue } from "@/lib/content/catalogue";
import { getDb } from "@/lib/db";
import { getLab } from "@/lib/labs/registry";
import { labPageView } from "@/lib/workspace/lab-page";

type Params = { params: Promise<{ labId: string }> };

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const lab = getLab((await params).labId);
  return lab ? { title: lab.title, description: lab.summary } : {};
}

export default async function LabPage({ params }: Params) {
  const lab = getLab((await params).labId);
  if (!lab) notFound();
  const user = await requireUser(`/labs/${lab.id}`);
  // An admin sees what is wrong with the cluster and how to fix it; a learner words and a request id.
  const view = await labPageView(await getDb(), user, lab);
  if (!view) notFound();
  const moduleMeta = getCatalogue().modules.find((m) => m.slug === lab.module);

  return (
    <div className="lab-layout">
      {/* Runnable code blocks in the text send their commands to the lab room's terminal. */}
      <TerminalCommands hasTerminal={view.room.hasTerminal}>
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
            {lab.difficulty} · about {lab.minutes} minutes · {lab.steps.length ? `${lab.steps.length} steps, ` : ""}
            {lab.checks.length} checks, {lab.totalPoints} points
            {lab.sandbox ? ` · ${lab.sandbox} sandbox` : " · no cluster needed"}
            {lab.workloads === "real" ? " · your containers really run" : ""}
          </p>
          <MdxContent code={view.instructions} />
          <LabSteps steps={view.steps} />
        </article>
        <LabRoom {...view.room} />
      </TerminalCommands>
    </div>
  );
}
