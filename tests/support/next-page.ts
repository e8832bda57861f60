// For tests of server-rendered pages outside Next: the database and the signed-in user the page
// reads (`current`, set by the test), notFound() and requireRole's forbidden() as signals, and
// render(), which gives a page's HTML or the status it ended with. vi.mock is hoisted into the file
// that calls it, so each test file still names its mocks, with the module factories from here:
//
//   const { current, dbModule, navigationModule, render, sessionModule } = await vi.hoisted(() => import("@/tests/support/next-page"));
//   vi.mock("@/lib/db", dbModule);
//   vi.mock("@/lib/auth/session", sessionModule);
//   vi.mock("next/navigation", navigationModule);
import type { ReactNode } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { hasRole } from "@/lib/auth/authorize";
import type { Role } from "@/lib/db/schema";

export class PageSignal extends Error {
  constructor(readonly status: 403 | 404) {
    super(String(status));
  }
}

/** What the mocked modules answer: the test's database and the user signed in (null: signed out). */
export const current = { db: null as unknown, user: null as { id: string; role: string } | null };

export function dbModule() {
  return { getDb: async () => current.db };
}

/** requireRole as lib/auth/session.ts has it, with forbidden() as a signal the test can see. */
export function sessionModule() {
  return {
    getCurrentUser: async () => current.user,
    requireRole: async (_returnTo: string, ...roles: Role[]) => {
      if (!hasRole(current.user as { role: Role } | null, ...roles)) throw new PageSignal(403);
      return current.user;
    },
  };
}

/** notFound() as a signal; these pages never redirect. useRouter for client components rendered on the server. */
export function navigationModule() {
  return {
    notFound: () => {
      throw new PageSignal(404);
    },
    redirect: () => {
      throw new Error("unexpected redirect");
    },
    useRouter: () => ({ push: () => {}, refresh: () => {} }),
  };
}

/** The page as HTML, or the status (403, 404) it ended with. */
export async function render(page: Promise<ReactNode>): Promise<string | number> {
  try {
    return renderToStaticMarkup(await page);
  } catch (error) {
    if (error instanceof PageSignal) return error.status;
    throw error;
  }
}
