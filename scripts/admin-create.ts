// Creates the first administrator (or promotes an existing account):
//   npm run admin:create -- --email you@example.com --name "Your Name"
// The password is read from ACADEMY_ADMIN_PASSWORD, or asked for on the terminal.
import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";
import { createOrPromoteAdmin } from "@/lib/auth/users";
import { openDatabase } from "@/lib/db/client";
import { env } from "@/lib/env";

async function readPassword(): Promise<string> {
  const fromEnv = process.env.ACADEMY_ADMIN_PASSWORD;
  if (fromEnv) return fromEnv;
  if (!process.stdin.isTTY) throw new Error("Set ACADEMY_ADMIN_PASSWORD or run this command in a terminal.");
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  const answer = await rl.question("Password for the administrator (at least 10 characters): ");
  rl.close();
  return answer;
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { email: { type: "string" }, name: { type: "string" } } });
  if (!values.email) {
    console.error('usage: npm run admin:create -- --email you@example.com [--name "Your Name"]');
    return 2;
  }
  const handle = await openDatabase(env.DATABASE_URL ? { url: env.DATABASE_URL } : { dataDir: env.ACADEMY_DATA_DIR });
  try {
    const existingOnly = { email: values.email, name: values.name ?? values.email.split("@")[0] ?? "Administrator" };
    const result = await createOrPromoteAdmin(handle.db, { ...existingOnly, password: await readPassword() });
    if ("errors" in result) {
      for (const [field, message] of Object.entries(result.errors)) console.error(`${field}: ${message}`);
      return 1;
    }
    console.log(`${result.user.email} is ${result.created ? "created as" : "now"} an administrator.`);
    return 0;
  } finally {
    await handle.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
