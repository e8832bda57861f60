// A lab's setup objects: the manifests in labs/<id>/<setup folder>/ (frontmatter `setup:`) that
// the learner's sandbox starts with, and gets again on a reset (docs/decisions/015). Reading them
// for the sandbox, and content:check's rules for them. They are parsed by the learner's own parser
// (lib/sandbox/learner-input.ts, pure), so what content:check accepts is what the sandbox applies.
import "server-only";
import fs from "node:fs";
import path from "node:path";
import type { ContentProblem } from "@/lib/content/check";
import { parseAllDocuments } from "yaml";
import { z } from "zod";
import { parseLearnerManifests } from "@/lib/sandbox/learner-input";

/** What a lab may set up: the kinds the learner can create themselves (and so fix or delete). */
export const SETUP_KINDS: Readonly<Record<string, string>> = {
  Deployment: "apps/v1",
  StatefulSet: "apps/v1",
  Job: "batch/v1",
  CronJob: "batch/v1",
  Service: "v1",
  ConfigMap: "v1",
  Secret: "v1",
};

/**
 * Objects a learner deletes from the sandbox, as with `kubectl delete` (a fixture's and a step
 * solution's `removeObjects`): only kinds a lab can set up, so labs:verify knows their apiVersion.
 */
export const RemoveObjectsSchema = z
  .array(z.strictObject({ kind: z.enum(Object.keys(SETUP_KINDS) as [string, ...string[]], { error: `must be one of ${Object.keys(SETUP_KINDS).join(", ")}` }), name: z.string().min(1).max(253) }), {
    error: "must be a list of { kind, name }",
  })
  .default([]);

export const SETUP_FILE = /\.(ya?ml|json)$/;
/** At most this many files (the sandbox input schema says the same). */
export const MAX_SETUP_FILES = 20;

/** A setup file as the sandbox gets it: its path in the lab folder (`setup/deployment.yaml`) and its text. */
export type SetupFile = { file: string; text: string };

/** The manifest files of the setup folder, sorted by name (the order they are applied in). */
export function setupFileNames(labDir: string, folder: string): string[] {
  const dir = path.join(labDir, folder);
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isFile() && SETUP_FILE.test(e.name)).map((e) => e.name).sort();
}

/** Reads the setup folder; throws when it cannot be read (content:check says why first). */
export function readSetupFiles(labDir: string, folder: string): SetupFile[] {
  return setupFileNames(labDir, folder).map((name) => ({ file: `${folder}/${name}`, text: fs.readFileSync(path.join(labDir, folder, name), "utf8") }));
}

/** Stands in for the learner's namespace while checking: setup objects never name one. */
const CHECK_NAMESPACE = "lab-setup-check";

/** content:check for a lab's setup folder: parses like the learner's input, namespace-less, allowed kinds, no duplicates. */
export function checkSetup(labDir: string, folder: string): ContentProblem[] {
  const dir = path.join(labDir, folder);
  const problems: ContentProblem[] = [];
  const report = (file: string, line: number, message: string) => problems.push({ file, line, column: 1, message });
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    report(path.join(labDir, "lab.mdx"), 1, `frontmatter \`setup\` names ${folder}/, but there is no folder labs/${path.basename(labDir)}/${folder}/`);
    return problems;
  }
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isFile() || !SETUP_FILE.test(entry.name)) {
      report(path.join(dir, entry.name), 1, `${folder}/ holds only manifest files (.yaml, .yml, .json), directly in the folder; move or remove ${entry.name}`);
    }
  }
  const names = setupFileNames(labDir, folder);
  if (names.length === 0) report(dir, 1, `${folder}/ has no manifests: add the objects the sandbox starts with, or remove \`setup\` from lab.mdx`);
  if (names.length > MAX_SETUP_FILES) report(dir, 1, `${folder}/ has ${names.length} files; at most ${MAX_SETUP_FILES}`);
  const seen = new Map<string, string>();
  for (const name of names) {
    const file = path.join(dir, name);
    const text = fs.readFileSync(file, "utf8");
    // The parser fills in the learner's namespace (and refuses others); the text must name none.
    const named = parseAllDocuments(text).flatMap((doc, i) => {
      const value = doc.errors.length ? null : (doc.toJS({ maxAliasCount: 100 }) as { metadata?: { namespace?: unknown } } | null);
      return value?.metadata?.namespace === undefined ? [] : [{ document: i + 1, line: doc.contents?.range ? text.slice(0, doc.contents.range[0]).split("\n").length : 1 }];
    });
    for (const n of named) {
      report(file, n.line, `Document ${n.document} names a namespace; setup objects go into each learner's own namespace, so leave \`metadata.namespace\` out`);
    }
    if (named.length > 0) continue;
    const parsed = parseLearnerManifests(text, CHECK_NAMESPACE);
    if (!parsed.ok) {
      for (const p of parsed.problems) report(file, p.line ?? 1, p.message);
      continue;
    }
    for (const item of parsed.objects) {
      const at = (message: string) => report(file, item.line, `Document ${item.document} (${item.kind} "${item.name}"): ${message}`);
      const apiVersion = SETUP_KINDS[item.kind];
      if (!apiVersion) at(`${item.kind} is not a kind a lab can set up (allowed: ${Object.keys(SETUP_KINDS).join(", ")}: the kinds the learner can change and delete)`);
      else if (item.apiVersion !== apiVersion) at(`a ${item.kind} is \`apiVersion: ${apiVersion}\`, not ${item.apiVersion}`);
      const key = `${item.kind}/${item.name}`;
      if (seen.has(key)) at(`${key} is already set up in ${seen.get(key)}`);
      else seen.set(key, name);
    }
  }
  return problems;
}
