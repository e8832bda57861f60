// Image names: how a reference that lab text uses (ghcr.io/academy-labs/model-server:1.4.2,
// python:3.11-slim) maps to a path in the loopback registry. Pure functions.
//
// A public name keeps its repository path and loses its registry host, the way a containerd mirror
// asks for it: a pull of ghcr.io/academy-labs/model-server:1.4.2 through the mirror requests
// /v2/academy-labs/model-server/manifests/1.4.2 from 127.0.0.1:<port>. So all mirrored registries
// share one namespace, and the catalogue must not hold two public names that map to one path.

export type ImageRef = { registry: string; repository: string; tag: string };

const DOCKER_HUB = "docker.io";
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** Parses a tagged reference the way Docker and containerd normalise it (no digests here). */
export function parseImageRef(ref: string): { ok: true; ref: ImageRef } | { ok: false; error: string } {
  const at = ref.indexOf("@");
  if (at >= 0) return { ok: false, error: `${ref}: digest references are not built here; use a tag` };
  const slash = ref.indexOf("/");
  const first = slash >= 0 ? ref.slice(0, slash) : "";
  // Like Docker: the first component is a registry host when it has a dot or a port, or is localhost.
  const hasHost = slash >= 0 && (first.includes(".") || first.includes(":") || first === "localhost");
  const registry = hasHost ? first : DOCKER_HUB;
  const rest = hasHost ? ref.slice(slash + 1) : ref;
  const colon = rest.lastIndexOf(":");
  if (colon < 0) return { ok: false, error: `${ref}: no tag; name a version such as :1.4.2 (never rely on latest)` };
  let repository = rest.slice(0, colon);
  const tag = rest.slice(colon + 1);
  if (registry === DOCKER_HUB && !repository.includes("/")) repository = `library/${repository}`;
  if (!repository.split("/").every((c) => COMPONENT.test(c))) return { ok: false, error: `${ref}: invalid repository name` };
  if (!TAG.test(tag)) return { ok: false, error: `${ref}: invalid tag` };
  return { ok: true, ref: { registry, repository, tag } };
}

export function formatImageRef(ref: ImageRef): string {
  return `${ref.registry}/${ref.repository}:${ref.tag}`;
}

/** Where a reference lives in the loopback registry: the same path and tag under its address. */
export function mirroredRef(ref: ImageRef, registryAddress: string): ImageRef {
  return { registry: registryAddress, repository: ref.repository, tag: ref.tag };
}

/** The distinct upstream registries a list of references comes from (each gets a mirror entry). */
export function upstreamRegistries(refs: readonly ImageRef[]): string[] {
  return [...new Set(refs.map((r) => r.registry))].sort();
}

/** Pairs of different references that would land on one registry path (repository:tag). */
export function pathCollisions(refs: readonly ImageRef[]): [string, string][] {
  const seen = new Map<string, string>();
  const out: [string, string][] = [];
  for (const r of refs) {
    const key = `${r.repository}:${r.tag}`;
    const name = formatImageRef(r);
    const other = seen.get(key);
    if (other !== undefined && other !== name) out.push([other, name]);
    else seen.set(key, name);
  }
  return out;
}
