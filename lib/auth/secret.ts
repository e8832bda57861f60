// The session-signing secret: NEXTAUTH_SECRET when set; otherwise one generated on first start
// and kept in the data directory, so the embedded default needs no configuration.
import "server-only";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { env } from "@/lib/env";

let cached: string | undefined;

export function sessionSecret(): string {
  if (env.NEXTAUTH_SECRET) return env.NEXTAUTH_SECRET;
  if (cached) return cached;
  const file = path.join(env.ACADEMY_DATA_DIR, "session-secret");
  try {
    cached = fs.readFileSync(file, "utf8").trim();
  } catch {
    fs.mkdirSync(env.ACADEMY_DATA_DIR, { recursive: true });
    const secret = randomBytes(48).toString("base64url");
    try {
      // "wx": if two processes race, the first one's secret wins and both use it.
      fs.writeFileSync(file, secret, { flag: "wx", mode: 0o600 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    cached = fs.readFileSync(file, "utf8").trim();
  }
  return cached;
}
