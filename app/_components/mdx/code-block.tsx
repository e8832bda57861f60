import type { ComponentProps } from "react";
import { CopyButton } from "./copy-button";
import { RunButton } from "./run-button";

type PreProps = ComponentProps<"pre"> & { "data-language"?: string; "data-title"?: string; "data-runnable"?: string };

const LANGUAGE_LABELS: Record<string, string> = {
  bash: "Bash",
  console: "Terminal",
  dockerfile: "Dockerfile",
  http: "HTTP",
  ini: "INI",
  json: "JSON",
  python: "Python",
  sql: "SQL",
  text: "Text",
  typescript: "TypeScript",
  yaml: "YAML",
};

/**
 * The `pre` of a fenced code block: a title bar (the fence's `title="…"`, or the language) with a
 * Copy button above the code, which the compiler has already highlighted, and for a block marked
 * `runnable` a "Run in terminal" button (shown only on a lab page with a terminal).
 */
export function CodeBlock({ children, "data-language": language, "data-title": title, "data-runnable": runnable, className, ...rest }: PreProps) {
  const isConsole = language === "console";
  const label = title ?? (language ? (LANGUAGE_LABELS[language] ?? language) : null);
  return (
    <div className={isConsole ? "code-block code-block-console" : "code-block"} data-language={language}>
      <div className="code-block-bar">
        {label ? <span className={title ? "code-block-title" : "code-block-language"}>{label}</span> : <span />}
        <span className="code-block-actions">
          {runnable === "true" ? <RunButton /> : null}
          <CopyButton kind={isConsole ? "commands" : "code"} />
        </span>
      </div>
      {/* Focusable so keyboard users can scroll long lines. */}
      <pre {...rest} className={className} tabIndex={0}>
        {children}
      </pre>
    </div>
  );
}
