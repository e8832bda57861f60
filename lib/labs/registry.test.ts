import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, test, vi } from "vitest";

// What `next dev` promises authors (docs/lab-format.md, "Previewing a lab"): lab.mdx and starter/
// are read again on every use in development, and once per process otherwise.
const LAB = "design-the-prediction-api";
let root: string;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "academy-registry-"));
  fs.cpSync(path.join(process.cwd(), "labs", LAB), path.join(root, LAB), { recursive: true });
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
  vi.doUnmock("@/lib/env");
});

async function registryIn(nodeEnv: "development" | "production") {
  vi.resetModules();
  vi.doMock("@/lib/env", async (original) => ({ env: { ...(await original<typeof import("@/lib/env")>()).env, NODE_ENV: nodeEnv } }));
  return import("./registry");
}

function edit(file: string, from: string, to: string) {
  const full = path.join(root, LAB, file);
  const text = fs.readFileSync(full, "utf8");
  expect(text).toContain(from);
  fs.writeFileSync(full, text.replace(from, to));
}

test("in development an edit of lab.mdx or a starter file shows on the next read", async () => {
  const { getLab, starterFiles } = await registryIn("development");
  const before = getLab(LAB, { root })!;
  expect(before.body).toContain("Three teams will call");
  starterFiles(before);
  edit("lab.mdx", "Three teams will call", "Four teams will call");
  edit("starter/openapi.yaml", "openapi: 3.1.0", "openapi: 3.1.1");
  const after = getLab(LAB, { root })!;
  expect(after.body).toContain("Four teams will call");
  expect(starterFiles(after)["openapi.yaml"]).toContain("openapi: 3.1.1");
});

test("in production a lab is read once per process", async () => {
  const { getLab, starterFiles } = await registryIn("production");
  const lab = getLab(LAB, { root })!;
  starterFiles(lab);
  edit("lab.mdx", "Three teams will call", "Four teams will call");
  edit("starter/openapi.yaml", "openapi: 3.1.0", "openapi: 3.1.1");
  expect(getLab(LAB, { root })).toBe(lab);
  expect(getLab(LAB, { root })!.body).toContain("Three teams will call");
  expect(starterFiles(lab)["openapi.yaml"]).toContain("openapi: 3.1.0");
});
