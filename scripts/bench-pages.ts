// npm run bench:pages — load test of the production build.
// 50 concurrent clients fetch lesson pages (every lesson in turn), then, in the same run and the
// same way, a static file served by the same server: the floor. Prints p50/p95 latency and
// requests/s for both and the ratio; the last line is one JSON object with the figures.
import http from "node:http";
import { parseArgs } from "node:util";
import { startServer } from "./support/academy-server";

type Figures = { requests: number; errors: number; p50Ms: number; p95Ms: number; maxMs: number; requestsPerSecond: number };

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

function get(agent: http.Agent, url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
      res.on("error", reject);
    });
    req.setTimeout(30_000, () => req.destroy(new Error("timeout")));
    req.on("error", reject);
  });
}

async function load(urls: string[], clients: number, total: number): Promise<Figures> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: clients });
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const started = performance.now();
  async function client(): Promise<void> {
    while (true) {
      const i = next++;
      if (i >= total) return;
      const url = urls[i % urls.length]!;
      const t0 = performance.now();
      try {
        const status = await get(agent, url);
        if (status !== 200) errors++;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - t0);
    }
  }
  await Promise.all(Array.from({ length: clients }, client));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    requests: latencies.length,
    errors,
    p50Ms: round(percentile(latencies, 50)),
    p95Ms: round(percentile(latencies, 95)),
    maxMs: round(latencies.at(-1) ?? NaN),
    requestsPerSecond: round(latencies.length / seconds),
  };
}

async function lessonPaths(baseUrl: string): Promise<string[]> {
  const html = await (await fetch(`${baseUrl}/learn`)).text();
  const modules = [...new Set([...html.matchAll(/href="(\/learn\/[a-z0-9-]+)"/g)].map((m) => m[1]!))].filter((p) => p !== "/learn/overview");
  const lessons = new Set<string>();
  for (const mod of modules) {
    const page = await (await fetch(`${baseUrl}${mod}`)).text();
    for (const m of page.matchAll(/href="(\/learn\/[a-z0-9-]+\/[a-z0-9-]+)"/g)) lessons.add(m[1]!);
  }
  return [...lessons];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      clients: { type: "string", default: "50" },
      requests: { type: "string", default: "3000" },
      // The floor: a file from public/, served by the same server.
      static: { type: "string", default: "/robots.txt" },
    },
  });
  const clients = Number(values.clients);
  const total = Number(values.requests);
  const server = await startServer();
  try {
    const lessons = await lessonPaths(server.url);
    if (lessons.length === 0) throw new Error("found no lesson pages to fetch");
    const staticFile = values.static;
    console.log(`bench:pages: ${lessons.length} lesson pages, ${clients} concurrent clients, ${total} requests per target`);
    // Warm-up: every lesson once, so the figures are for a running server, not its first render.
    await load(lessons.map((p) => server.url + p), 4, lessons.length * 2);
    await load([server.url + staticFile], 4, 200);

    const lessonFigures = await load(lessons.map((p) => server.url + p), clients, total);
    console.log(`lesson pages : p50 ${lessonFigures.p50Ms} ms, p95 ${lessonFigures.p95Ms} ms, max ${lessonFigures.maxMs} ms, ${lessonFigures.requestsPerSecond} req/s, ${lessonFigures.errors} errors`);
    const staticFigures = await load([server.url + staticFile], clients, total);
    console.log(`static file  : p50 ${staticFigures.p50Ms} ms, p95 ${staticFigures.p95Ms} ms, max ${staticFigures.maxMs} ms, ${staticFigures.requestsPerSecond} req/s, ${staticFigures.errors} errors`);
    const ratio = Math.round((lessonFigures.p95Ms / staticFigures.p95Ms) * 100) / 100;
    console.log(`p95 ratio lesson/static: ${ratio} (target: at most 3)`);
    console.log(
      JSON.stringify({ benchmark: "pages", clients, lessonPages: lessonFigures, staticFile: { path: staticFile, ...staticFigures }, p95Ratio: ratio }),
    );
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
