"use client";

// Re-renders the page from the server every `intervalMs` while `active`, so a state that changes on
// the server (the local control plane finishing its start) shows without a reload. Client state
// (the editor's text, a running stream) is kept: router.refresh only replaces server-rendered props.
import { useRouter } from "next/navigation";
import { useEffect } from "react";

export function useRefreshWhile(active: boolean, intervalMs: number): void {
  const router = useRouter();
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => {
      // A background tab asks again when the learner comes back, not every few seconds meanwhile.
      if (document.visibilityState === "visible") router.refresh();
    }, intervalMs);
    return () => clearInterval(timer);
  }, [active, intervalMs, router]);
}
