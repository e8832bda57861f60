// What a lab page starts with, read once for both of them: the learner's (app/(learn)/labs/[labId])
// and the candidate's (app/(take)/take/[token]/labs/[labId]). The compiled instructions and the
// lab room's first state: the user's files, sandbox, attempts, last built image and whether the
// cluster can be had. Each page adds only what is its own (breadcrumbs; the assessment's timer and
// what its results policy lets the candidate see).
import "server-only";
import path from "node:path";
import type { ActingUser } from "@/lib/auth/acting-user";
import { lastBuiltImage } from "@/lib/builds/queue";
import { compileMdx } from "@/lib/content/compile";
import type { Database } from "@/lib/db/client";
import type { Role } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { listAttempts } from "@/lib/grading/attempts";
import { availabilityFor, clusterAvailability } from "@/lib/k8s/availability";
import { listLabFiles } from "@/lib/labs/files";
import { labHasTerminal, publicChecks, starterFiles, type Lab } from "@/lib/labs/registry";
import { labSandbox } from "./index";
import { attemptView, sandboxView } from "./views";

/**
 * The lab page's data for this user; `room` is the lab room's props. The user's role decides how
 * much the cluster's state says (an admin sees what is wrong; anyone else words and a request id).
 * Null when there is no such lab, which callers have already ruled out with getLab.
 */
export async function labPageView(db: Database, user: ActingUser & { role: Role }, lab: Lab) {
  const [files, sandbox, attempts, instructions, availability, lastImage] = await Promise.all([
    listLabFiles(db, user, lab.id),
    lab.sandbox ? labSandbox(db, user, lab.id) : Promise.resolve(null),
    listAttempts(db, user, lab.id),
    compileMdx(lab.body, { file: lab.file, cacheDir: path.join(env.ACADEMY_DATA_DIR, "cache", "mdx") }),
    lab.sandbox ? clusterAvailability({ needsRealNode: lab.workloads === "real" }) : Promise.resolve({ state: "ready" as const, server: "" }),
    lab.build ? lastBuiltImage(db, user, lab.id) : Promise.resolve(null),
  ]);
  if (!Array.isArray(files)) return null;
  const starter = starterFiles(lab);
  return {
    instructions: instructions.code,
    room: {
      labId: lab.id,
      files: files.map((f) => ({
        path: f.path,
        language: f.language,
        readonly: f.readonly,
        apply: f.apply,
        content: f.content,
        starter: starter[f.path] ?? "",
        revision: f.revision,
      })),
      hasSandbox: Boolean(lab.sandbox),
      availability: availabilityFor(availability, user),
      initialSandbox: sandbox ? sandboxView(sandbox) : null,
      checks: publicChecks(lab),
      initialAttempts: attempts.map(attemptView),
      buildsImage: lab.build !== null,
      lastImage,
      hasTerminal: labHasTerminal(lab),
    },
  };
}
