// Reading a Killercoda scenario folder: index.json (validated with zod) and the files it names
// (step text, verify and background scripts). Every problem names the file, what is wrong and what
// to do; nothing is read from outside the folder.
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";

/** A file of the scenario, by its path as index.json names it, with its text. */
export type ScenarioFile = { file: string; text: string };

export type ScenarioStep = {
  title: string;
  text: ScenarioFile;
  verify: ScenarioFile | null;
  background: ScenarioFile | null;
  foreground: ScenarioFile | null;
};

export type Scenario = {
  dir: string;
  title: string;
  description: string | null;
  intro: ScenarioFile | null;
  introBackground: ScenarioFile | null;
  introForeground: ScenarioFile | null;
  steps: ScenarioStep[];
  finish: ScenarioFile | null;
  imageid: string | null;
  /** `details.assets`: files Killercoda copies onto the machine (file in assets/ → target folder). */
  assets: Array<{ file: string; target: string }>;
  /** Keys of index.json the importer does not carry over, for the report. */
  ignored: string[];
};

const MAX_FILE_BYTES = 256 * 1024;

const relativeFile = z
  .string({ error: "must be the path of a file in the scenario folder, such as step1/text.md" })
  .min(1, { error: "must not be empty" })
  .refine((p) => !path.isAbsolute(p) && !p.split(/[\\/]/).includes(".."), { error: "must be a path inside the scenario folder (no `..`, not absolute)" });

const Page = z.object({ text: relativeFile.optional(), background: relativeFile.optional(), foreground: relativeFile.optional() });

const Step = z.object({
  title: z.string({ error: 'must be the step\'s title, such as "Scale the Deployment"' }).trim().min(1, { error: "must not be empty" }),
  text: relativeFile,
  verify: relativeFile.optional(),
  background: relativeFile.optional(),
  foreground: relativeFile.optional(),
});

const Asset = z.object({ file: z.string().min(1), target: z.string().min(1) });

export const KillercodaIndexSchema = z.object({
  title: z.string({ error: "must be the scenario's title" }).trim().min(1, { error: "must not be empty" }),
  description: z.string({ error: "must be text" }).optional(),
  details: z.object(
    {
      intro: Page.optional(),
      steps: z.array(Step, { error: "must be the list of steps" }).min(1, { error: "needs at least one step" }),
      finish: z.object({ text: relativeFile.optional() }).optional(),
      assets: z.record(z.string(), z.array(Asset)).optional(),
    },
    { error: 'is missing: a Killercoda index.json has "details": { "intro", "steps", "finish" }' },
  ),
  backend: z.object({ imageid: z.string().optional() }).optional(),
});

export type ReadResult = { ok: true; scenario: Scenario } | { ok: false; errors: string[] };

/** Reads `<dir>/index.json` and every file it names, or says (all at once) what is wrong. */
export function readScenario(dir: string): ReadResult {
  const indexFile = path.join(dir, "index.json");
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return { ok: false, errors: [`${dir}: is not a folder. Pass the folder of a Killercoda scenario (the one holding index.json).`] };
  let raw: string;
  try {
    raw = fs.readFileSync(indexFile, "utf8");
  } catch {
    return { ok: false, errors: [`${indexFile}: does not exist. A Killercoda scenario folder has an index.json naming its title and steps.`] };
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    return { ok: false, errors: [`${indexFile}: is not valid JSON (${error instanceof Error ? error.message : String(error)}). Fix the JSON, then import again.`] };
  }
  const parsed = KillercodaIndexSchema.safeParse(json);
  if (!parsed.success) {
    return {
      ok: false,
      errors: parsed.error.issues.map((issue) => `${indexFile}: ${issue.path.length ? issue.path.join(".") : "the file"} ${issue.message}. See docs/lab-format.md, "Import a Killercoda scenario", for the keys the importer reads.`),
    };
  }
  const index = parsed.data;
  const errors: string[] = [];
  const read = (file: string | undefined, where: string): ScenarioFile | null => {
    if (file === undefined) return null;
    const full = path.join(dir, file);
    try {
      const stat = fs.statSync(full);
      if (!stat.isFile()) throw new Error("not a file");
      if (stat.size > MAX_FILE_BYTES) {
        errors.push(`${full}: (${where}) is ${stat.size} bytes; the importer reads files of at most ${MAX_FILE_BYTES} bytes.`);
        return null;
      }
      return { file, text: fs.readFileSync(full, "utf8") };
    } catch {
      errors.push(`${full}: (${where} in index.json) does not exist. Add the file, or correct the path in index.json.`);
      return null;
    }
  };
  const intro = index.details.intro;
  const scenario: Scenario = {
    dir,
    title: index.title,
    description: index.description?.trim() || null,
    intro: read(intro?.text, "details.intro.text"),
    introBackground: read(intro?.background, "details.intro.background"),
    introForeground: read(intro?.foreground, "details.intro.foreground"),
    steps: index.details.steps.map((step, i) => ({
      title: step.title,
      text: read(step.text, `details.steps.${i}.text`) ?? { file: step.text, text: "" },
      verify: read(step.verify, `details.steps.${i}.verify`),
      background: read(step.background, `details.steps.${i}.background`),
      foreground: read(step.foreground, `details.steps.${i}.foreground`),
    })),
    finish: read(index.details.finish?.text, "details.finish.text"),
    imageid: index.backend?.imageid ?? null,
    assets: Object.values(index.details.assets ?? {}).flat(),
    ignored: ignoredKeys(json as Record<string, unknown>),
  };
  return errors.length ? { ok: false, errors } : { ok: true, scenario };
}

const READ_KEYS: Record<string, string[] | null> = { title: null, description: null, details: ["intro", "steps", "finish", "assets"], backend: ["imageid"] };

function ignoredKeys(json: Record<string, unknown>): string[] {
  return Object.entries(json).flatMap(([key, value]) => {
    if (!(key in READ_KEYS)) return [key];
    const inner = READ_KEYS[key];
    if (!inner || !value || typeof value !== "object") return [];
    return Object.keys(value).filter((k) => !inner.includes(k)).map((k) => `${key}.${k}`);
  });
}
