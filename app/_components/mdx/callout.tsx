import type { ReactNode } from "react";

export type CalloutType = "note" | "tip" | "warning" | "danger";

const LABELS: Record<CalloutType, string> = { note: "Note", tip: "Tip", warning: "Warning", danger: "Danger" };
const ICONS: Record<CalloutType, string> = { note: "i", tip: "✓", warning: "!", danger: "✕" };

function isCalloutType(type: unknown): type is CalloutType {
  return typeof type === "string" && type in LABELS;
}

/** `<Callout type="note|tip|warning|danger" title="…">`: an aside the reader can skip or heed. */
export function Callout({ type, title, children }: { type?: CalloutType; title?: string; children?: ReactNode }) {
  // content:check rejects unknown types; a page still renders if one slips through.
  const kind = isCalloutType(type) ? type : "note";
  const label = LABELS[kind];
  return (
    <aside className={`callout callout-${kind}`} role="note" aria-label={title ? `${label}: ${title}` : label}>
      <p className="callout-title">
        <span className="callout-icon" aria-hidden="true">
          {ICONS[kind]}
        </span>
        <strong>{title ?? label}</strong>
      </p>
      <div className="callout-body">{children}</div>
    </aside>
  );
}
