// Where to go after signing in. The value comes from the address bar, so it is attacker-chosen:
// only a path on this site is accepted. The decision is made by the WHATWG URL parser (the one the
// browser uses for `location.assign`), not by looking at characters: the parser drops tabs and
// newlines and reads `\` as `/`, so `/\t/evil.example` and `/\evil.example` both mean
// `//evil.example`, another origin. Returning the parsed path (not the input) means the browser gets
// exactly what was checked.

/**
 * A same-origin path (with query and fragment) for `value` resolved against `siteUrl`, or
 * `fallback` when the value is missing, not a path, or leads anywhere else.
 */
export function safeCallbackUrl(value: string | undefined | null, fallback: string, siteUrl: string): string {
  if (typeof value !== "string" || !value.startsWith("/")) return fallback;
  let site: URL;
  let target: URL;
  try {
    site = new URL(siteUrl);
    target = new URL(value, site);
  } catch {
    return fallback;
  }
  if (target.origin !== site.origin) return fallback;
  const path = `${target.pathname}${target.search}${target.hash}`;
  // The parser keeps "//host" paths in some inputs (e.g. "/.//evil"); never hand one back.
  return path.startsWith("//") ? fallback : path;
}
