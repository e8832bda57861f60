// The application's database handle, opened once per server process from the environment.
import "server-only";
import { env } from "@/lib/env";
import { openDatabase, type Database, type DatabaseHandle } from "./client";

export type { Database } from "./client";

const globalForDb = globalThis as unknown as { academyDb?: Promise<DatabaseHandle> };

export function getDatabaseHandle(): Promise<DatabaseHandle> {
  if (!globalForDb.academyDb) {
    globalForDb.academyDb = openDatabase(
      env.DATABASE_URL ? { url: env.DATABASE_URL } : { dataDir: env.ACADEMY_DATA_DIR },
    );
    // A failed open is not cached, so the next request retries (e.g. PostgreSQL came back).
    globalForDb.academyDb.catch(() => {
      globalForDb.academyDb = undefined;
    });
  }
  return globalForDb.academyDb;
}

export async function getDb(): Promise<Database> {
  return (await getDatabaseHandle()).db;
}
