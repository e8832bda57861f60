// Structured files: YAML/JSON parsing with limits (alias bombs, depth), value checks at a path,
// and OpenAPI documents validated with @readme/openapi-parser (OpenAPI 3.0/3.1 schemas plus its
// extra rules). External `$ref`s are refused: the grader never reads files or URLs a learner names.
import { dereference, validate } from "@readme/openapi-parser";
import { LineCounter, parseAllDocuments } from "yaml";
import { z } from "zod";
import { fail, isOutcome, pass, type CheckContext, type CheckOutcome } from "../types";
import { FileParam, ValueRule, defineKind, fileText, getPath, judgeValue, lineOf, missingFile } from "./kind";
import { learnerPattern } from "../pattern";

const POSITION = learnerPattern(String.raw`position (\d+)`);
const ALIAS = learnerPattern("alias", "i");
const OPENAPI_3 = learnerPattern(String.raw`^3\.[01]\.`);
const BLANKS = learnerPattern(String.raw`\s+`);

export const STRUCTURED_LIMITS = { maxAliasCount: 100, maxDepth: 64 };

export type StructuredResult = { ok: true; value: unknown } | { ok: false; line: number | null; message: string; bomb?: boolean };

function depthExceeds(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (d > limit) return true;
    if (v && typeof v === "object") for (const child of Object.values(v)) stack.push([child, d + 1]);
  }
  return false;
}

/** Parses YAML (one document) or JSON; refuses alias bombs and absurd nesting with a message. */
export function parseStructured(text: string, format: "yaml" | "json"): StructuredResult {
  let value: unknown;
  if (format === "json") {
    try {
      value = JSON.parse(text);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const position = POSITION.exec(message);
      return { ok: false, line: position ? lineOf(text, Number(position[1])) : null, message: `not valid JSON: ${message}` };
    }
  } else {
    const lineCounter = new LineCounter();
    const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true });
    const list = Array.isArray(docs) ? docs : [];
    if (list.length > 1) return { ok: false, line: null, message: "has more than one YAML document; this file holds one" };
    const doc = list[0];
    if (!doc) return { ok: false, line: null, message: "is empty" };
    if (doc.errors.length > 0) {
      const e = doc.errors[0]!;
      return { ok: false, line: lineCounter.linePos(e.pos[0]).line, message: `not valid YAML: ${e.message.split("\n")[0]}` };
    }
    try {
      value = doc.toJS({ maxAliasCount: STRUCTURED_LIMITS.maxAliasCount });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (ALIAS.test(message)) {
        return { ok: false, line: null, bomb: true, message: `expands YAML aliases too many times (more than ${STRUCTURED_LIMITS.maxAliasCount}); write the values out instead of repeating \`*aliases\`` };
      }
      return { ok: false, line: null, message: `could not be read: ${message.split("\n")[0]}` };
    }
  }
  if (depthExceeds(value, STRUCTURED_LIMITS.maxDepth)) {
    return { ok: false, line: null, bomb: true, message: `is nested more than ${STRUCTURED_LIMITS.maxDepth} levels deep` };
  }
  return { ok: true, value };
}

/** For multi-document YAML (manifests): a message when some document is an alias bomb or absurdly deep. */
export function yamlBombProblem(text: string): string | null {
  let docs: ReturnType<typeof parseAllDocuments>;
  try {
    docs = parseAllDocuments(text);
  } catch {
    return null;
  }
  for (const [index, doc] of (Array.isArray(docs) ? docs : []).entries()) {
    if (doc.errors.length > 0) continue;
    try {
      const value = doc.toJS({ maxAliasCount: STRUCTURED_LIMITS.maxAliasCount });
      if (depthExceeds(value, STRUCTURED_LIMITS.maxDepth)) return `document ${index + 1} is nested more than ${STRUCTURED_LIMITS.maxDepth} levels deep`;
    } catch (error) {
      if (ALIAS.test(String(error))) {
        return `document ${index + 1} expands YAML aliases more than ${STRUCTURED_LIMITS.maxAliasCount} times (a "billion laughs" pattern); write the values out instead`;
      }
    }
  }
  return null;
}

const Format = z.enum(["yaml", "json"]).optional();

function formatOf(file: string, format: "yaml" | "json" | undefined): "yaml" | "json" {
  return format ?? (file.endsWith(".json") ? "json" : "yaml");
}

function readStructured(ctx: CheckContext, file: string, format?: "yaml" | "json"): { value: unknown } | CheckOutcome {
  const text = fileText(ctx, file);
  if (text === null) return missingFile(file);
  const parsed = parseStructured(text, formatOf(file, format));
  if (!parsed.ok) return fail(`\`${file}\`${parsed.line ? ` line ${parsed.line}` : ""}: ${parsed.message}.`);
  return { value: parsed.value };
}

/** `$ref`s that leave the document (files, URLs). */
function externalRefs(value: unknown): string[] {
  const found: string[] = [];
  const stack = [value];
  while (stack.length) {
    const v = stack.pop();
    if (!v || typeof v !== "object") continue;
    for (const [k, child] of Object.entries(v)) {
      if (k === "$ref" && typeof child === "string" && !child.startsWith("#")) found.push(child);
      else stack.push(child);
    }
  }
  return found;
}

const PARSER_OPTIONS = {
  resolve: { external: false },
  dereference: { circular: "ignore" as const },
  timeoutMs: 5000,
};

type OpenApiDoc = { openapi?: string; paths?: Record<string, Record<string, unknown>> };

async function readOpenApi(ctx: CheckContext, file: string): Promise<{ doc: OpenApiDoc } | CheckOutcome> {
  const read = readStructured(ctx, file);
  if (isOutcome(read)) return read;
  const value = read.value as OpenApiDoc;
  if (!value || typeof value !== "object" || typeof value.openapi !== "string" || !OPENAPI_3.test(value.openapi)) {
    return fail(`\`${file}\` is not an OpenAPI 3.0/3.1 document: it needs \`openapi: 3.1.0\` (or 3.0.x) at the top.`);
  }
  const external = externalRefs(value);
  if (external.length) return fail(`\`${file}\` refers to other files or URLs (${external.slice(0, 3).join(", ")}); keep every schema in this document under \`components\`.`);
  return { doc: value };
}

const STATUS_CLASS = z.string().regex(/^([1-5][0-9][0-9]|[1-5]xx)$/, "a status code (200) or class (4xx)");

export const structuredKinds = {
  "structured.parses": defineKind({
    params: z.object({ file: FileParam, format: Format }),
    needsCluster: false,
    async run(p, ctx) {
      const read = readStructured(ctx, p.file, p.format);
      return isOutcome(read) ? read : pass(`\`${p.file}\` parses as ${formatOf(p.file, p.format).toUpperCase()}.`);
    },
  }),

  "structured.field": defineKind({
    params: z.object({ file: FileParam, format: Format }).and(ValueRule),
    needsCluster: false,
    async run(p, ctx) {
      const read = readStructured(ctx, p.file, p.format);
      if (isOutcome(read)) return read;
      const problem = judgeValue(getPath(read.value, p.path), p);
      return problem ? fail(`\`${p.file}\`: ${problem}.`) : pass(`\`${p.file}\`: \`${p.path}\` is as expected.`);
    },
  }),

  "openapi.valid": defineKind({
    params: z.object({ file: FileParam }),
    needsCluster: false,
    async run(p, ctx) {
      const read = await readOpenApi(ctx, p.file);
      if (isOutcome(read)) return read;
      const result = await validate(structuredClone(read.doc) as never, PARSER_OPTIONS);
      if (!result.valid) {
        const errors = result.errors.map((e) => BLANKS.replaceAll(e.message.split("\n").filter((l) => l.trim()).slice(0, 6).join(" "), " "));
        return fail(`\`${p.file}\` is not a valid OpenAPI document: ${errors[0]}`, errors);
      }
      return pass(`\`${p.file}\` is a valid OpenAPI ${read.doc.openapi} document.`);
    },
  }),

  "openapi.operation": defineKind({
    params: z.object({
      file: FileParam,
      method: z.enum(["get", "put", "post", "delete", "patch"]),
      path: z.string().startsWith("/"),
      requestBody: z.boolean().default(true),
      /** Status codes or classes that must be documented, each with a response schema. */
      responses: z.array(STATUS_CLASS).min(1),
    }),
    needsCluster: false,
    async run(p, ctx) {
      const read = await readOpenApi(ctx, p.file);
      if (isOutcome(read)) return read;
      let doc: OpenApiDoc;
      try {
        doc = (await dereference(structuredClone(read.doc) as never, PARSER_OPTIONS)) as OpenApiDoc;
      } catch (error) {
        return fail(`\`${p.file}\`: a \`$ref\` cannot be resolved: ${error instanceof Error ? error.message : String(error)}`);
      }
      const op = doc.paths?.[p.path]?.[p.method] as
        | { requestBody?: { content?: Record<string, { schema?: object }> }; responses?: Record<string, { content?: Record<string, { schema?: object }> }> }
        | undefined;
      const label = `${p.method.toUpperCase()} ${p.path}`;
      if (!op) return fail(`\`${p.file}\` has no \`${label}\` operation (under \`paths: {"${p.path}": {${p.method}: …}}\`).`);
      const problems: string[] = [];
      const hasSchema = (content: Record<string, { schema?: object }> | undefined) =>
        Object.values(content ?? {}).some((m) => m.schema && Object.keys(m.schema).length > 0);
      if (p.requestBody && !hasSchema(op.requestBody?.content)) problems.push("the request body has no schema (requestBody.content.<media type>.schema)");
      const codes = Object.keys(op.responses ?? {});
      for (const want of p.responses) {
        const matching = codes.filter((c) => (want.endsWith("xx") ? c[0] === want[0] : c === want) || c.toLowerCase() === want.toLowerCase());
        if (matching.length === 0) problems.push(`no ${want} response is documented`);
        else if (!matching.some((c) => hasSchema(op.responses![c]!.content))) problems.push(`the ${matching.join("/")} response has no schema`);
      }
      return problems.length ? fail(`\`${label}\`: ${problems.join("; ")}.`, problems) : pass(`\`${label}\` documents its request and ${p.responses.join(", ")} responses with schemas.`);
    },
  }),
};
