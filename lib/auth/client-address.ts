// The address a request came from, for the per-address sign-in and sign-up limits. `next start`
// puts the socket's address in X-Forwarded-For unless the request already has that header, and
// each reverse proxy appends the address it saw; so the entry ACADEMY_TRUSTED_PROXIES places from
// the end is the one no client can choose. Without a proxy a client can send its own header and pick
// its "address": the per-account limit still holds, which is why there are both (docs/security.md).
import "server-only";
import { env } from "@/lib/env";

type HeaderSource = Headers | Record<string, string | string[] | undefined>;

function header(headers: HeaderSource, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(",") : value;
}

export function clientAddress(headers: HeaderSource, trustedProxies: number = env.ACADEMY_TRUSTED_PROXIES): string {
  const entries = (header(headers, "x-forwarded-for") ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  const chosen = entries[entries.length - 1 - trustedProxies] ?? entries[0];
  // IPv4-mapped IPv6 ("::ffff:10.0.0.1") is the same client as its IPv4 form.
  return (chosen ?? "unknown").replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, "").slice(0, 64);
}
