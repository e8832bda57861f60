import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { MdxContent } from "@/app/_components/mdx/mdx-content";
import { getOverview } from "@/lib/content/catalogue";

export async function generateMetadata(): Promise<Metadata> {
  const page = await getOverview();
  return page ? { title: page.overview.title, description: page.overview.summary } : {};
}

export default async function OverviewPage() {
  const page = await getOverview();
  if (!page) notFound();
  return (
    <article className="lesson-body stack">
      <nav aria-label="Breadcrumb" className="breadcrumbs">
        <Link href="/learn">Curriculum</Link> / Overview
      </nav>
      <h1>{page.overview.title}</h1>
      <p className="lead">{page.overview.summary}</p>
      <MdxContent code={page.code} />
    </article>
  );
}
