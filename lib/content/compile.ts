// Compiles lesson MDX with mdx-bundler. Compilations go through a queue of at most two at a time
// (esbuild is memory hungry), and results are cached in memory and on disk under a key made of
// the source's hash and the compiler's version, so a restart or a second build is fast and a
// compiler upgrade never serves stale output.
import "server-only";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { bundleMDX } from "mdx-bundler";
import remarkGfm from "remark-gfm";
import rehypeSlug from "rehype-slug";
import rehypeHighlight from "rehype-highlight";
import { common } from "lowlight";
import dockerfile from "highlight.js/lib/languages/dockerfile";
import http from "highlight.js/lib/languages/http";
import { splitFrontmatter } from "./frontmatter";
import { emptyAnalysis, rehypeCodeBlocks, rehypeCollect, rehypeConsole, type MdxAnalysis } from "./mdx-plugins";

/** Bump when the plugins in this folder change what they output. */
export const CACHE_VERSION = 3;

const CONCURRENCY = 2;
const MEMORY_ENTRIES = 500;

export type CompiledMdx = {
  /** mdx-bundler output, for `getMDXComponent`. The frontmatter (and so the quiz answers) is not in it. */
  code: string;
  analysis: MdxAnalysis;
};

export type CompileOptions = {
  /** The file the source came from: named in errors, and the base for anything it resolves. */
  file: string;
  /** Directory for the on-disk cache; null or absent keeps the cache in memory only. */
  cacheDir?: string | null;
};

/** An MDX file that does not compile; the message starts with `file:line:column`. */
export class MdxCompileError extends Error {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly reason: string;

  constructor(file: string, line: number, column: number, reason: string) {
    super(`${displayPath(file)}:${line}:${column} — ${reason}`);
    this.name = "MdxCompileError";
    this.file = file;
    this.line = line;
    this.column = column;
    this.reason = reason;
  }
}

function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith("..") ? file : relative;
}

let versionKey: string | undefined;

/** mdx-bundler, esbuild and plugin versions plus CACHE_VERSION: part of every cache key. */
export function compilerVersion(): string {
  versionKey ??= [
    `cache-${CACHE_VERSION}`,
    ...[
      "mdx-bundler",
      "@mdx-js/esbuild",
      "@mdx-js/mdx",
      "esbuild",
      "remark-gfm",
      "rehype-slug",
      "rehype-highlight",
      "highlight.js",
      "github-slugger",
    ].map((name) => `${name}@${installedVersion(name)}`),
  ].join(" ");
  return versionKey;
}

function installedVersion(name: string): string {
  try {
    const file = path.join(process.cwd(), "node_modules", name, "package.json");
    return (JSON.parse(fs.readFileSync(file, "utf8")) as { version?: string }).version ?? "unknown";
  } catch {
    return "unknown";
  }
}

const memory = new Map<string, Promise<CompiledMdx>>();

/** Forgets compiled output held in memory (tests; the disk cache is untouched). */
export function clearMemoryCache(): void {
  memory.clear();
}

/**
 * Compiles one MDX document (frontmatter included or not; it is stripped). Throws
 * MdxCompileError for a document that does not compile.
 */
export function compileMdx(source: string, options: CompileOptions): Promise<CompiledMdx> {
  const { body } = splitFrontmatter(source);
  const key = createHash("sha256").update(compilerVersion()).update("\0").update(body).digest("hex");
  const cached = memory.get(key);
  if (cached) return cached;
  const pending = compileCached(key, body, options);
  memory.set(key, pending);
  pending.catch(() => memory.delete(key));
  if (memory.size > MEMORY_ENTRIES) {
    const oldest = memory.keys().next().value;
    if (oldest !== undefined) memory.delete(oldest);
  }
  return pending;
}

async function compileCached(key: string, body: string, options: CompileOptions): Promise<CompiledMdx> {
  const cacheFile = options.cacheDir ? path.join(options.cacheDir, `${key}.json`) : null;
  if (cacheFile) {
    const hit = await readCacheFile(cacheFile);
    if (hit) return hit;
  }
  const compiled = await withSlot(() => compile(body, options.file));
  if (cacheFile) await writeCacheFile(cacheFile, compiled);
  return compiled;
}

async function readCacheFile(file: string): Promise<CompiledMdx | null> {
  try {
    const parsed = JSON.parse(await fs.promises.readFile(file, "utf8")) as Partial<CompiledMdx>;
    if (typeof parsed.code === "string" && parsed.analysis) return parsed as CompiledMdx;
  } catch {
    // Missing or unreadable: compile again.
  }
  return null;
}

async function writeCacheFile(file: string, compiled: CompiledMdx): Promise<void> {
  try {
    await fs.promises.mkdir(path.dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await fs.promises.writeFile(temporary, JSON.stringify(compiled));
    await fs.promises.rename(temporary, file);
  } catch (error) {
    // A read-only or full disk only costs speed; the compiled output is still served.
    console.warn(`content: could not write the MDX cache file ${file}: ${String(error)}`);
  }
}

let active = 0;
const waiting: Array<() => void> = [];

async function withSlot<T>(work: () => Promise<T>): Promise<T> {
  if (active < CONCURRENCY) active++;
  else await new Promise<void>((resolve) => waiting.push(resolve));
  try {
    return await work();
  } finally {
    // Hand the slot straight to the next waiter, so a newcomer cannot overtake it.
    const next = waiting.shift();
    if (next) next();
    else active--;
  }
}

async function compile(body: string, file: string): Promise<CompiledMdx> {
  const absolute = path.resolve(file);
  const analysis = emptyAnalysis();
  try {
    const result = await bundleMDX({
      // A name that does not exist on disk: if it did, esbuild's resolver would read the real
      // file (frontmatter, quiz answers and all) instead of the stripped body given here.
      source: { value: body, path: path.join(path.dirname(absolute), "__academy_mdx_entry__.mdx") },
      cwd: path.dirname(absolute),
      mdxOptions(options) {
        options.remarkPlugins = [...(options.remarkPlugins ?? []), remarkGfm];
        options.rehypePlugins = [
          ...(options.rehypePlugins ?? []),
          rehypeSlug,
          rehypeCodeBlocks,
          [rehypeHighlight, { languages: { ...common, dockerfile, http }, plainText: ["text", "console"] }],
          rehypeConsole,
          rehypeCollect(analysis),
        ];
        return options;
      },
      esbuildOptions(options) {
        options.logLevel = "silent";
        return options;
      },
    });
    return { code: result.code, analysis };
  } catch (error) {
    throw toCompileError(error, absolute, body);
  }
}

type EsbuildMessage = {
  text?: string;
  location?: { line: number; column: number } | null;
  detail?: unknown;
};

function toCompileError(error: unknown, file: string, body: string): MdxCompileError {
  const first = (error as { errors?: EsbuildMessage[] } | null)?.errors?.[0];
  if (first) {
    // @mdx-js/esbuild puts the MDX parser's message (1-based line and column) in `detail`.
    const detail = first.detail as
      | { line?: number; column?: number; reason?: string; cause?: { line?: number; column?: number; reason?: string } }
      | undefined;
    const cause = detail?.cause?.reason ? detail.cause : detail;
    if (cause?.reason && typeof cause.line === "number") {
      return new MdxCompileError(file, cause.line, cause.column ?? 1, cause.reason);
    }
    // Other esbuild errors (an import that does not resolve) point into the JavaScript that MDX
    // generated, not the MDX; find the quoted name in the source instead.
    const reason = first.text ?? "does not compile";
    const quoted = /"([^"]+)"/.exec(reason)?.[1];
    const lines = body.split(/\r?\n/);
    const index = quoted ? lines.findIndex((line) => line.includes(quoted)) : -1;
    if (quoted && index >= 0) {
      return new MdxCompileError(file, index + 1, lines[index]!.indexOf(quoted) + 1, reason);
    }
    return new MdxCompileError(file, 1, 1, reason);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new MdxCompileError(file, 1, 1, message);
}
