import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "vitest";
import { keyFor, LEGACY_KID, loadAttemptKeyring, parseKeyEntries } from "./attempt-keys";

const b64 = () => randomBytes(32).toString("base64");
const secret = () => "s".repeat(40);
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "academy-keys-"));

test("inline entries: the last one signs, every one verifies", () => {
  const result = parseKeyEntries(`old:${b64()}, new:${b64()}`, "inline");
  expect(result).toMatchObject({ ok: true, keyring: { activeKid: "new" } });
  if (result.ok) expect([...result.keyring.keys.keys()]).toEqual(["old", "new"]);
});

test("bad entries are refused with what to fix", () => {
  expect(parseKeyEntries("", "inline")).toMatchObject({ ok: false, error: expect.stringContaining("holds no key") });
  expect(parseKeyEntries(`k1:${randomBytes(16).toString("base64")}`, "inline")).toMatchObject({ ok: false, error: expect.stringContaining("at least 32 bytes") });
  expect(parseKeyEntries(`k1:${b64()}\nk1:${b64()}`, "inline")).toMatchObject({ ok: false, error: expect.stringContaining("appears twice") });
  expect(parseKeyEntries(`k1:${b64()}\n${LEGACY_KID}:${b64()}`, "inline")).toMatchObject({ ok: false, error: expect.stringContaining("verifying old attempts only") });
  expect(parseKeyEntries("no key here", "inline")).toMatchObject({ ok: false, error: expect.stringContaining("kid:base64-key") });
});

test("unset: a key file is generated outside the data directory, owner-only, and said so; the next load reuses it", () => {
  const home = tmp();
  const file = path.join(home, ".config/academy/attempt-keys");
  const lines: string[] = [];
  const first = loadAttemptKeyring({ dataDir: path.join(home, "data"), defaultFile: file, sessionSecret: secret, log: (l) => lines.push(l) });
  expect(first.ok).toBe(true);
  expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  expect(lines).toEqual([expect.stringContaining(`generated a signing key in ${file}`)]);
  const second = loadAttemptKeyring({ dataDir: path.join(home, "data"), defaultFile: file, sessionSecret: secret, log: (l) => lines.push(l) });
  expect(lines).toHaveLength(1);
  if (!first.ok || !second.ok) throw new Error("unreachable");
  expect(second.keyring.activeKid).toBe(first.keyring.activeKid);
  expect(keyFor(second.keyring, second.keyring.activeKid)).toEqual(keyFor(first.keyring, first.keyring.activeKid));
});

test("a key file inside the data directory, or writable by others, is refused", () => {
  const dataDir = tmp();
  const inside = path.join(dataDir, "attempt-keys");
  fs.writeFileSync(inside, `k1:${b64()}\n`, { mode: 0o600 });
  expect(loadAttemptKeyring({ setting: inside, dataDir, sessionSecret: secret })).toMatchObject({ ok: false, error: expect.stringContaining("inside the data directory") });
  const outside = path.join(tmp(), "attempt-keys");
  fs.writeFileSync(outside, `k1:${b64()}\n`);
  fs.chmodSync(outside, 0o666);
  expect(loadAttemptKeyring({ setting: outside, dataDir, sessionSecret: secret })).toMatchObject({ ok: false, error: expect.stringContaining("chmod 600") });
  fs.chmodSync(outside, 0o600);
  expect(loadAttemptKeyring({ setting: outside, dataDir, sessionSecret: secret })).toMatchObject({ ok: true, keyring: { activeKid: "k1" } });
});

test("the legacy key is derived from the session secret unless the ring pins it", () => {
  const derived = loadAttemptKeyring({ setting: `k1:${b64()}`, dataDir: "/nonexistent", sessionSecret: secret });
  const pinnedKey = randomBytes(32);
  const pinned = loadAttemptKeyring({ setting: `${LEGACY_KID}:${pinnedKey.toString("base64")},k1:${b64()}`, dataDir: "/nonexistent", sessionSecret: secret });
  if (!derived.ok || !pinned.ok) throw new Error("unreachable");
  expect(keyFor(derived.keyring, LEGACY_KID)).toHaveLength(32);
  expect(keyFor(pinned.keyring, LEGACY_KID)).toEqual(pinnedKey);
  expect(keyFor(pinned.keyring, "k9")).toBeNull();
});
