import type { ReactNode } from "react";

/** `<Figure caption="…">`: a diagram, table or image with its caption. */
export function Figure({ caption, children }: { caption?: string; children?: ReactNode }) {
  return (
    <figure className="figure">
      <div className="figure-body">{children}</div>
      {caption ? <figcaption>{caption}</figcaption> : null}
    </figure>
  );
}
