import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { CompletedLessonsProvider, DoneMark, ModuleProgress } from "@/app/_components/learn/module-progress";
import { MdxContent } from "@/app/_components/mdx/mdx-content";
import { allModuleParams, getModule } from "@/lib/content/catalogue";
import { labsForModule } from "@/lib/labs/registry";
import { labItemId, moduleItemIds } from "@/lib/progress/items";

type Params = { params: Promise<{ module: string }> };

export const dynamicParams = false;

export function generateStaticParams() {
  return allModuleParams();
}

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const page = await getModule((await params).module);
  return page ? { title: page.module.title, description: page.module.summary } : {};
}

export default async function ModulePage({ params }: Params) {
  const page = await getModule((await params).module);
  if (!page) notFound();
  const { module } = page;
  const labs = labsForModule(module.slug);
  return (
    <CompletedLessonsProvider>
      <article className="stack lesson-body">
        <nav aria-label="Breadcrumb" className="breadcrumbs">
          <Link href="/learn">Curriculum</Link> / {module.title}
        </nav>
        <h1>{module.title}</h1>
        <p className="lead">{module.summary}</p>
        <ModuleProgress itemIds={moduleItemIds(module)} label={module.title} />
        <MdxContent code={page.code} />
        <h2>Lessons</h2>
        <ol className="lesson-list">
          {module.lessons.map((lesson) => (
            <li key={lesson.id}>
              <div>
                <Link href={lesson.href}>
                  {lesson.order}. {lesson.title}
                </Link>
                <p className="small muted">{lesson.summary}</p>
              </div>
              <div className="lesson-list-meta">
                <DoneMark itemId={lesson.id} />
                <span className="small muted">{lesson.minutes} min</span>
              </div>
            </li>
          ))}
        </ol>
        {labs.length > 0 ? (
          <>
            <h2>Labs</h2>
            <ul className="lesson-list">
              {labs.map((lab) => (
                <li key={lab.id}>
                  <div>
                    <Link href={`/labs/${lab.id}`}>{lab.title}</Link>
                    <p className="small muted">{lab.summary}</p>
                  </div>
                  <div className="lesson-list-meta">
                    <DoneMark itemId={labItemId(lab.id)} />
                    <span className="small muted">{lab.minutes} min</span>
                  </div>
                </li>
              ))}
            </ul>
          </>
        ) : null}
      </article>
    </CompletedLessonsProvider>
  );
}
