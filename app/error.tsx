"use client";

import { useEffect } from "react";

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  return (
    <section className="stack" role="alert">
      <h1>Something went wrong</h1>
      <p>The page could not be shown. Your saved work is not affected.</p>
      {error.digest ? (
        <p className="muted small">
          Reference for the administrator: <code>{error.digest}</code>
        </p>
      ) : null}
      <button type="button" className="button" onClick={reset}>
        Try again
      </button>
    </section>
  );
}
