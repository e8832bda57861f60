import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, test, vi } from "vitest";

// The pristine cluster is cached under the home directory; each test loads the kind afresh
// (a new worker, as far as the module is concerned) with HOME pointing at a scratch directory.
const home = fs.mkdtempSync(path.join(os.tmpdir(), "academy-sql-cache-"));
vi.stubEnv("HOME", home);
afterAll(() => {
  vi.unstubAllEnvs();
  fs.rmSync(home, { recursive: true, force: true });
});

async function freshKind() {
  vi.resetModules();
  return import("./sql");
}

async function selectOne(kind: Awaited<ReturnType<typeof freshKind>>) {
  const engine = await kind.pgliteEngine();
  try {
    return await engine.query("SELECT 1 AS one", []);
  } finally {
    await engine.close();
  }
}

test("the first worker caches a pristine cluster, owner-only; a damaged cache is made again", { timeout: 90_000 }, async () => {
  const first = await freshKind();
  const file = first.cacheFile()!;
  expect(file.startsWith(home)).toBe(true);
  expect((await selectOne(first)).rows).toEqual([["1"]]);
  expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
  const size = fs.statSync(file).size;

  fs.writeFileSync(file, "not a tar file", { mode: 0o600 });
  expect((await selectOne(await freshKind())).rows).toEqual([["1"]]);
  expect(fs.statSync(file).size).toBe(size);

  // A cache file others may write is not trusted: it is made again.
  fs.chmodSync(file, 0o666);
  expect((await selectOne(await freshKind())).rows).toEqual([["1"]]);
  expect(fs.statSync(file).mode & 0o777).toBe(0o600);
});
