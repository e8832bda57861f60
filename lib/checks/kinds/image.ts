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
  "image.runs": defineKind({
    params: z
      .object({
        port: z.number().int().min(1).max(65535),
        path: z.string().startsWith("/").default("/healthz"),
        /** The main process must not run as root (uid 0). */
        nonRoot: z.boolean().default(true),
      })
      .strict(),
    needsCluster: false,
    inProcess: true,
    timeoutMs: BUILD_CHECK_TIMEOUT_MS,
    async run(p, ctx): Promise<CheckOutcome> {
      if (!ctx.buildImage || !ctx.runBuiltImage) {
        return { status: "error", message: "This lab builds no image, so this check cannot run. Your instructor has been told." };
      }
      const built = await ctx.buildImage();
      if (!built.ok) return built.platform ? { status: "error", message: built.error } : fail("Your image does not build, so it cannot run: see the check above.");
      const ran = await ctx.runBuiltImage({ port: p.port, path: p.path });
      if (!ran.ok) return ran.platform ? { status: "error", message: ran.error } : fail(ran.error, ran.details);
      if (p.nonRoot && ran.uid === 0) {
        return fail("Your container answers, but its process runs as root (uid 0). Create a user in the final stage and switch to it with USER.");
      }
      if (p.nonRoot && ran.uid === null) {
        return { status: "error", message: "Your container answers, but the grader could not read which user it runs as. Check again." };
      }
      return pass(`Your image starts and answers GET ${p.path} on port ${p.port}${p.nonRoot ? ` as uid ${ran.uid}, not root` : ""}.`);
    },
  }),
};
