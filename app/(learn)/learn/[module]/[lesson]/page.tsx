import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { InlineText } from "@/app/_components/inline-text";
import { LessonCompletion } from "@/app/_components/learn/lesson-completion";
import { LessonQuiz } from "@/app/_components/learn/lesson-quiz";
import { LessonStateProvider } from "@/app/_components/learn/lesson-state";
import { MdxContent } from "@/app/_components/mdx/mdx-content";
import { allLessonParams, getLesson } from "@/lib/content/catalogue";
import { labsForModule } from "@/lib/labs/registry";

type Params = { params: Promise<{ module: string; lesson: string }> };

// Every lesson is compiled at build time; an unknown address is a 404, not a compile attempt.
export const dynamicParams = false;

export function generateStaticParams() {
  return allLessonParams();
}

export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const { module, lesson } = await params;
  const page = await getLesson(module, lesson);
  return page ? { title: page.lesson.title, description: page.lesson.summary } : {};
}

export default async function LessonPage({ params }: Params) {
  const { module: moduleSlug, lesson: lessonSlug } = await params;
  const page = await getLesson(moduleSlug, lessonSlug);
  if (!page) notFound();
  const { lesson, module, toc } = page;
  const labs = labsForModule(module.slug);
  return (
    <LessonStateProvider lessonId={lesson.id}>
      <div className="lesson-layout">
        <article className="lesson-body stack">
          <nav aria-label="Breadcrumb" className="breadcrumbs">
            <Link href="/learn">Curriculum</Link> / <Link href={module.href}>{module.title}</Link>
          </nav>
          <header className="stack-tight">
            <h1>{lesson.title}</h1>
            <p className="lead">{lesson.summary}</p>
            <p className="small muted">
              Lesson {lesson.order} of {module.title} · about {lesson.minutes} minutes
            </p>
          </header>
          <section className="card objectives" aria-labelledby="objectives-heading">
            <h2 id="objectives-heading" className="h-small">
              After this lesson you can
            </h2>
            <ul>
              {lesson.objectives.map((objective) => (
                <li key={objective}>
                  <InlineText text={objective} />
                </li>
              ))}
            </ul>
            {lesson.prerequisites.length > 0 ? (
              <p className="small">
                Builds on:{" "}
                {lesson.prerequisites.map((p, i) => (
                  <span key={p.id}>
                    {i > 0 ? ", " : null}
                    <Link href={p.href}>{p.title}</Link>
                  </span>
                ))}
              </p>
            ) : null}
          </section>
          <MdxContent code={page.code} quiz={<LessonQuiz questions={page.quiz} />} />
          <LessonCompletion />
          {labs.length > 0 ? (
            <section className="card stack-tight" aria-labelledby="practise-heading">
              <h2 id="practise-heading" className="h-small">
                Practise it in a lab
              </h2>
              <ul>
                {labs.map((lab) => (
                  <li key={lab.id}>
                    <Link href={`/labs/${lab.id}`}>{lab.title}</Link> — {lab.summary}
                  </li>
                ))}
              </ul>
            </section>
          ) : null}
          <nav aria-label="Lessons" className="lesson-nav">
            {page.prev ? (
              <Link href={page.prev.href} rel="prev">
                ← {page.prev.title}
              </Link>
            ) : (
              <span />
            )}
            {page.next ? (
              <Link href={page.next.href} rel="next">
                {page.next.title} →
              </Link>
            ) : (
              <Link href="/learn">Back to the curriculum</Link>
            )}
          </nav>
        </article>
        <aside className="lesson-aside" aria-label="On this page">
          <h2 className="h-small">On this page</h2>
          <ol>
            {toc
              .filter((entry) => entry.depth === 2)
              .map((entry) => (
                <li key={entry.id}>
                  <a href={`#${entry.id}`}>{entry.text}</a>
                </li>
              ))}
          </ol>
        </aside>
      </div>
    </LessonStateProvider>
  );
}
