// Run with tsx while the e2e server is stopped (PGlite is single-process): raises the score of
// every graded attempt of one candidate, as someone who owns the database could, with the
// append-only trigger turned off for the moment. The report must then say "not verified".
// Usage: ACADEMY_DATA_DIR=<dir> tsx tests/e2e/support/alter-attempts.ts <candidate email>
import { sql } from "drizzle-orm";
import { openDatabase } from "@/lib/db/client";

async function main(email: string | undefined): Promise<void> {
  const dataDir = process.env.ACADEMY_DATA_DIR;
  if (!email || !dataDir) throw new Error("usage: ACADEMY_DATA_DIR=<dir> tsx tests/e2e/support/alter-attempts.ts <candidate email>");
  const handle = await openDatabase({ dataDir });
  try {
    await handle.db.execute(sql`alter table lab_attempts disable trigger lab_attempts_append_only`);
    const changed = await handle.db.execute(
      sql`update lab_attempts set score = max_score
          where user_id in (select candidate_user_id from assessment_invites where email = ${email}) and score < max_score`,
    );
    await handle.db.execute(sql`alter table lab_attempts enable trigger lab_attempts_append_only`);
    const count = (changed as { affectedRows?: number; rowCount?: number }).affectedRows ?? (changed as { rowCount?: number }).rowCount ?? 0;
    if (count === 0) throw new Error(`no attempt of ${email} below full marks to alter`);
    console.log(`altered ${count} attempt(s) of ${email}`);
  } finally {
    await handle.close();
  }
}

main(process.argv[2]).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
