import type { Metadata } from "next";
import Link from "next/link";
import { requireUser } from "@/lib/auth/session";
import { getCatalogue } from "@/lib/content/catalogue";
import { getDb } from "@/lib/db";
import { listLessonStates, nextLessonFor, recentQuizAttempts } from "@/lib/progress/progress";

export const metadata: Metadata = { title: "Dashboard" };

export default async function DashboardPage() {
  const user = await requireUser("/dashboard");
  const db = await getDb();
  const [states, attempts] = await Promise.all([listLessonStates(db, user.id), recentQuizAttempts(db, user.id)]);
  const { modules } = getCatalogue();
  const lessons = new Map(modules.flatMap((m) => m.lessons.map((l) => [l.id, l] as const)));
  const completed = new Set(states.filter((s) => s.completedAt).map((s) => s.lessonId));
  const nextId = nextLessonFor(states, [...lessons.keys()]);
  const next = nextId ? lessons.get(nextId) : undefined;
  const started = states.some((s) => lessons.has(s.lessonId));

  return (
    <div className="stack">
      <h1>Welcome{started ? " back" : ""}, {user.name}</h1>
      <section className="card stack-tight" aria-labelledby="continue-heading">
        <h2 id="continue-heading" className="h-small">
          {started ? "Continue where you left off" : "Start learning"}
        </h2>
        {next ? (
          <p>
            <Link href={next.href} className="button" data-testid="continue-link">
              {next.title}
            </Link>{" "}
            <span className="muted small">in {modules.find((m) => m.slug === next.moduleSlug)?.title}</span>
          </p>
        ) : (
          <p>You have completed every lesson. Well done.</p>
        )}
      </section>
      <section aria-labelledby="progress-heading" className="stack">
        <h2 id="progress-heading">Your progress</h2>
        <ul className="grid module-grid">
          {modules.map((m) => {
            const done = m.lessons.filter((l) => completed.has(l.id)).length;
            const percent = m.lessons.length ? Math.round((done / m.lessons.length) * 100) : 0;
            return (
              <li key={m.slug} className="card stack-tight" data-testid={`progress-${m.slug}`}>
                <h3 className="h-small">
                  <Link href={m.href}>{m.title}</Link>
                </h3>
                <div className="progress" role="progressbar" aria-label={`${m.title} progress`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
                  <span style={{ width: `${percent}%` }} />
                </div>
                <p className="small muted">
                  {done} of {m.lessons.length} lessons complete
                </p>
              </li>
            );
          })}
        </ul>
      </section>
      {attempts.length > 0 ? (
        <section aria-labelledby="quiz-heading" className="stack">
          <h2 id="quiz-heading">Recent quiz results</h2>
          <ul>
            {attempts.map((a) => {
              const lesson = lessons.get(a.lessonId);
              return (
                <li key={`${a.lessonId}-${a.createdAt.toISOString()}`}>
                  {lesson ? <Link href={lesson.href}>{lesson.title}</Link> : a.lessonId}: {a.score} of {a.total}{" "}
                  <span className="muted small">({a.createdAt.toISOString().slice(0, 16).replace("T", " ")} UTC)</span>
                </li>
              );
            })}
          </ul>
        </section>
      ) : null}
    </div>
  );
}
