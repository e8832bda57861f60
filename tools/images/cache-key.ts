// Cache keys of image builds: a hash of everything a build reads. A key names the build's folder,
// <imagesDir>/<image>/<key>/, so a warm run finds its output by computing the key alone.
import { createHash } from "node:crypto";

/** Bump when the build changes in a way the hashed inputs do not show. */
export const CACHE_SCHEMA = "academy-images/1";

export type FileDigest = { path: string; sha256: string };

export type CacheInputs = {
  image: string;
  /** The image's definition from the catalogue: packages, config, Debian suite... */
  recipe: unknown;
  /** The base image's key: a new base rebuilds everything on top of it. */
  baseKey: string | null;
  /** Every source file and build script the build reads. */
  files: readonly FileDigest[];
  /** Versions of tools whose output lands in the image (Go for compiled binaries). */
  tools: Readonly<Record<string, string>>;
};

/** JSON with object keys sorted at every level, so equal values always give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

export function cacheKey(inputs: CacheInputs): string {
  const files = [...inputs.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const text = canonicalJson({ schema: CACHE_SCHEMA, ...inputs, files });
  return createHash("sha256").update(text).digest("hex").slice(0, 20);
}
