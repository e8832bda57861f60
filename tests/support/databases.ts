// Opens a fresh, migrated database of each kind for integration tests and benchmarks: the embedded
// PGlite in memory, or a throw-away database on a real PostgreSQL server. The server comes from
// ACADEMY_TEST_DATABASE_URL (which `npm test` sets after starting one) unless the caller names one;
// each call creates its own database there and drops it on close.
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { openDatabase, type DatabaseHandle } from "@/lib/db/client";

export const DATABASE_KINDS = ["pglite", "postgres"] as const;
export type DatabaseKind = (typeof DATABASE_KINDS)[number];

export type TestDatabaseOptions = {
  /** A PostgreSQL server where this user may create databases; default ACADEMY_TEST_DATABASE_URL. */
  postgresUrl?: string;
};

export async function openTestDatabase(kind: DatabaseKind, options: TestDatabaseOptions = {}): Promise<DatabaseHandle> {
  if (kind === "pglite") return openDatabase({ memory: true });
  const adminUrl = options.postgresUrl ?? process.env.ACADEMY_TEST_DATABASE_URL;
  if (!adminUrl) {
    throw new Error(
      "ACADEMY_TEST_DATABASE_URL is not set: the PostgreSQL half of the database tests needs a server. " +
        "Run the suite with `npm test` (it starts one), or point ACADEMY_TEST_DATABASE_URL at a server " +
        "where this user may create databases.",
    );
  }
  const name = `academy_test_${randomBytes(6).toString("hex")}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ url: url.toString() });
  return {
    ...handle,
    close: async () => {
      await handle.close();
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
