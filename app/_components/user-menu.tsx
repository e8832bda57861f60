"use client";

import Link from "next/link";
import { signOut, useSession } from "next-auth/react";
import { useEffect, useRef, type ReactNode } from "react";
import { signOutEverywhereAction } from "@/app/(auth)/actions";
import { hasRole } from "@/lib/auth/authorize";
import type { Role } from "@/lib/db/schema";

async function signOutEverywhere() {
  // Ends the sessions on every device first, then this browser's cookie.
  await signOutEverywhereAction();
  await signOut({ callbackUrl: "/" });
}

/** The course's links in the site header, except for an assessment candidate (no links out of the assessment). */
export function CourseLinks() {
  const { data } = useSession();
  if ((data as { role?: Role } | null)?.role === "candidate") return null;
  return (
    <>
      <Link href="/learn">Curriculum</Link>
      <Link href="/labs">Labs</Link>
    </>
  );
}

/**
 * A disclosure in the header (details/summary, so the keyboard and screen readers know it): it
 * closes on a click outside, on Escape and when one of its links is followed.
 */
function HeaderMenu({ label, testId, children }: { label: ReactNode; testId?: string; children: ReactNode }) {
  const menu = useRef<HTMLDetailsElement | null>(null);
  useEffect(() => {
    const close = (event: Event) => {
      const details = menu.current;
      if (!details?.open) return;
      if (event instanceof KeyboardEvent ? event.key === "Escape" : !details.contains(event.target as Node)) details.open = false;
    };
    document.addEventListener("click", close);
    document.addEventListener("keydown", close);
    return () => {
      document.removeEventListener("click", close);
      document.removeEventListener("keydown", close);
    };
  }, []);
  return (
    <details ref={menu} className="header-menu">
      <summary data-testid={testId}>{label}</summary>
      <div
        className="header-menu-items"
        onClick={(event) => {
          if ((event.target as HTMLElement).closest("a") && menu.current) menu.current.open = false;
        }}
      >
        {children}
      </div>
    </details>
  );
}

export function UserMenu() {
  const { data, status } = useSession();
  if (status === "loading") return <span className="muted" aria-live="polite">…</span>;
  const user = (data as { user?: { name?: string | null }; role?: string } | null)?.user;
  // For showing links only: every page and action checks the role again on the server.
  const role = (data as { role?: Role } | null)?.role;
  const as = role ? { role } : null;
  if (!user) {
    return (
      <>
        <Link href="/signin">Sign in</Link>
        <Link href="/signup" className="button">
          Sign up
        </Link>
      </>
    );
  }
  // An assessment candidate (decision 017) has no pages outside the assessment: no links to them.
  if (role === "candidate") {
    return (
      <span className="muted" data-testid="signed-in-as">
        {user.name} · assessment
      </span>
    );
  }
  return (
    <>
      <Link href="/dashboard">Dashboard</Link>
      {hasRole(as, "instructor") ? <Link href="/instructor/labs">Insights</Link> : null}
      {hasRole(as, "reviewer") ? <Link href="/review">Assessments</Link> : null}
      {hasRole(as, "admin") ? (
        <HeaderMenu label="Admin">
          <Link href="/admin/users">Users</Link>
          <Link href="/admin/sandboxes">Sandboxes</Link>
          <Link href="/admin/organisations">Organisations</Link>
        </HeaderMenu>
      ) : null}
      <HeaderMenu label={<span data-testid="signed-in-as">{user.name}</span>}>
        <button type="button" className="button button-quiet" onClick={() => signOut({ callbackUrl: "/" })}>
          Sign out
        </button>
        <button type="button" className="button button-quiet" onClick={() => void signOutEverywhere()}>
          Sign out everywhere
        </button>
      </HeaderMenu>
    </>
  );
}
