import Link from "next/link";

export default function NotFound() {
  return (
    <section className="stack">
      <h1>Page not found</h1>
      <p>There is no page at this address. It may have moved, or the link may be mistyped.</p>
      <p>
        <Link href="/learn">Browse the curriculum</Link> or go to the <Link href="/">home page</Link>.
      </p>
    </section>
  );
}
