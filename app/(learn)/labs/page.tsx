import type { Metadata } from "next";
import Link from "next/link";
import { getCurrentUser } from "@/lib/auth/session";
import { getCatalogue } from "@/lib/content/catalogue";
import { getDb } from "@/lib/db";
import { completedLabIds } from "@/lib/grading/attempts";
import { listLabs } from "@/lib/labs/registry";

export const metadata: Metadata = { title: "Labs" };
export const dynamic = "force-dynamic";

export default async function LabsPage() {
  const user = await getCurrentUser();
  const done = new Set(user ? await completedLabIds(await getDb(), user) : []);
  const labs = listLabs();
  const modules = getCatalogue().modules.filter((m) => labs.some((l) => l.module === m.slug));
  return (
    <section className="stack">
      <h1>Labs</h1>
      <p className="lead">
        Hands-on work, graded on the server with an explanation for every check that fails.
        {user ? null : (
          <>
            {" "}
            <Link href="/signin?callbackUrl=%2Flabs">Sign in</Link> to start one.
          </>
        )}
      </p>
      {modules.map((m) => (
        <section key={m.slug} aria-labelledby={`labs-${m.slug}`} className="stack-tight">
          <h2 id={`labs-${m.slug}`}>{m.title}</h2>
          <ul className="grid module-grid">
            {labs
              .filter((lab) => lab.module === m.slug)
              .map((lab) => (
                <li key={lab.id} className="card stack-tight">
                  <h3 className="h-small">
                    <Link href={`/labs/${lab.id}`}>{lab.title}</Link>
                  </h3>
                  <p className="small">{lab.summary}</p>
                  <p className="small muted">
                    {lab.difficulty} · {lab.minutes} min · {lab.sandbox ? "Kubernetes sandbox" : "no cluster needed"}
                    {done.has(lab.id) ? (
                      <>
                        {" "}
                        · <span className="badge badge-ok">Completed</span>
                      </>
                    ) : null}
                  </p>
                </li>
              ))}
          </ul>
        </section>
      ))}
    </section>
  );
}
