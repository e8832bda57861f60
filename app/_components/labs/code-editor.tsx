"use client";

import Editor, { loader } from "@monaco-editor/react";
import { useSyncExternalStore } from "react";

// Monaco is served from this site (public/monaco, copied from node_modules at build time), not a CDN.
loader.config({ paths: { vs: "/monaco/vs" } });

function subscribeTheme(onChange: () => void): () => void {
  const observer = new MutationObserver(onChange);
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
  return () => observer.disconnect();
}

function editorTheme(): "vs" | "vs-dark" {
  return document.documentElement.dataset.theme === "dark" ? "vs-dark" : "vs";
}

export function CodeEditor({
  path,
  language,
  value,
  readOnly,
  label,
  onChange,
}: {
  path: string;
  language: string;
  value: string;
  readOnly: boolean;
  label: string;
  onChange: (value: string) => void;
}) {
  const theme = useSyncExternalStore(subscribeTheme, editorTheme, () => "vs" as const);
  return (
    <div className="code-editor" data-testid="code-editor">
      <Editor
        path={path}
        language={language}
        value={value}
        theme={theme}
        height="100%"
        onChange={(next) => onChange(next ?? "")}
        loading={<p className="muted">Loading the editor…</p>}
        options={{
          readOnly,
          ariaLabel: label,
          minimap: { enabled: false },
          fontSize: 14,
          tabSize: 2,
          insertSpaces: true,
          wordWrap: "on",
          scrollBeyondLastLine: false,
          automaticLayout: true,
          renderWhitespace: "boundary",
        }}
      />
    </div>
  );
}
