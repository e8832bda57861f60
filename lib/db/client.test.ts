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
