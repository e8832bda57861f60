// SQL: the learner's query runs against a real PostgreSQL, a fresh in-memory PGlite (PostgreSQL
// compiled to WebAssembly) per check, seeded with the lab's read-only SQL files, and its result
// is compared with the reference query's on the same data.
//
// Isolation: the database lives and dies inside the static-check worker, which has no environment,
// no credentials and no database of the app's; the learner's statement runs as one cursor in a
// READ ONLY transaction that is rolled back, so it can neither change the seed nor see anything
// else. PGlite does not enforce statement_timeout (it has no timer signals), so the time limit is
// the worker's hard kill at the check's timeout; rows and bytes are limited here. A PostgreSQL
// server is never used for grading, even when DATABASE_URL names one (docs/lab-format.md, sql.query).
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { PGlite, types } from "@electric-sql/pglite";
import { z } from "zod";
import type { CheckContext, CheckOutcome } from "../types";
import { FileParam, defineKind, fileText, lineOf, missingFile } from "./kind";

/** What a query returns: column names with their type OIDs, and every value as PostgreSQL's text. */
export type SqlResult = { columns: { name: string; type: number }[]; rows: (string | null)[][] };

/** The error fields of PostgreSQL's ErrorResponse that a learner needs (both clients expose them). */
export type SqlError = { message: string; code?: string; position?: string | number; hint?: string; detail?: string };

/** A database session: trusted SQL through `exec`, one statement with parameters through `query`. */
export type SqlEngine = {
  exec(sql: string): Promise<void>;
  query(sql: string, params: readonly string[]): Promise<SqlResult>;
  close(): Promise<void>;
};

export const SQL_LIMITS = { maxRows: 1000, maxBytes: 1_000_000 };

// PGlite's `types` maps type names to OIDs (and also holds a few helpers, which are not types).
const TYPE_OIDS = Object.entries(types as Record<string, unknown>).flatMap(([name, oid]) => (typeof oid === "number" ? [[name, oid] as const] : []));
const TYPE_NAMES = new Map<number, string>(TYPE_OIDS.map(([name, oid]) => [oid, name.toLowerCase()]));
const NUMERIC_TYPES = new Set<number>([types.INT2, types.INT4, types.INT8, types.FLOAT4, types.FLOAT8, types.NUMERIC]);
// Every type as text, the way psql prints it: values compare exactly and read as the learner sees them.
const AS_TEXT = Object.fromEntries(TYPE_OIDS.map(([, oid]) => [oid, (value: string) => value]));

// initdb takes most of PGlite's start (5-10 s on a busy machine), and each attempt's checks run in
// a new worker. So a pristine cluster, made before any lab's SQL ran, is dumped once and kept:
// in memory for the worker's later checks, and in the Academy user's cache directory (0700, the
// file 0600, named by PGlite's version) for later workers. Every engine starts from that copy:
// fresh, in about a second. A cache file that is not ours or does not load is made again.
let pristine: Promise<Blob> | null = null;

/** Where the pristine cluster is cached for later workers; null when PGlite's version cannot be read. */
export function cacheFile(): string | null {
  try {
    const require = createRequire(import.meta.url);
    const manifest = path.join(path.dirname(require.resolve("@electric-sql/pglite")), "..", "package.json");
    const { version } = JSON.parse(fs.readFileSync(manifest, "utf8")) as { version?: unknown };
    if (typeof version !== "string" || !/^[0-9A-Za-z.+-]+$/.test(version)) return null;
    return path.join(os.homedir(), ".cache", "academy", `pglite-${version}-pristine.tar`);
  } catch {
    return null;
  }
}

function readCache(file: string | null): Blob | null {
  if (file === null) return null;
  try {
    const stat = fs.statSync(file);
    if (!stat.isFile() || stat.uid !== process.getuid?.() || (stat.mode & 0o077) !== 0) return null;
    return new Blob([fs.readFileSync(file)]);
  } catch {
    return null;
  }
}

async function writeCache(file: string | null, dump: Blob): Promise<void> {
  if (file === null) return;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const temporary = `${file}.${process.pid}.${Date.now()}`;
    fs.writeFileSync(temporary, Buffer.from(await dump.arrayBuffer()), { mode: 0o600 });
    fs.renameSync(temporary, file);
  } catch {
    // Without a cache the next worker runs initdb again: slower, not wrong.
  }
}

async function freshDump(): Promise<Blob> {
  const db = new PGlite();
  try {
    await db.waitReady;
    return await db.dumpDataDir("none");
  } finally {
    await db.close();
  }
}

function pristineCluster(): Promise<Blob> {
  pristine ??= (async () => {
    const file = cacheFile();
    const cached = readCache(file);
    if (cached) return cached;
    const dump = await freshDump();
    await writeCache(file, dump);
    return dump;
  })().catch((error: unknown) => {
    pristine = null;
    throw error;
  });
  return pristine;
}

async function openPglite(snapshot: Blob): Promise<PGlite> {
  const db = new PGlite({ parsers: AS_TEXT, loadDataDir: snapshot });
  await db.waitReady;
  return db;
}

/** A fresh in-memory PGlite with UTC as its time zone. */
export async function pgliteEngine(): Promise<SqlEngine> {
  let db: PGlite;
  try {
    db = await openPglite(await pristineCluster());
  } catch {
    // A cached copy that does not load (truncated, another build): make a new one.
    const dump = await freshDump();
    pristine = Promise.resolve(dump);
    await writeCache(cacheFile(), dump);
    db = await openPglite(dump);
  }
  await db.exec("SET TIME ZONE 'UTC'");
  return {
    async exec(sql) {
      await db.exec(sql);
    },
    async query(sql, params) {
      const result = await db.query<unknown[]>(sql, [...params], { rowMode: "array" });
      return {
        columns: result.fields.map((f) => ({ name: f.name, type: f.dataTypeID })),
        rows: result.rows.map((row) => row.map((v) => (v === null || v === undefined ? null : String(v)))),
      };
    },
    close: () => db.close(),
  };
}

const CURSOR = "academy_rows";
const DECLARE = `DECLARE ${CURSOR} NO SCROLL CURSOR FOR\n`;

export type QueryRun = { ok: true; result: SqlResult } | { ok: false; error: SqlError } | { ok: false; tooLarge: string };

/**
 * Runs one query as a cursor in a READ ONLY transaction after `setup`, fetches at most
 * `maxRows` + 1 rows, and rolls everything back. DECLARE accepts only SELECT, VALUES, TABLE and
 * WITH … SELECT (no data-modifying WITH), and the extended protocol refuses a second statement.
 */
export async function runQuery(engine: SqlEngine, sql: string, params: readonly string[], setup = "", limits = SQL_LIMITS): Promise<QueryRun> {
  await engine.exec("BEGIN");
  try {
    if (setup.trim() !== "") await engine.exec(setup);
    await engine.exec("SET TRANSACTION READ ONLY");
    await engine.query(DECLARE + sql, params);
    const result = await engine.query(`FETCH ${limits.maxRows + 1} FROM ${CURSOR}`, []);
    if (result.rows.length > limits.maxRows) return { ok: false, tooLarge: `returns more than ${limits.maxRows} rows` };
    const bytes = result.rows.reduce((sum, row) => sum + row.reduce((s, v) => s + (v?.length ?? 0), 0), 0);
    if (bytes > limits.maxBytes) return { ok: false, tooLarge: `returns more than ${limits.maxBytes} characters of data` };
    return { ok: true, result };
  } catch (error) {
    if (error && typeof error === "object" && "message" in error) return { ok: false, error: error as SqlError };
    throw error;
  } finally {
    await engine.exec("ROLLBACK");
  }
}

const isSpace = (ch: string) => " \t\n\r\f\v".includes(ch);

// Offset of the first character that is not whitespace or a comment (line comments and nested block comments).
function firstTokenOffset(sql: string): number {
  let i = 0;
  while (i < sql.length) {
    if (isSpace(sql[i]!)) i++;
    else if (sql.startsWith("--", i)) {
      const end = sql.indexOf("\n", i);
      i = end === -1 ? sql.length : end + 1;
    } else if (sql.startsWith("/*", i)) {
      let depth = 1;
      i += 2;
      while (i < sql.length && depth > 0) {
        if (sql.startsWith("/*", i)) {
          depth++;
          i += 2;
        } else if (sql.startsWith("*/", i)) {
          depth--;
          i += 2;
        } else i++;
      }
    } else break;
  }
  return i;
}

/** The learner's error in their words: file, line and column, the line with a caret, PostgreSQL's hint. */
export function explainSqlError(file: string, sql: string, error: SqlError): CheckOutcome {
  if (error.message.includes("cannot insert multiple commands into a prepared statement")) {
    return {
      status: "fail",
      message: `\`${file}\` holds more than one SQL statement; this check runs exactly one query. Keep a single SELECT (a WITH … SELECT is one statement) and remove the rest.`,
    };
  }
  const raw = Number(error.position);
  const offset = Number.isInteger(raw) && raw > DECLARE.length ? raw - DECLARE.length - 1 : null;
  if (offset !== null && error.code === "42601" && offset === firstTokenOffset(sql)) {
    let end = offset;
    while (end < sql.length && !isSpace(sql[end]!) && sql[end] !== "(" && sql[end] !== ";") end++;
    const word = sql.slice(offset, end);
    return {
      status: "fail",
      message: `\`${file}\` must be one query (SELECT, WITH … SELECT or VALUES); it starts with \`${word}\`. This check only reads: it never runs statements that change data.`,
    };
  }
  const details: string[] = [];
  let where = "";
  if (offset !== null && offset <= sql.length) {
    const line = lineOf(sql, offset);
    const lineStart = sql.lastIndexOf("\n", offset - 1) + 1;
    const lineEnd = sql.indexOf("\n", offset);
    const text = sql.slice(lineStart, lineEnd === -1 ? sql.length : lineEnd);
    where = `:${line}:${offset - lineStart + 1}`;
    details.push(text, `${" ".repeat(offset - lineStart)}^`);
  }
  if (error.detail) details.push(`Detail: ${error.detail}`);
  if (error.hint) details.push(`Hint: ${error.hint}`);
  return { status: "fail", message: `PostgreSQL refused \`${file}\`${where}: ${error.message}`, details };
}

const Case = z
  .object({
    /** How the learner reads this case in a message, e.g. "with the cutoff 2024-07-01". */
    name: z.string().min(1).max(120),
    /** Values for $1, $2, … (as text; PostgreSQL casts them as the query says). */
    params: z.array(z.string().max(200)).max(10).default([]),
    /** Trusted SQL run after the seed, inside the case's transaction (it is rolled back). */
    setup: z.string().max(20_000).default(""),
  })
  .strict();

const Params = z
  .object({
    file: FileParam,
    /** Read-only lab files run in order on the fresh database (schema, then data). */
    seed: z.array(FileParam).min(1).max(10),
    /** The reference query; labs read it from their solution. */
    reference: z.string().min(1).max(50_000),
    cases: z.array(Case).min(1).max(10).default([{ name: "on the lab's data", params: [], setup: "" }]),
    /** Columns that identify a row, so a difference names the row (e.g. ["customer_id"]). */
    key: z.array(z.string().min(1)).max(5).default([]),
    /** Whether the row order is part of the answer (the query's ORDER BY). */
    ordered: z.boolean().default(false),
    /** Numbers match when they differ by at most this, relative to the larger one (or absolutely below 1). */
    tolerance: z.number().min(0).max(0.1).default(1e-6),
    maxRows: z.number().int().min(1).max(10_000).default(SQL_LIMITS.maxRows),
  })
  .strict();

type SqlParams = z.output<typeof Params>;

const typeName = (oid: number) => TYPE_NAMES.get(oid) ?? `type ${oid}`;
const show = (v: string | null) => (v === null ? "NULL" : JSON.stringify(v));

function sameValue(a: string | null, b: string | null, numeric: boolean, tolerance: number): boolean {
  if (a === null || b === null) return a === b;
  if (a === b) return true;
  if (!numeric) return false;
  const x = Number(a);
  const y = Number(b);
  return Number.isFinite(x) && Number.isFinite(y) && Math.abs(x - y) <= tolerance * Math.max(1, Math.abs(x), Math.abs(y));
}

/** Compares the learner's result with the reference's; null when they agree, else what differs. */
export function compareResults(got: SqlResult, want: SqlResult, params: Pick<SqlParams, "key" | "ordered" | "tolerance">): { message: string; details?: string[] } | null {
  const names = got.columns.map((c) => c.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate) return { message: `Your result has two columns named \`${duplicate}\`; give each column its own name with AS.` };
  const wanted = want.columns.map((c) => c.name);
  const missing = wanted.filter((n) => !names.includes(n));
  const extra = names.filter((n) => !wanted.includes(n));
  if (missing.length || extra.length) {
    return {
      message: `Your result's columns are ${names.map((n) => `\`${n}\``).join(", ") || "none"}; the lab expects ${wanted.map((n) => `\`${n}\``).join(", ")}.`,
      details: [...(missing.length ? [`Missing: ${missing.join(", ")}`] : []), ...(extra.length ? [`Not expected: ${extra.join(", ")}`] : [])],
    };
  }
  // The learner's rows, reordered to the reference's columns.
  const index = wanted.map((n) => names.indexOf(n));
  const rows = got.rows.map((row) => index.map((i) => row[i]!));
  const numeric = want.columns.map((c) => NUMERIC_TYPES.has(c.type));
  const keyIdx = params.key.map((k) => wanted.indexOf(k)).filter((i) => i >= 0);
  const label = (row: (string | null)[]) =>
    keyIdx.length ? keyIdx.map((i) => `${wanted[i]} = ${row[i] ?? "NULL"}`).join(", ") : `(${row.map(show).join(", ")})`;
  const keyOf = (row: (string | null)[]) => JSON.stringify(keyIdx.map((i) => row[i]));

  if (keyIdx.length) {
    const wantByKey = new Map(want.rows.map((r) => [keyOf(r), r]));
    const seen = new Map<string, number>();
    for (const row of rows) {
      const k = keyOf(row);
      seen.set(k, (seen.get(k) ?? 0) + 1);
      if (seen.get(k) === 2) return { message: `Your result has more than one row for ${label(row)}; the lab expects one row per ${params.key.join(", ")}.` };
      if (!wantByKey.has(k)) return { message: `Your result has a row for ${label(row)}, which the lab does not expect.` };
    }
    const absent = want.rows.filter((r) => !seen.has(keyOf(r)));
    if (absent.length) {
      return {
        message: `Your result has no row for ${label(absent[0]!)}${absent.length > 1 ? ` (and ${absent.length - 1} more)` : ""}; the lab expects ${want.rows.length} rows, you return ${rows.length}.`,
      };
    }
    for (const row of rows) {
      const ref = wantByKey.get(keyOf(row))!;
      for (let c = 0; c < wanted.length; c++) {
        if (sameValue(row[c]!, ref[c]!, numeric[c]!, params.tolerance)) continue;
        const types = got.columns[index[c]!]!.type !== want.columns[c]!.type ? ` (your column is ${typeName(got.columns[index[c]!]!.type)}, the expected one ${typeName(want.columns[c]!.type)})` : "";
        return { message: `For ${label(row)}, \`${wanted[c]}\` is ${show(row[c]!)}; expected ${show(ref[c]!)}${types}.` };
      }
    }
  } else {
    if (rows.length !== want.rows.length) return { message: `Your query returns ${rows.length} rows; the lab expects ${want.rows.length}.` };
    const sortKey = (r: (string | null)[]) => JSON.stringify(r);
    const a = [...rows].sort((x, y) => sortKey(x).localeCompare(sortKey(y)));
    const b = [...want.rows].sort((x, y) => sortKey(x).localeCompare(sortKey(y)));
    for (let r = 0; r < a.length; r++) {
      const c = wanted.findIndex((_, i) => !sameValue(a[r]![i]!, b[r]![i]!, numeric[i]!, params.tolerance));
      if (c >= 0) return { message: `Your rows differ from the expected ones: the expected row ${label(b[r]!)} is not in your result (column \`${wanted[c]}\` differs first).` };
    }
  }
  if (params.ordered) {
    for (let r = 0; r < rows.length; r++) {
      const same = wanted.every((_, c) => sameValue(rows[r]![c]!, want.rows[r]![c]!, numeric[c]!, params.tolerance));
      if (!same) return { message: `Your rows are right but in another order: row ${r + 1} is ${label(rows[r]!)}; expected ${label(want.rows[r]!)}. Check the ORDER BY.` };
    }
  }
  return null;
}

/** The whole check on one engine: seed, then for each case the reference and the learner's query. */
export async function gradeQuery(engine: SqlEngine, params: SqlParams, files: Readonly<Record<string, string>>): Promise<CheckOutcome> {
  const sql = fileText({ files } as CheckContext, params.file);
  if (sql === null) return missingFile(params.file);
  for (const seed of params.seed) {
    const text = files[seed];
    if (text === undefined) throw new Error(`sql.query: the seed file ${seed} is not a file of the lab`);
    await engine.exec(text);
  }
  const limits = { ...SQL_LIMITS, maxRows: params.maxRows };
  for (const [n, c] of params.cases.entries()) {
    const want = await runQuery(engine, params.reference, c.params, c.setup, limits);
    if (!want.ok) throw new Error(`sql.query: the reference query fails ${c.name}: ${"tooLarge" in want ? want.tooLarge : want.error.message}`);
    const got = await runQuery(engine, sql, c.params, c.setup, limits);
    const prefix = params.cases.length > 1 ? `${c.name[0]!.toUpperCase()}${c.name.slice(1)}: ` : "";
    if (!got.ok) {
      if ("tooLarge" in got) return { status: "fail", message: `${prefix}\`${params.file}\` ${got.tooLarge}; the lab expects ${want.result.rows.length}. Check the joins and the WHERE clause.` };
      const explained = explainSqlError(params.file, sql, got.error);
      return n === 0 ? explained : { ...explained, message: `${prefix}${explained.message}` };
    }
    const difference = compareResults(got.result, want.result, params);
    if (difference) return { status: "fail", message: `${prefix}${difference.message}`, ...(difference.details ? { details: difference.details } : {}) };
  }
  const count = params.cases.length;
  return { status: "pass", message: `\`${params.file}\` returns the expected rows${count > 1 ? ` in all ${count} cases` : ""}.` };
}

export const sqlKinds = {
  "sql.query": defineKind({
    params: Params,
    needsCluster: false,
    // Starting PGlite takes a few seconds on a busy machine; the worker's kill is the query's time limit.
    timeoutMs: 30_000,
    async run(params, ctx) {
      const engine = await pgliteEngine();
      try {
        return await gradeQuery(engine, params, ctx.files);
      } finally {
        await engine.close();
      }
    },
  }),
};
