// The one way a route handler reads a JSON request body. Route handlers, unlike server actions,
// get no protection from Next: no body size limit and no Origin check. So every JSON route reads
// its body through `readJsonBody`, which refuses, in this order and before parsing anything:
//   - a request from another origin (403): a page on another site (or another port of this host,
//     which is "same-site" for SameSite=Lax cookies) must not act with the learner's session;
//   - a body that is not `application/json` (415): `text/plain` and form encodings are what a
//     cross-site <form> can send without a CORS preflight;
//   - a body larger than the route's limit (413), counted while it is read, so a 20 MiB body costs
//     at most `maxBytes` of memory and is never parsed;
//   - text that is not JSON or does not match the route's schema (400).
// Each refusal is a returned value with words for the person (docs/decisions/007), and
// `jsonBodyRefusal` turns it into the HTTP answer.
import "server-only";
import type { z } from "zod";
import { formatBytes } from "@/lib/bytes";
import { env } from "@/lib/env";
import type { Failure } from "@/lib/result";

/** cross-origin → 403, not-json → 415, too-large → 413, invalid-input → 400. */
export type JsonBodyFailureCode = "cross-origin" | "not-json" | "too-large" | "invalid-input";

export type JsonBodyOptions = {
  /** The most bytes the body may have. */
  maxBytes: number;
  /** The origin requests must come from. Default: the site's (NEXTAUTH_URL). */
  siteOrigin?: string;
  /** What to say when the JSON does not match the schema. */
  invalid?: string;
};

const STATUS: Record<JsonBodyFailureCode, number> = { "cross-origin": 403, "not-json": 415, "too-large": 413, "invalid-input": 400 };

/** The site's own origin, e.g. `https://academy.example.org`. */
export function siteOrigin(): string {
  return new URL(env.NEXTAUTH_URL).origin;
}

/** Why this request may not act for the signed-in user, or null when it comes from the site itself. */
export function crossOriginProblem(request: Request, origin: string = siteOrigin()): Failure<"cross-origin"> | null {
  const sent = request.headers.get("origin");
  // Browsers send Origin with every POST, same-origin ones included; a request without it is not
  // from a page of this site.
  if (sent === null) return { ok: false, code: "cross-origin", error: "This request has no Origin header; send it from the Academy site." };
  if (sent !== origin) return { ok: false, code: "cross-origin", error: `Requests from ${sent} are not accepted; use the Academy site at ${origin}.` };
  return null;
}

export async function readJsonBody<T>(
  request: Request,
  schema: z.ZodType<T>,
  options: JsonBodyOptions,
): Promise<{ ok: true; data: T } | Failure<JsonBodyFailureCode>> {
  const crossOrigin = crossOriginProblem(request, options.siteOrigin);
  if (crossOrigin) return crossOrigin;

  const type = (request.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/json") {
    return { ok: false, code: "not-json", error: `The body must be JSON sent as application/json, not ${type || "without a content type"}.` };
  }

  const limit = options.maxBytes;
  const tooLarge = (bytes: string) =>
    ({ ok: false, code: "too-large", error: `The request body is ${bytes}; this endpoint accepts at most ${formatBytes(limit)}.` }) as const;
  const declared = Number(request.headers.get("content-length") ?? NaN);
  if (Number.isFinite(declared) && declared > limit) return tooLarge(formatBytes(declared));

  const text = await readCapped(request, limit);
  if (text.over) return tooLarge(`more than ${formatBytes(limit)}`);
  if (text.value === null) return { ok: false, code: "invalid-input", error: "The request body is not valid UTF-8 text." };

  let json: unknown;
  try {
    json = JSON.parse(text.value);
  } catch {
    return { ok: false, code: "invalid-input", error: "The request body is not valid JSON." };
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) return { ok: false, code: "invalid-input", error: options.invalid ?? "The request body does not have the expected fields." };
  return { ok: true, data: parsed.data };
}

/** The HTTP answer to a refused body: its status and `{ error, code }`. */
export function jsonBodyRefusal(failure: Failure<JsonBodyFailureCode>): Response {
  return Response.json({ error: failure.error, code: failure.code }, { status: STATUS[failure.code] });
}

/** Reads at most `limit` bytes of the body; stops reading (and drops the rest) as soon as it is over. */
async function readCapped(request: Request, limit: number): Promise<{ over: true } | { over: false; value: string | null }> {
  if (!request.body) return { over: false, value: "" };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      return { over: true };
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  try {
    return { over: false, value: new TextDecoder("utf-8", { fatal: true }).decode(bytes) };
  } catch {
    return { over: false, value: null };
  }
}
