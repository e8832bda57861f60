import type { ReactNode } from "react";

/**
 * `<Figure caption="…">`: a diagram, table or image with its caption. Its body scrolls sideways
 * when it is wider than the screen, so it takes keyboard focus (as code blocks do) and is named by
 * its caption for screen readers.
 */
export function Figure({ caption, children }: { caption?: string; children?: ReactNode }) {
  return (
    <figure className="figure">
      <div className="figure-body" tabIndex={0} role="region" aria-label={caption ?? "Figure"}>
        {children}
      </div>
      {caption ? <figcaption>{caption}</figcaption> : null}
    </figure>
  );
}
