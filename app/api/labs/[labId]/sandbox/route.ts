import { z } from "zod";
import { getCurrentUser } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { ndjsonResponse } from "@/lib/http/ndjson";
import { getLab } from "@/lib/labs/registry";
import { sandboxView, type SandboxEvent } from "@/lib/labs/views";
import { sandboxForLab } from "@/lib/labs/workspace";
import { resetSandbox, resumeSandbox, startSandbox, stopSandbox, type SandboxResult } from "@/lib/sandbox/service";

export const dynamic = "force-dynamic";

const BodySchema = z.object({ action: z.enum(["start", "reset", "stop"]) });

/** Starts, resets or stops the learner's sandbox for a lab, streaming progress in words. */
export async function POST(request: Request, { params }: { params: Promise<{ labId: string }> }) {
  const user = await getCurrentUser();
  if (!user) return Response.json({ error: "Sign in to use a lab environment." }, { status: 401 });
  const lab = getLab((await params).labId);
  if (!lab || !lab.sandbox) return Response.json({ error: "This lab has no lab environment." }, { status: 404 });
  const body = BodySchema.safeParse(await request.json().catch(() => null));
  if (!body.success) return Response.json({ error: "Unknown action." }, { status: 400 });
  const db = await getDb();
  const sizeProfile = lab.sandbox;

  return ndjsonResponse<SandboxEvent>(async (emit) => {
    const progress = (step: string) => emit({ type: "progress", step });
    const existing = await sandboxForLab(db, user, lab.id);
    let result: SandboxResult;
    if (body.data.action === "start") {
      result = existing
        ? await resumeSandbox(db, user, existing.id, progress)
        : await startSandbox(db, user, { labId: lab.id, sizeProfile, ttlMinutes: lab.ttlMinutes ?? undefined }, progress);
    } else if (!existing) {
      emit({ type: "done", sandbox: null });
      return;
    } else if (body.data.action === "reset") {
      result = await resetSandbox(db, user, existing.id, progress);
    } else {
      result = await stopSandbox(db, user, existing.id, progress);
    }
    if (result.ok) {
      emit({ type: "done", sandbox: result.sandbox.state === "gone" ? null : sandboxView(result.sandbox) });
    } else {
      emit({ type: "error", error: result.error, code: result.code });
    }
  });
}
