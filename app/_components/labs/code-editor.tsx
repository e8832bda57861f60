"use client";

import Editor, { loader, type OnMount } from "@monaco-editor/react";
import { useEffect, useRef, useSyncExternalStore } from "react";

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
  replacement,
  readOnly,
  label,
  onChange,
  onPaste,
}: {
  path: string;
  language: string;
  value: string;
  /** Changes when `value` was replaced from outside the editor and must be shown. */
  replacement: number;
  readOnly: boolean;
  label: string;
  onChange: (value: string) => void;
  /** Told the size of each paste (characters), never its text: an assessment records large ones. */
  onPaste?: (chars: number) => void;
}) {
  const theme = useSyncExternalStore(subscribeTheme, editorTheme, () => "vs" as const);
  // The editor owns the text while the learner types: `value` only seeds a file's model, and
  // reaches it again only when `replacement` changes (reset to starter, a restored revision).
  // Passing `value` back on every render (a controlled editor) loses keystrokes: a render, or its
  // effect, that runs a keystroke late writes the older text over what was typed meanwhile.
  const editorRef = useRef<Parameters<OnMount>[0] | null>(null);
  const applied = useRef(replacement);
  // The editor's paste listener is registered once at mount; it calls whatever handler is current.
  const pasteRef = useRef(onPaste);
  useEffect(() => {
    pasteRef.current = onPaste;
  }, [onPaste]);
  useEffect(() => {
    const editor = editorRef.current;
    const model = editor?.getModel();
    if (!editor || !model || replacement === applied.current) return;
    applied.current = replacement;
    if (model.getValue() === value) return;
    if (readOnly) {
      model.setValue(value);
      return;
    }
    // As an edit, so Undo brings the learner's text back.
    editor.executeEdits("academy", [{ range: model.getFullModelRange(), text: value, forceMoveMarkers: true }]);
    editor.pushUndoStop();
  }, [replacement, value, readOnly]);
  return (
    <div className="code-editor" data-testid="code-editor">
      <Editor
        path={path}
        language={language}
        defaultValue={value}
        theme={theme}
        height="100%"
        onMount={(editor) => {
          editorRef.current = editor;
          editor.onDidPaste((event) => {
            const chars = editor.getModel()?.getValueInRange(event.range).length ?? 0;
            if (chars > 0) pasteRef.current?.(chars);
          });
        }}
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
