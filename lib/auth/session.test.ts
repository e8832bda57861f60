// requireUser and requireRole as pages use them: an assessment candidate's hidden user gets the
// 403 page on every page outside the assessment (the course, the labs, the dashboard, review,
// instructor and admin pages all call one of the two), while a learner passes requireUser.
import { describe, expect, test, vi } from "vitest";
import type { Role } from "@/lib/db/schema";

class Forbidden extends Error {}
const current = vi.hoisted(() => ({ role: "candidate" as string }));
vi.mock("next-auth", () => ({ getServerSession: async () => ({ uid: "u1" }) }));
vi.mock("./options", () => ({ authOptions: () => ({}) }));
vi.mock("@/lib/db", () => ({ getDb: async () => ({}) }));
vi.mock("./users", () => ({ findUserById: async () => ({ id: "u1", email: "c@candidates.invalid", name: "C", role: current.role, createdAt: new Date() }) }));
vi.mock("next/navigation", () => ({
  forbidden: () => {
    throw new Forbidden();
  },
  redirect: () => {
    throw new Error("unexpected redirect");
  },
}));

const { requireRole, requireUser } = await import("./session");

const PAGE_ROLES: Array<[string, Role[]]> = [
  ["/review", ["reviewer"]],
  ["/instructor/labs", ["instructor"]],
  ["/admin/users", ["admin"]],
];

test("a candidate gets 403 from requireUser (/labs, /dashboard, a lab page) and from every requireRole", async () => {
  current.role = "candidate";
  for (const page of ["/labs", "/dashboard", "/labs/deploy-the-model"]) await expect(requireUser(page)).rejects.toBeInstanceOf(Forbidden);
  for (const [page, roles] of PAGE_ROLES) await expect(requireRole(page, ...roles)).rejects.toBeInstanceOf(Forbidden);
  await expect(requireRole("/labs", "learner")).rejects.toBeInstanceOf(Forbidden);
});

describe("other users are unchanged", () => {
  test("a learner passes requireUser and is refused reviewer pages", async () => {
    current.role = "learner";
    await expect(requireUser("/labs")).resolves.toMatchObject({ role: "learner" });
    await expect(requireRole("/review", "reviewer")).rejects.toBeInstanceOf(Forbidden);
  });
});
