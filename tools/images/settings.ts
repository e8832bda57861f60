// Settings of the image tooling (tools/images), read once from the environment. The only module
// here that reads process.env, like lib/env.ts for the app.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

export const REGISTRY_HOST = "127.0.0.1";

export type ImagesSettings = {
  repoRoot: string;
  /** ~/.cache/academy or ACADEMY_CACHE_DIR, shared with the control-plane build. */
  cacheDir: string;
  /** Build outputs: <imagesDir>/<image>/<cache key>/. */
  imagesDir: string;
  /** The loopback registry: its config, pid file, log and storage. */
  registryDir: string;
  registryPort: number;
  /** Debian mirror for debootstrap; null = the one this machine's apt uses. */
  debianMirror: string | null;
};

const envSchema = z.object({
  ACADEMY_CACHE_DIR: z.string().min(1).optional(),
  ACADEMY_REGISTRY_PORT: z.coerce.number().int().min(1024).max(65535).default(15000),
  ACADEMY_DEBIAN_MIRROR: z.url().optional(),
});

export function imagesSettingsFromEnv(
  // eslint-disable-next-line no-restricted-properties -- the tooling's one reader of the environment
  env: NodeJS.ProcessEnv = process.env,
): { ok: true; settings: ImagesSettings } | { ok: false; error: string; code: "bad-env" } {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, code: "bad-env", error: `${issue?.path.join(".")}: ${issue?.message}` };
  }
  const cacheDir = path.resolve(parsed.data.ACADEMY_CACHE_DIR ?? path.join(os.homedir(), ".cache", "academy"));
  return {
    ok: true,
    settings: {
      repoRoot: path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", ".."),
      cacheDir,
      imagesDir: path.join(cacheDir, "images"),
      registryDir: path.join(cacheDir, "registry"),
      registryPort: parsed.data.ACADEMY_REGISTRY_PORT,
      debianMirror: parsed.data.ACADEMY_DEBIAN_MIRROR ?? null,
    },
  };
}

export function registryAddress(settings: Pick<ImagesSettings, "registryPort">): string {
  return `${REGISTRY_HOST}:${settings.registryPort}`;
}

/**
 * The environment for the build's commands: this process's own, plus Go's default install folder
 * on PATH (like scripts/cluster/build.sh), plus `extra`.
 */
export function commandEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  // eslint-disable-next-line no-restricted-properties -- passed through to child processes, not read
  const env = process.env;
  const go = "/usr/local/go/bin";
  const p = env.PATH ?? "/usr/bin:/bin";
  return { ...env, PATH: fs.existsSync(go) && !p.split(":").includes(go) ? `${p}:${go}` : p, ...extra };
}
