import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { CompletedLessonsProvider, LessonDoneMark, ModuleProgress } from "@/app/_components/learn/module-progress";
import { MdxContent } from "@/app/_components/mdx/mdx-content";
import { allModuleParams, getModule } from "@/lib/content/catalogue";

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
  return (
    <CompletedLessonsProvider>
      <article className="stack lesson-body">
        <nav aria-label="Breadcrumb" className="breadcrumbs">
          <Link href="/learn">Curriculum</Link> / {module.title}
        </nav>
        <h1>{module.title}</h1>
        <p className="lead">{module.summary}</p>
        <ModuleProgress lessonIds={module.lessons.map((l) => l.id)} label={module.title} />
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
                <LessonDoneMark lessonId={lesson.id} />
                <span className="small muted">{lesson.minutes} min</span>
              </div>
            </li>
          ))}
        </ol>
      </article>
    </CompletedLessonsProvider>
  );
}
