import type { Metadata } from "next";
import Link from "next/link";
import { CompletedLessonsProvider, ModuleProgress } from "@/app/_components/learn/module-progress";
import { getCatalogue } from "@/lib/content/catalogue";
import { moduleItemIds } from "@/lib/progress/items";

export const metadata: Metadata = { title: "Curriculum" };

export default function CataloguePage() {
  const { overview, modules } = getCatalogue();
  return (
    <CompletedLessonsProvider>
      <section className="stack">
        <h1>Curriculum</h1>
        <p className="lead">
          Five modules on the skills under every model in production. Read a lesson, try the examples, check yourself
          with the quiz.
        </p>
        {overview ? (
          <p className="card">
            New here? Start with <Link href={overview.href}>{overview.title}</Link>: {overview.summary}
          </p>
        ) : null}
        <ol className="grid module-grid" aria-label="Modules">
          {modules.map((module) => (
            <li key={module.slug} className="card stack">
              <h2>
                <Link href={module.href}>
                  {module.order}. {module.title}
                </Link>
              </h2>
              <p>{module.summary}</p>
              <p className="small muted">
                {module.lessons.length} lessons · about {module.minutes} minutes
              </p>
              <ModuleProgress itemIds={moduleItemIds(module)} label={module.title} />
            </li>
          ))}
        </ol>
      </section>
    </CompletedLessonsProvider>
  );
}
