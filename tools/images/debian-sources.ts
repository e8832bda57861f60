// Which Debian mirror the images are built from: the one this machine's apt already uses (it is
// reachable, and it may be a local mirror or a snapshot). Parses apt's two source formats. Pure.

export type AptSource = { uri: string; suites: string[]; components: string[] };

/** One-line format: `deb [options] uri suite component...` (sources.list, *.list). */
export function parseSourcesList(text: string): AptSource[] {
  const out: AptSource[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*/, "").trim();
    if (!line.startsWith("deb ")) continue;
    const words = line.slice(4).replace(/\[[^\]]*\]/, "").trim().split(/\s+/);
    const [uri, suite, ...components] = words;
    if (uri && suite) out.push({ uri, suites: [suite], components });
  }
  return out;
}

/** deb822 format (*.sources): stanzas of `Field: value`, separated by blank lines. */
export function parseDeb822Sources(text: string): AptSource[] {
  const out: AptSource[] = [];
  for (const stanza of text.split(/\n\s*\n/)) {
    const fields = new Map<string, string>();
    for (const line of stanza.split("\n")) {
      if (line.startsWith("#") || !line.includes(":") || /^\s/.test(line)) continue;
      const colon = line.indexOf(":");
      fields.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    if (!(fields.get("types") ?? "").split(/\s+/).includes("deb")) continue;
    if ((fields.get("enabled") ?? "yes").toLowerCase() === "no") continue;
    const words = (name: string) => (fields.get(name) ?? "").split(/\s+/).filter(Boolean);
    for (const uri of words("uris")) out.push({ uri, suites: words("suites"), components: words("components") });
  }
  return out;
}

const trimSlash = (uri: string) => uri.replace(/\/+$/, "");

/**
 * The mirror for debootstrap: the source that carries `suite` itself (not -updates or -security);
 * on a machine of another Debian release, the mirror of its main suite (a mirror carries them all).
 */
export function debianMirror(sources: readonly AptSource[], suite: string): string | null {
  const main = sources.filter((s) => s.components.includes("main"));
  const hit = main.find((s) => s.suites.includes(suite)) ?? main.find((s) => s.suites.some((x) => /^[a-z]+$/.test(x) && !s.uri.includes("security")));
  return hit ? trimSlash(hit.uri) : null;
}

/**
 * The image's own /etc/apt/sources.list: `suite`, `suite-updates` and `suite-security` (main only)
 * from the machine's sources; when no security entry exists the image just goes without it.
 */
export function imageSourcesList(sources: readonly AptSource[], suite: string, mirror: string): string {
  const wanted = [suite, `${suite}-updates`, `${suite}-security`];
  const lines = [`deb ${trimSlash(mirror)} ${suite} main`];
  for (const s of sources) {
    if (!s.components.includes("main")) continue;
    for (const want of s.suites.filter((x) => x !== suite && wanted.includes(x))) {
      const line = `deb ${trimSlash(s.uri)} ${want} main`;
      if (!lines.includes(line)) lines.push(line);
    }
  }
  return `${lines.join("\n")}\n`;
}
