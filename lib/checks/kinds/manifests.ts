// Manifest validation by the real API server: a server-side dry-run with the learner's own
// rights, so schema errors, unknown fields, RBAC, quota and Pod Security all speak, and nothing
// is persisted. Each refusal names the file, the document and the field.
import { z } from "zod";
import { fail, pass } from "../types";
import { FileParam, defineKind, fileText, missingFile } from "./kind";

export const manifestKinds = {
  "manifests.dryRun": defineKind({
    params: z.object({ files: z.array(FileParam).min(1) }),
    needsCluster: true,
    async run(p, ctx) {
      if (!ctx.dryRunAsLearner) throw new Error("manifests.dryRun needs the lab's sandbox.");
      const problems: string[] = [];
      let objects = 0;
      for (const file of p.files) {
        const text = fileText(ctx, file);
        if (text === null) return missingFile(file);
        const outcome = await ctx.dryRunAsLearner(text);
        if (!outcome.ok) {
          problems.push(...outcome.problems.map((m) => `${file}: ${m}`));
          continue;
        }
        for (const r of outcome.results) {
          objects++;
          if (!r.ok) {
            problems.push(`${file}, document ${r.document} (line ${r.line}), ${r.kind} "${r.name}"${r.field ? `, field \`${r.field}\`` : ""}: ${r.message}`);
          }
        }
      }
      if (problems.length) {
        return fail(`The API server would refuse ${problems.length === 1 ? "one object" : `${problems.length} problems`}: ${problems[0]}`, problems);
      }
      return pass(`The API server accepts all ${objects} object(s) (dry-run with your permissions).`);
    },
  }),
};
