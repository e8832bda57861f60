import { z } from "zod";
import { getCurrentUser } from "@/lib/auth/session";
import type { BuildEvent } from "@/lib/builds/service";
import { getDb } from "@/lib/db";
import { jsonBodyRefusal, readJsonBody } from "@/lib/http/json-body";
import { ndjsonResponse } from "@/lib/http/ndjson";
import { getLab } from "@/lib/labs/registry";
import { retryAfterHeaders } from "@/lib/rate-limit/limits";
import { beginLabImageBuild } from "@/lib/workspace";

export const dynamic = "force-dynamic";

/** A build takes no options: the body is `{}`, read like every JSON body (origin, type, size). */
const BodySchema = z.object({}).strict();

export type BuildStreamEvent = BuildEvent | { type: "error"; error: string; code: string };

/**
 * Builds the learner's image of the lab on the cluster, streaming its queue position, the build
 * log line by line and the outcome. Refusals (rate limit, a build already running) are answered
 * with a status before any stream starts.
 */
export async function POST(request: Request, { params }: { params: Promise<{ labId: string }> }) {
  const user = await getCurrentUser();
  if (!user) return Response.json({ error: "Sign in to build your image." }, { status: 401 });
  const lab = getLab((await params).labId);
  if (!lab?.build) return Response.json({ error: "This lab builds no image." }, { status: 404 });
  const body = await readJsonBody(request, BodySchema, { maxBytes: 1024, invalid: "A build takes no options; send {}." });
  if (!body.ok) return jsonBodyRefusal(body);
  const build = await beginLabImageBuild(await getDb(), user, lab.id);
  if (!build.ok) {
    if (build.code === "rate-limited") return Response.json(build, { status: 429, headers: retryAfterHeaders(build) });
    return Response.json(build, { status: build.code === "already-building" || build.code === "assessment-closed" ? 409 : 404 });
  }
  return ndjsonResponse<BuildStreamEvent>(async (emit) => {
    const result = await build.run(emit);
    if (!result.ok) emit({ type: "error", error: result.error, code: result.code });
  });
}
