// The keys that sign graded attempts, kept apart from the session secret and the database
// (docs/decisions/006-grading.md, "Signing"). ACADEMY_ATTEMPT_KEYS is an absolute path to a key
// file or inline entries; both hold `kid:base64` entries (one per line or comma-separated), and
// the LAST entry signs new attempts: a rotation appends a key, every older key stays for
// verification. Unset, a key file is generated under ~/.config/academy/, outside the data
// directory. Rows written before keys existed carry kid "session-v1": their key is derived from
// the session secret (as it always was) unless the key ring pins it with a `session-v1:` entry.
import "server-only";
import { hkdfSync, randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { sessionSecret } from "@/lib/auth/secret";
import { env } from "@/lib/env";

/** Key id of attempts signed before attempt keys existed (HKDF of the session secret). */
export const LEGACY_KID = "session-v1";

export type AttemptKeyring = {
  /** Signs new attempts, heads and the checkpoint. */
  activeKid: string;
  /** Every key known, by id; the legacy one is looked up lazily through `legacyKey`. */
  keys: ReadonlyMap<string, Buffer>;
  /** The legacy derivation, used only to verify rows with kid "session-v1" when not pinned. */
  legacyKey?: () => Buffer;
  /** Where the keys came from, for logs ("file /etc/academy/attempt-keys", "inline"). */
  source: string;
};

export type KeyringResult = { ok: true; keyring: AttemptKeyring } | { ok: false; error: string };

const KID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const EntrySchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}:[A-Za-z0-9+/_-]+={0,2}$/, "each entry is `kid:base64-key`");

/** Parses `kid:base64` entries (newlines or commas between them, `#` starts a comment). */
export function parseKeyEntries(text: string, source: string): KeyringResult {
  const entries = text
    .split(/\r?\n/)
    .map((line) => line.replace(/#.*$/, ""))
    .flatMap((line) => line.split(","))
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.length === 0) return { ok: false, error: `ACADEMY_ATTEMPT_KEYS (${source}) holds no key: write one \`kid:base64\` entry per line` };
  const keys = new Map<string, Buffer>();
  for (const [index, entry] of entries.entries()) {
    const parsed = EntrySchema.safeParse(entry);
    if (!parsed.success) return { ok: false, error: `ACADEMY_ATTEMPT_KEYS (${source}), entry ${index + 1}: ${parsed.error.issues[0]!.message}` };
    const colon = entry.indexOf(":");
    const kid = entry.slice(0, colon);
    const key = Buffer.from(entry.slice(colon + 1), "base64");
    if (!KID.test(kid)) return { ok: false, error: `ACADEMY_ATTEMPT_KEYS (${source}), entry ${index + 1}: invalid key id` };
    if (key.length < 32) return { ok: false, error: `ACADEMY_ATTEMPT_KEYS (${source}), key "${kid}": needs at least 32 bytes (it has ${key.length}); make one with \`openssl rand -base64 32\`` };
    if (keys.has(kid)) return { ok: false, error: `ACADEMY_ATTEMPT_KEYS (${source}): key id "${kid}" appears twice` };
    keys.set(kid, key);
  }
  const activeKid = [...keys.keys()].at(-1)!;
  if (activeKid === LEGACY_KID) {
    return { ok: false, error: `ACADEMY_ATTEMPT_KEYS (${source}): "${LEGACY_KID}" is kept for verifying old attempts only; the last entry (the one that signs) needs another id` };
  }
  return { ok: true, keyring: { activeKid, keys, source } };
}

function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}

function newKeyEntry(now: Date): string {
  const kid = `k${now.toISOString().slice(0, 10).replaceAll("-", "")}-${randomBytes(3).toString("hex")}`;
  return `${kid}:${randomBytes(32).toString("base64")}`;
}

export type LoadKeyringOptions = {
  /** The value of ACADEMY_ATTEMPT_KEYS (unset: the default key file). */
  setting?: string;
  dataDir: string;
  /** Where the generated key file lives when the setting is unset. */
  defaultFile?: string;
  sessionSecret: () => string;
  log?: (line: string) => void;
  now?: () => Date;
};

export function defaultKeyFile(): string {
  return path.join(os.homedir(), ".config", "academy", "attempt-keys");
}

// The key file's path is configuration, not part of the build: the turbopackIgnore comments keep
// the bundler from tracing the whole project for these calls.
/**
 * Reads the key ring. A key file must be outside the data directory (a copy of the data
 * directory must not carry the key) and writable by its owner only.
 */
export function loadAttemptKeyring(options: LoadKeyringOptions): KeyringResult {
  const legacyKey = () => Buffer.from(hkdfSync("sha256", options.sessionSecret(), "academy", "lab-attempts-chain-v1", 32));
  const withLegacy = (result: KeyringResult): KeyringResult =>
    result.ok && !result.keyring.keys.has(LEGACY_KID) ? { ok: true, keyring: { ...result.keyring, legacyKey } } : result;
  const setting = options.setting?.trim();
  if (setting && !setting.startsWith("/")) return withLegacy(parseKeyEntries(setting, "inline"));

  const file = setting ?? options.defaultFile ?? defaultKeyFile();
  if (isInside(path.resolve(/*turbopackIgnore: true*/ file), path.resolve(/*turbopackIgnore: true*/ options.dataDir))) {
    return { ok: false, error: `ACADEMY_ATTEMPT_KEYS: the key file ${file} is inside the data directory ${options.dataDir}; keep it elsewhere (for example /etc/academy/attempt-keys), so that whoever holds the database does not hold the key` };
  }
  if (!setting && !fs.existsSync(/*turbopackIgnore: true*/ file)) {
    try {
      fs.mkdirSync(/*turbopackIgnore: true*/ path.dirname(file), { recursive: true, mode: 0o700 });
      // "wx": if two processes race, the first one's key wins and both use it.
      fs.writeFileSync(/*turbopackIgnore: true*/ file, `# Academy attempt signing keys: kid:base64, the last one signs. Keep every old line.\n${newKeyEntry(options.now?.() ?? new Date())}\n`, { flag: "wx", mode: 0o600 });
      options.log?.(`attempts: ACADEMY_ATTEMPT_KEYS is not set; generated a signing key in ${file} (mode 0600). In production, set ACADEMY_ATTEMPT_KEYS to a key file outside the data directory (docs/security.md).`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") {
        return { ok: false, error: `ACADEMY_ATTEMPT_KEYS is not set and no key file could be created at ${file} (${(error as Error).message}); set ACADEMY_ATTEMPT_KEYS to a key file (docs/security.md, "Results")` };
      }
    }
  }
  let stat: fs.Stats;
  let text: string;
  try {
    stat = fs.statSync(/*turbopackIgnore: true*/ file);
    text = fs.readFileSync(/*turbopackIgnore: true*/ file, "utf8");
  } catch (error) {
    return { ok: false, error: `ACADEMY_ATTEMPT_KEYS: cannot read the key file ${file}: ${(error as Error).message}` };
  }
  if ((stat.mode & 0o022) !== 0) {
    return { ok: false, error: `ACADEMY_ATTEMPT_KEYS: the key file ${file} is writable by others (mode ${(stat.mode & 0o777).toString(8)}); run \`chmod 600 ${file}\`` };
  }
  return withLegacy(parseKeyEntries(text, `file ${file}`));
}

/** The key for one kid, or null when the ring does not know it. */
export function keyFor(keyring: AttemptKeyring, kid: string): Buffer | null {
  const key = keyring.keys.get(kid);
  if (key) return key;
  if (kid === LEGACY_KID && keyring.legacyKey) return keyring.legacyKey();
  return null;
}

/** A ring from explicit keys (tests, scripts); the last id signs. */
export function keyringOf(keys: Record<string, Buffer>, options: { legacyKey?: Buffer } = {}): AttemptKeyring {
  const map = new Map(Object.entries(keys));
  const legacy = options.legacyKey;
  return { activeKid: [...map.keys()].at(-1)!, keys: map, legacyKey: legacy ? () => legacy : undefined, source: "given" };
}

let configured: AttemptKeyring | undefined;

/** The server's key ring from ACADEMY_ATTEMPT_KEYS; a bad setting throws with what to fix. */
export function attemptKeyring(): AttemptKeyring {
  if (configured) return configured;
  const result = loadAttemptKeyring({
    setting: env.ACADEMY_ATTEMPT_KEYS,
    dataDir: env.ACADEMY_DATA_DIR,
    sessionSecret,
    log: (line) => console.warn(line),
  });
  if (!result.ok) throw new Error(result.error);
  configured = result.keyring;
  return configured;
}
