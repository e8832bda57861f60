"use client";

import Link from "next/link";
import { signOut, useSession } from "next-auth/react";
import { signOutEverywhereAction } from "@/app/(auth)/actions";
import { hasRole } from "@/lib/auth/authorize";
import type { Role } from "@/lib/db/schema";

async function signOutEverywhere() {
  // Ends the sessions on every device first, then this browser's cookie.
  await signOutEverywhereAction();
  await signOut({ callbackUrl: "/" });
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
  return (
    <>
      <Link href="/dashboard">Dashboard</Link>
      {hasRole(as, "instructor") ? <Link href="/instructor/labs">Insights</Link> : null}
      {hasRole(as, "admin") ? (
        <>
          <Link href="/admin/users">Users</Link>
          <Link href="/admin/sandboxes">Sandboxes</Link>
        </>
      ) : null}
      <span className="muted" data-testid="signed-in-as">
        {user.name}
      </span>
      <button type="button" className="button button-quiet" onClick={() => signOut({ callbackUrl: "/" })}>
        Sign out
      </button>
      <button type="button" className="button button-quiet" onClick={() => void signOutEverywhere()}>
        Sign out everywhere
      </button>
    </>
  );
}
