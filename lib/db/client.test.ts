import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "vitest";
import { DatabaseStartupError, openDatabase } from "./client";

test("an unreachable PostgreSQL server is a start-up error that names DATABASE_URL, without the password", async () => {
  const error = await openDatabase({ url: "postgres://academy:s3cret@127.0.0.1:1/academy" }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(DatabaseStartupError);
  expect((error as Error).message).toMatch(/Cannot connect to the PostgreSQL server in DATABASE_URL \(postgres:\/\/academy@127\.0\.0\.1:1\/academy\)/);
  expect((error as Error).message).not.toContain("s3cret");
});

test("the embedded database keeps its data across reopening and refuses a second opener", { timeout: 30_000 }, async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "academy-db-"));
  const first = await openDatabase({ dataDir });
  await first.db.execute("create table notes (body text)");
  await first.db.execute("insert into notes values ('kept')");
  await expect(openDatabase({ dataDir })).rejects.toThrow(/already open in this process/);
  await first.close();

  const again = await openDatabase({ dataDir });
  const rows = await again.db.execute("select body from notes");
  expect(JSON.stringify(rows)).toContain("kept");
  await again.close();
});

test("a data directory held by another live process is refused with the process id", async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "academy-db-"));
  fs.mkdirSync(path.join(dataDir, "db"), { recursive: true });
  // PID 1 is always alive and never this test.
  fs.writeFileSync(path.join(dataDir, "db", "academy.pid"), "1");
  await expect(openDatabase({ dataDir })).rejects.toThrow(/in use by process 1 .*Stop that process first/);
});

function modes(dir: string): { dirs: Set<string>; files: Set<string> } {
  const found = { dirs: new Set<string>(), files: new Set<string>() };
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      const mode = (fs.statSync(full).mode & 0o777).toString(8);
      if (entry.isDirectory()) {
        found.dirs.add(mode);
        walk(full);
      } else found.files.add(mode);
    }
  };
  walk(dir);
  return found;
}

test("the embedded database is readable by its owner only: directories 0700, files 0600", { timeout: 30_000 }, async () => {
  // A data directory another user can read and list, as `mkdir` makes it with umask 022.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "academy-db-"));
  fs.chmodSync(dataDir, 0o755);
  const handle = await openDatabase({ dataDir });
  await handle.db.execute("create table notes (body text)");
  await handle.db.execute("insert into notes values ('secret')");

  // While open: no other user can get past the data directory, whatever PGlite creates inside.
  expect((fs.statSync(dataDir).mode & 0o777).toString(8)).toBe("700");
  expect((fs.statSync(path.join(dataDir, "db")).mode & 0o777).toString(8)).toBe("700");
  const open = modes(dataDir);
  expect([...open.dirs]).toEqual(["700"]);
  expect(open.files.size).toBeGreaterThan(0);

  await handle.close();
  const closed = modes(dataDir);
  expect([...closed.dirs]).toEqual(["700"]);
  expect([...closed.files]).toEqual(["600"]);
});
