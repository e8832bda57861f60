import Link from "next/link";
import { getCatalogue } from "@/lib/content/catalogue";

export default function HomePage() {
  const { modules, overview } = getCatalogue();
  const lessons = modules.reduce((n, m) => n + m.lessons.length, 0);
  return (
    <div className="stack">
      <section className="hero stack">
        <h1>From model builder to ML engineer</h1>
        <p className="lead">
          Most models never reach production because the skills underneath them — Linux, containers, Kubernetes, web
          APIs, testing — were never taught. Academy teaches them hands-on, to data scientists and software engineers.
        </p>
        <p style={{ display: "flex", gap: "0.8rem", flexWrap: "wrap" }}>
          <Link className="button" href="/learn">
            Browse the curriculum
          </Link>
          {overview ? (
            <Link className="button button-quiet" href={overview.href}>
              Why the Y-shaped engineer?
            </Link>
          ) : null}
        </p>
      </section>
      <section aria-labelledby="modules-heading" className="stack">
        <h2 id="modules-heading">
          {modules.length} modules, {lessons} lessons
        </h2>
        <ul className="grid module-grid">
          {modules.map((m) => (
            <li key={m.slug} className="card">
              <h3>
                <Link href={m.href}>{m.title}</Link>
              </h3>
              <p className="small">{m.summary}</p>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
