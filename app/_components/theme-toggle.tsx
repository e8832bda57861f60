"use client";

import { useSyncExternalStore } from "react";

type Theme = "light" | "dark";

function currentTheme(): Theme {
  return document.documentElement.dataset.theme === "dark" ? "dark" : "light";
}

const listeners = new Set<() => void>();

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function ThemeToggle() {
  // The theme lives on <html data-theme> (set before first paint by themeScript); null on the server.
  const theme = useSyncExternalStore<Theme | null>(subscribe, currentTheme, () => null);

  function toggle() {
    const next: Theme = currentTheme() === "dark" ? "light" : "dark";
    document.documentElement.dataset.theme = next;
    localStorage.setItem("academy-theme", next);
    listeners.forEach((listener) => listener());
  }

  return (
    <button type="button" className="button button-quiet" onClick={toggle} aria-pressed={theme === "dark"}>
      {theme === "dark" ? "Light mode" : "Dark mode"}
    </button>
  );
}
