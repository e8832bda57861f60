// npm run bench:terminal [-- --learners 10 --per-learner 2 --rounds 30]
// The lab terminal against a real cluster (KUBECONFIG / ACADEMY_TEST_KUBECONFIG, else the local
// one) through the real terminal service (lib/terminal, on a loopback port of this process):
// 1. workspace pod start: each learner's first terminal starts their workspace pod through the
//    workspace facade (lib/workspace `labWorkspace`: create, wait for Running, seed the lab files),
//    all at once, in learners' sandboxes of the deploy-the-model lab on the real node;
// 2. keystroke-to-echo with learners × per-learner terminals open at once (default 20): each
//    round every terminal types one character at the same moment and waits for its echo.
// Prints figures, and as its last line one JSON object (docs/benchmarks.md).
import { randomBytes, randomUUID } from "node:crypto";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { parseArgs } from "node:util";
import { openDatabase } from "../lib/db/client";
import { users } from "../lib/db/schema";
import { env } from "../lib/env";
import { createKubeClient } from "../lib/k8s/client";
import { startSandbox, stopSandbox } from "../lib/sandbox/lifecycle";
import { uninstall } from "../lib/sandbox/upkeep";
import { terminalDeps } from "../lib/terminal";
import { labWorkspace } from "../lib/workspace";
import { createTerminalService } from "../lib/terminal/server";
import { clusterOptionsFromEnv, startLocalCluster } from "../tools/local-cluster";
import { openReady, sessionCookie, type TestTerminal } from "../tests/support/terminal";

const { values } = parseArgs({ options: { learners: { type: "string", default: "10" }, "per-learner": { type: "string", default: "2" }, rounds: { type: "string", default: "30" } } });
const learnerCount = Number(values.learners);
const perLearner = Number(values["per-learner"]);
const rounds = Number(values.rounds);
const SITE = "http://bench.invalid";
const SECRET = randomBytes(32).toString("base64url");
const LAB = "deploy-the-model";

function percentile(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}
const ms = (n: number) => Math.round(n * 10) / 10;

async function echoOf(terminal: TestTerminal, char: string): Promise<number> {
  const from = terminal.text.length;
  const began = performance.now();
  terminal.type(char);
  for (;;) {
    if (terminal.text.slice(from).includes(char)) return performance.now() - began;
    await new Promise((r) => setImmediate(r));
    if (performance.now() - began > 30_000) throw new Error("no echo within 30 s");
  }
}

async function main(): Promise<void> {
  const kubeconfig = env.KUBECONFIG ?? process.env.ACADEMY_TEST_KUBECONFIG ?? (await startLocalCluster(clusterOptionsFromEnv())).kubeconfigPath;
  const admin = createKubeClient(kubeconfig);
  const handle = await openDatabase({ memory: true });
  const installation = `bench-term-${randomBytes(3).toString("hex")}`;
  const sandboxDeps = { cluster: admin, installation };
  const podStarts: number[] = [];
  const started = new Set<string>();
  const service = createTerminalService(
    terminalDeps({
      db: async () => handle.db,
      cluster: () => admin,
      siteUrl: SITE,
      secret: () => SECRET,
      workspace: async (db, user, labId, onProgress) => {
        const began = performance.now();
        const found = await labWorkspace(db, user, labId, sandboxDeps, { onProgress });
        // Only the learner's first terminal starts the pod; later ones find it running.
        if (found.ok && !started.has(user.id)) {
          started.add(user.id);
          podStarts.push(performance.now() - began);
        }
        return found;
      },
    }),
  );
  const base = `http://127.0.0.1:${await service.listen(0)}`;
  const learners = Array.from({ length: learnerCount }, (_, i) => ({ id: randomUUID(), email: `bench-${installation}-${i}@example.invalid`, name: `Bench ${i}` }));
  const sandboxes: Array<{ learner: { id: string }; id: string }> = [];
  const terminals: TestTerminal[] = [];
  try {
    await handle.db.insert(users).values(learners);
    await Promise.all(
      learners.map(async (learner) => {
        const started = await startSandbox(handle.db, learner, { labId: LAB, placement: "real", ttlMinutes: 30 }, () => {}, sandboxDeps);
        if (!started.ok) throw new Error(started.error);
        sandboxes.push({ learner, id: started.sandbox.id });
      }),
    );
    console.error(`bench:terminal: ${learnerCount} lab environments ready; opening ${learnerCount * perLearner} terminals`);
    const cookies = await Promise.all(learners.map((l) => sessionCookie(l.id, SECRET)));
    // 1. The first terminal of each learner creates the workspace pod.
    terminals.push(...(await Promise.all(learners.map((_, i) => openReady(base, { labId: LAB, origin: SITE, cookie: cookies[i] })))));
    for (let k = 1; k < perLearner; k++) terminals.push(...(await Promise.all(learners.map((_, i) => openReady(base, { labId: LAB, origin: SITE, cookie: cookies[i] })))));
    // Let every shell print its prompt.
    await new Promise((r) => setTimeout(r, 3_000));

    // 2. Keystroke to echo, every terminal at once.
    const echoes: number[] = [];
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    for (let round = 0; round < rounds; round++) {
      const char = String.fromCharCode(97 + (round % 26));
      echoes.push(...(await Promise.all(terminals.map((t) => echoOf(t, char)))));
    }
    loop.disable();
    for (const t of terminals) t.type("\x15"); // Ctrl-U: clear the line

    const result = {
      terminals: terminals.length,
      learners: learnerCount,
      workspaceStartP50Ms: ms(percentile(podStarts, 50)),
      workspaceStartP95Ms: ms(percentile(podStarts, 95)),
      echoSamples: echoes.length,
      echoP50Ms: ms(percentile(echoes, 50)),
      echoP95Ms: ms(percentile(echoes, 95)),
      echoMaxMs: ms(Math.max(...echoes)),
      eventLoopDelayMaxMs: ms(loop.max / 1e6),
    };
    console.log(`workspace pod start (${podStarts.length} pods created at once): p50 ${result.workspaceStartP50Ms} ms, p95 ${result.workspaceStartP95Ms} ms`);
    console.log(`keystroke to echo (${terminals.length} terminals open, ${echoes.length} keystrokes): p50 ${result.echoP50Ms} ms, p95 ${result.echoP95Ms} ms, max ${result.echoMaxMs} ms`);
    console.log(JSON.stringify(result));
  } finally {
    for (const t of terminals) t.socket.close();
    await service.close();
    await Promise.all(sandboxes.map((s) => stopSandbox(handle.db, s.learner, s.id, () => {}, sandboxDeps)));
    await uninstall(admin, installation);
    await handle.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
