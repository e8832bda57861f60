import type { Metadata } from "next";
import Link from "next/link";
import { requireUser } from "@/lib/auth/session";
import { getCatalogue } from "@/lib/content/catalogue";
import { getDb } from "@/lib/db";
import { labProgress } from "@/lib/grading/attempts";
import { getLab } from "@/lib/labs/registry";
import { labItemId, moduleItemIds } from "@/lib/progress/items";
import { listLessonStates, nextLessonFor, recentQuizAttempts } from "@/lib/progress/progress";

export const metadata: Metadata = { title: "Dashboard" };

export default async function DashboardPage() {
  const user = await requireUser("/dashboard");
  const db = await getDb();
  const [states, attempts, labs] = await Promise.all([
    listLessonStates(db, user.id),
    recentQuizAttempts(db, user.id),
    labProgress(db, user),
  ]);
  const { modules } = getCatalogue();
  const lessons = new Map(modules.flatMap((m) => m.lessons.map((l) => [l.id, l] as const)));
  const completed = new Set([
    ...states.filter((s) => s.completedAt).map((s) => s.lessonId),
    ...labs.filter((l) => l.completed).map((l) => labItemId(l.labId)),
  ]);
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
            const items = moduleItemIds(m);
            const done = items.filter((id) => completed.has(id)).length;
            const percent = items.length ? Math.round((done / items.length) * 100) : 0;
            return (
              <li key={m.slug} className="card stack-tight" data-testid={`progress-${m.slug}`}>
                <h3 className="h-small">
                  <Link href={m.href}>{m.title}</Link>
                </h3>
                <div className="progress" role="progressbar" aria-label={`${m.title} progress`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
                  <span style={{ width: `${percent}%` }} />
                </div>
                <p className="small muted">
                  {done} of {items.length} lessons and labs complete
                </p>
              </li>
            );
          })}
        </ul>
      </section>
      {labs.length > 0 ? (
        <section aria-labelledby="labs-heading" className="stack">
          <h2 id="labs-heading">Your labs</h2>
          <ul>
            {labs.map((l) => (
              <li key={l.labId}>
                <Link href={`/labs/${l.labId}`}>{getLab(l.labId)?.title ?? l.labId}</Link>: best {l.bestScore} of {l.maxScore} points
                {l.completed ? " — complete" : ""} <span className="muted small">({l.attempts} attempts)</span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
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
