// npm run attempts:verify — checks every stored attempt against its key, every chain's signed
// head and the signed checkpoint (lib/grading/attempts.ts). Prints one line per problem with the
// learner, lab, attempt number and reason; exit 1 on any problem, 2 when it cannot run. Last line:
// {"chains":n,"attempts":n,"heads":n,"problems":n,"keys":[...],"activeKid":"..."}. Run it on a
// schedule and alert on a non-zero exit; keep the last lines, so a rollback to an older copy of the
// database (which the signatures alone cannot tell) shows as counts that went down.
// Usage: attempts-verify [--lab LAB_ID]
import { inArray } from "drizzle-orm";
import { openDatabase } from "@/lib/db/client";
import { users } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { attemptKeyring } from "@/lib/grading/attempt-keys";
import { EVERYONE, verifyAttemptChain } from "@/lib/grading/attempts";

async function main(): Promise<number> {
  const labArg = process.argv.indexOf("--lab");
  const labId = labArg >= 0 ? process.argv[labArg + 1] : undefined;
  const keys = attemptKeyring();
  const handle = await openDatabase(env.DATABASE_URL ? { url: env.DATABASE_URL } : { dataDir: env.ACADEMY_DATA_DIR });
  try {
    const report = await verifyAttemptChain(handle.db, labId ? { labId } : {}, keys);
    const ids = [...new Set(report.problems.map((p) => p.userId).filter((id) => id !== EVERYONE))];
    const emails = new Map(
      ids.length ? (await handle.db.select({ id: users.id, email: users.email }).from(users).where(inArray(users.id, ids))).map((u) => [u.id, u.email]) : [],
    );
    for (const p of report.problems) {
      const who = p.userId === EVERYONE ? "all learners" : `user ${p.userId}${emails.has(p.userId) ? ` (${emails.get(p.userId)})` : ""}`;
      console.log(`FAIL ${who} lab ${p.labId}${p.seq ? ` attempt ${p.seq}` : ""}: ${p.reason}`);
    }
    console.error(`attempts:verify: ${handle.kind} ${handle.location}, keys from ${keys.source}; ${report.ok ? "every chain verified" : `${report.problems.length} problems`}`);
    console.log(JSON.stringify({ chains: report.chains, attempts: report.attempts, heads: report.heads, problems: report.problems.length, keys: [...keys.keys.keys()], activeKid: keys.activeKid }));
    return report.ok ? 0 : 1;
  } finally {
    await handle.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`attempts:verify: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);
