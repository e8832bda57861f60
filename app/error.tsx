"use client";

import { useEffect } from "react";

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  useEffect(() => {
    // The browser console only: the details stay on this learner's machine.
    console.error(error);
  }, [error]);
  return (
    <section className="stack" role="alert">
      <h1>Something went wrong</h1>
      <p>The page could not be shown. Your saved work is not affected. Try again in a moment.</p>
      {/* Never error.message: in production Next replaces it anyway, and in development it can name
          server files. The digest is what the server logged the error under (instrumentation.ts). */}
      {error.digest ? (
        <p className="muted small">
          If it keeps happening, tell your instructor the reference <code>{error.digest}</code>.
        </p>
      ) : null}
      <button type="button" className="button" onClick={reset}>
        Try again
      </button>
    </section>
  );
}
