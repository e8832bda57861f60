import Link from "next/link";

export default function Forbidden() {
  return (
    <section className="stack">
      <h1>You don&apos;t have access to this page</h1>
      <p>Your account&apos;s role does not allow this. If you think it should, ask an administrator.</p>
      <p>
        <Link href="/dashboard">Go to your dashboard</Link>
      </p>
    </section>
  );
}
