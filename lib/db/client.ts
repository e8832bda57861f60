// Opens the database: the embedded PGlite (default, stored under the data directory) or a
// PostgreSQL server when DATABASE_URL is set. Migrations from drizzle/ are applied on open.
import "server-only";
import fs from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import type { ExtractTablesWithRelations } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import * as schema from "./schema";

export type Database = PgDatabase<PgQueryResultHKT, typeof schema, ExtractTablesWithRelations<typeof schema>>;

export type DatabaseHandle = {
  db: Database;
  kind: "pglite" | "postgres";
  /** Human-readable location, for logs and error messages (never includes a password). */
  location: string;
  close(): Promise<void>;
};

export type DatabaseOptions =
  | { url: string; migrationsFolder?: string }
  | { dataDir: string; migrationsFolder?: string }
  | { memory: true; migrationsFolder?: string };

/** Raised when the database cannot be opened; the message names the setting to fix. */
export class DatabaseStartupError extends Error {
  override name = "DatabaseStartupError";
}

const defaultMigrations = path.join(process.cwd(), "drizzle");

export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  const migrationsFolder = options.migrationsFolder ?? defaultMigrations;
  if ("url" in options) return openPostgres(options.url, migrationsFolder);
  if ("dataDir" in options) {
    ownerOnlyDir(options.dataDir);
    return openPglite(path.join(options.dataDir, "db"), migrationsFolder);
  }
  return openPglite(null, migrationsFolder);
}

function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.username ? `${u.username}@` : ""}${u.host}${u.pathname}`;
  } catch {
    return "(unparseable DATABASE_URL)";
  }
}

async function openPostgres(url: string, migrationsFolder: string): Promise<DatabaseHandle> {
  const location = describeUrl(url);
  const client = postgres(url, { max: 10, connect_timeout: 5, onnotice: () => {} });
  try {
    await client`select 1`;
  } catch (error) {
    await client.end({ timeout: 1 }).catch(() => {});
    throw new DatabaseStartupError(
      `Cannot connect to the PostgreSQL server in DATABASE_URL (${location}): ${errorText(error)}. ` +
        "Check DATABASE_URL, or unset it to use the embedded database.",
    );
  }
  const db = drizzlePostgres(client, { schema }) as unknown as Database;
  try {
    await migratePostgres(drizzlePostgres(client, { schema }), { migrationsFolder });
  } catch (error) {
    await client.end({ timeout: 1 }).catch(() => {});
    throw new DatabaseStartupError(
      `Applying migrations from ${migrationsFolder} to ${location} failed: ${errorText(error)}`,
    );
  }
  return { db, kind: "postgres", location, close: () => client.end({ timeout: 5 }) };
}

// PGlite is a single-process database: two processes opening one data directory corrupt it.
// A pid file guards the directory; a second opener gets a clear error instead.
const openDirs = new Set<string>();

function lockDataDir(dir: string): () => void {
  const lockFile = path.join(dir, "academy.pid");
  if (openDirs.has(dir)) {
    throw new DatabaseStartupError(`The embedded database in ${dir} is already open in this process.`);
  }
  ownerOnlyDir(dir);
  try {
    const pid = Number(fs.readFileSync(lockFile, "utf8").trim());
    if (pid && pid !== process.pid && processIsAlive(pid)) {
      throw new DatabaseStartupError(
        `The embedded database in ${dir} is in use by process ${pid} (is the Academy server running?). ` +
          "Stop that process first, or point ACADEMY_DATA_DIR elsewhere, or use DATABASE_URL.",
      );
    }
  } catch (error) {
    if (error instanceof DatabaseStartupError) throw error;
  }
  fs.writeFileSync(lockFile, String(process.pid), { mode: 0o600 });
  openDirs.add(dir);
  return () => {
    openDirs.delete(dir);
    try {
      if (fs.readFileSync(lockFile, "utf8").trim() === String(process.pid)) fs.unlinkSync(lockFile);
    } catch {
      // already gone
    }
  };
}

// The embedded database holds password hashes, roles and learner work, so only the account that
// runs Academy may read it: the data directory and everything in it are 0700 (directories) and
// 0600 (files). PGlite's file system sets 0666 on the files it creates whatever the umask is, so a
// umask cannot do this; instead the directories are made 0700 before PGlite opens (no other user
// can then reach any file below them, including ones PGlite creates later) and the files are
// chmod-ed to 0600 after opening and on close.
function ownerOnlyDir(dir: string) {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  if ((fs.statSync(dir).mode & 0o777) !== 0o700) fs.chmodSync(dir, 0o700);
}

/** Makes every directory under `dir` 0700 and every file 0600. */
export function restrictToOwner(dir: string) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      fs.chmodSync(full, 0o700);
      restrictToOwner(full);
    } else if (entry.isFile()) fs.chmodSync(full, 0o600);
  }
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function openPglite(dir: string | null, migrationsFolder: string): Promise<DatabaseHandle> {
  const location = dir ?? "memory";
  const unlock = dir ? lockDataDir(dir) : () => {};
  let client: PGlite;
  try {
    client = dir ? new PGlite(dir) : new PGlite();
    await client.waitReady;
    if (dir) restrictToOwner(dir);
  } catch (error) {
    unlock();
    throw new DatabaseStartupError(
      `Cannot open the embedded database in ${location}: ${errorText(error)}. ` +
        "Check ACADEMY_DATA_DIR (it must be a writable directory), or set DATABASE_URL.",
    );
  }
  const db = drizzlePglite(client, { schema });
  try {
    await migratePglite(db, { migrationsFolder });
  } catch (error) {
    await client.close().catch(() => {});
    unlock();
    throw new DatabaseStartupError(
      `Applying migrations from ${migrationsFolder} to the embedded database in ${location} failed: ${errorText(error)}`,
    );
  }
  if (dir) restrictToOwner(dir);
  return {
    db: db as unknown as Database,
    kind: "pglite",
    location,
    close: async () => {
      await client.close();
      if (dir) restrictToOwner(dir);
      unlock();
    },
  };
}

function errorText(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}
