// Checks that build the learner's image for real (lib/builds through the context's buildImage):
// the Dockerfile is judged by what buildah does with it, not by reading it.
import { z } from "zod";
import { fail, pass, type CheckOutcome } from "../types";
import { defineKind } from "./kind";

/** A build waits for a slot, then has up to its deadline (10 minutes by default). */
const BUILD_CHECK_TIMEOUT_MS = 12 * 60_000;

export const imageKinds = {
  "image.builds": defineKind({
    params: z.object({}).strict(),
    needsCluster: false,
    inProcess: true,
    timeoutMs: BUILD_CHECK_TIMEOUT_MS,
    async run(_params, ctx): Promise<CheckOutcome> {
      if (!ctx.buildImage) {
        return { status: "error", message: "This lab builds no image, so this check cannot run. Your instructor has been told." };
      }
      const verdict = await ctx.buildImage();
      if (verdict.ok) {
        return pass(`Your image builds: \`${verdict.image}\` (${Math.round(verdict.durationMs / 1000)} s).`, [`Digest ${verdict.digest}`]);
      }
      if (verdict.platform) return { status: "error", message: verdict.error, ...(verdict.details.length ? { details: verdict.details } : {}) };
      return fail(`Your image does not build. ${verdict.error}`, verdict.details);
    },
  }),
};
