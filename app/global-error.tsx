"use client";

export default function GlobalError({ error }: { error: Error & { digest?: string } }) {
  return (
    <html lang="en">
      <body style={{ fontFamily: "system-ui, sans-serif", padding: "2rem" }}>
        <h1>Academy could not show this page</h1>
        <p>Reload the page in a moment. If it keeps happening, tell the administrator.</p>
        {error.digest ? <p>Reference: <code>{error.digest}</code></p> : null}
      </body>
    </html>
  );
}
