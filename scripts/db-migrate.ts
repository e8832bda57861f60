// Opens the configured database and applies pending migrations, so `npm start` fails early with a
// message that names the setting to fix (DATABASE_URL or ACADEMY_DATA_DIR) instead of at first request.
import { DatabaseStartupError, openDatabase } from "@/lib/db/client";
import { env } from "@/lib/env";

async function main(): Promise<void> {
  const handle = await openDatabase(env.DATABASE_URL ? { url: env.DATABASE_URL } : { dataDir: env.ACADEMY_DATA_DIR });
  console.log(`academy: database ready (${handle.kind}: ${handle.location})`);
  await handle.close();
}

main().catch((error: unknown) => {
  console.error(`academy: ${error instanceof DatabaseStartupError || error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
