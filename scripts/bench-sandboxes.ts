// npm run bench:sandboxes -- --learners 200 [--concurrency 20] [--postgres postgres://user@host/db]
// Starts one sandbox for each of N learners through the sandbox service (database record,
// server-side apply of every platform object, waiting for the quota to be counted), `concurrency`
// at a time, against the local control plane (or KUBECONFIG). The floor: the same objects for the
// same number of namespaces created by direct minimal API calls (POST namespace, then the other
// eleven at once), the same way; and, to show what server-side apply itself costs, the same calls
// as server-side apply. Floors and service alternate in rounds so that all meet the same
// background load. Then everything is reaped and timed. Prints p50/p95/max start
// latency, errors, sandboxes/s, floor and ratio, reap time; the last line is one JSON object.
import { randomBytes, randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { clusterOptionsFromEnv, startLocalCluster } from "@/tools/local-cluster";
import { users } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { createKubeClient, defaultKubeconfigPath, type KubeClient, type KubeObject } from "@/lib/k8s/client";
import { INSTALLATION_LABEL, MANAGED_SELECTOR, platformObjectsFor, sandboxNamespaceName, toApiObject } from "@/lib/sandbox/manifests";
import { startSandbox } from "@/lib/sandbox/lifecycle";
import { readClusterEndpoints } from "@/lib/sandbox/platform";
import { reap } from "@/lib/sandbox/upkeep";
import { openTestDatabase } from "@/tests/support/databases";

type Figures = { starts: number; errors: number; p50Ms: number; p95Ms: number; maxMs: number; perSecond: number; wallMs: number };

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

type Side = { latencies: number[]; errors: number; busyMs: number; firstError?: string };

/** Runs items [from, to) of one side, `concurrency` at a time, adding to its figures. */
async function round(side: Side, from: number, to: number, concurrency: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = from;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, to - from) }, async () => {
      for (let i = next++; i < to; i = next++) {
        const t0 = performance.now();
        try {
          await work(i);
        } catch (error) {
          side.errors++;
          side.firstError ??= error instanceof Error ? error.message : String(error);
        }
        side.latencies.push(performance.now() - t0);
      }
    }),
  );
  side.busyMs += performance.now() - started;
}

function figures(side: Side): Figures & { firstError?: string } {
  const sorted = [...side.latencies].sort((a, b) => a - b);
  return {
    starts: sorted.length,
    errors: side.errors,
    p50Ms: Math.round(percentile(sorted, 50)),
    p95Ms: Math.round(percentile(sorted, 95)),
    maxMs: Math.round(sorted.at(-1) ?? NaN),
    perSecond: Number((sorted.length / (side.busyMs / 1000)).toFixed(1)),
    wallMs: Math.round(side.busyMs),
    ...(side.firstError ? { firstError: side.firstError } : {}),
  };
}

/**
 * The floor: the same twelve objects, created with plain POSTs (or, for the second reference,
 * server-side applied) in two round trips, and nothing else: no database, no quota status.
 */
async function createDirectly(cluster: KubeClient, installation: string, how: "post" | "apply"): Promise<string> {
  const name = sandboxNamespaceName("bench/floor");
  const now = new Date();
  const objects = platformObjectsFor({ installation, learnerId: "floor", labId: "bench/floor", name, createdAt: now, expiresAt: now, sizeProfile: "small", cluster: await readClusterEndpoints(cluster) });
  const post = async (object: object) => {
    const o = toApiObject(object) as KubeObject;
    const collection = await cluster.pathFor({ apiVersion: o.apiVersion, kind: o.kind, namespace: o.metadata.namespace });
    if (how === "apply") await cluster.apply(o);
    else await cluster.request("POST", collection, { body: o });
  };
  await post(objects.namespace);
  await Promise.all(
    [...objects.networkPolicies, objects.quota, objects.limitRange, ...objects.identities.flatMap((i) => [i.serviceAccount, i.role, i.roleBinding])].map(post),
  );
  return name;
}

async function deleteInstallation(cluster: KubeClient, installation: string): Promise<void> {
  const selector = `${MANAGED_SELECTOR},${INSTALLATION_LABEL}=${installation}`;
  const namespaces = await cluster.list("v1", "Namespace", { labelSelector: selector });
  await Promise.all(namespaces.map((n) => cluster.remove({ apiVersion: "v1", kind: "Namespace", name: n.metadata.name })));
  while ((await cluster.list("v1", "Namespace", { labelSelector: selector })).length > 0) {
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      learners: { type: "string", default: "200" },
      concurrency: { type: "string", default: "20" },
      /** A PostgreSQL server where this user may create databases; default: embedded PGlite. */
      postgres: { type: "string" },
    },
  });
  const learners = Number(values.learners);
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(learners) || learners < 1 || !Number.isInteger(concurrency) || concurrency < 1) {
    console.error("usage: npm run bench:sandboxes -- --learners 200 [--concurrency 20]");
    return 2;
  }
  if (!env.KUBECONFIG) await startLocalCluster({ ...clusterOptionsFromEnv(), dataDir: env.ACADEMY_DATA_DIR });
  const cluster = createKubeClient(defaultKubeconfigPath());
  const run = randomBytes(4).toString("hex");
  const deps = { cluster, installation: `bench-${run}`, terminationTimeoutMs: 600_000 };
  const floorInstallation = `bench-floor-${run}`;
  // The throw-away database the tests use: in-memory PGlite, or one created on the server and dropped at the end.
  const handle = await openTestDatabase(values.postgres ? "postgres" : "pglite", { postgresUrl: values.postgres });
  try {
    const ids = Array.from({ length: learners }, () => randomUUID());
    await handle.db.insert(users).values(ids.map((id, i) => ({ id, email: `bench-${run}-${i}@example.com`, name: `Bench ${i}` })));
    // Warm up discovery and connections so neither side pays for them.
    await cluster.list("v1", "Namespace", { labelSelector: "academy.dev/none=1" });

    console.log(`bench: ${learners} sandboxes, ${concurrency} at a time, cluster ${cluster.server}, database ${handle.kind}`);
    // Floor and service run in alternating rounds, so both meet the same background load on a
    // shared machine; each round is `concurrency` starts wide.
    const floorSide: Side = { latencies: [], errors: 0, busyMs: 0 };
    const applyFloorSide: Side = { latencies: [], errors: 0, busyMs: 0 };
    const serviceSide: Side = { latencies: [], errors: 0, busyMs: 0 };
    const width = Math.max(concurrency * 2, 20);
    for (let from = 0; from < learners; from += width) {
      const to = Math.min(learners, from + width);
      await round(floorSide, from, to, concurrency, async () => {
        await createDirectly(cluster, floorInstallation, "post");
      });
      await round(applyFloorSide, from, to, concurrency, async () => {
        await createDirectly(cluster, floorInstallation, "apply");
      });
      await round(serviceSide, from, to, concurrency, async (i) => {
        const result = await startSandbox(handle.db, { id: ids[i]! }, { labId: "bench-start" }, () => {}, deps);
        if (!result.ok) throw new Error(`${result.code}: ${result.error}`);
      });
    }
    const floor = figures(floorSide);
    const applyFloor = figures(applyFloorSide);
    const service = figures(serviceSide);
    console.log(`floor (direct POSTs):  p50 ${floor.p50Ms} ms  p95 ${floor.p95Ms} ms  max ${floor.maxMs} ms  ${floor.perSecond}/s  errors ${floor.errors}`);
    console.log(`floor (direct apply):  p50 ${applyFloor.p50Ms} ms  p95 ${applyFloor.p95Ms} ms  max ${applyFloor.maxMs} ms  ${applyFloor.perSecond}/s  errors ${applyFloor.errors}`);
    console.log(`startSandbox:          p50 ${service.p50Ms} ms  p95 ${service.p95Ms} ms  max ${service.maxMs} ms  ${service.perSecond}/s  errors ${service.errors}`);
    if (service.firstError) console.log(`first error: ${service.firstError}`);
    await deleteInstallation(cluster, floorInstallation);

    const reapStarted = performance.now();
    const reaped = await reap(handle.db, new Date(Date.now() + 48 * 3600_000), deps);
    const reapMs = Math.round(performance.now() - reapStarted);
    console.log(`reap: ${reaped.reaped.length} namespaces gone in ${(reapMs / 1000).toFixed(1)} s, ${reaped.stuck.length} stuck`);

    const ratio = Number((service.p95Ms / floor.p95Ms).toFixed(2));
    const throughputRatio = Number((floor.perSecond / service.perSecond).toFixed(2));
    const ratioVsApply = Number((service.p95Ms / applyFloor.p95Ms).toFixed(2));
    console.log(`ratio (p95 service / p95 POST floor): ${ratio}; throughput ratio (floor / service): ${throughputRatio}`);
    console.log(`ratio (p95 service / p95 apply floor): ${ratioVsApply}`);
    console.log(
      JSON.stringify({
        learners,
        concurrency,
        database: handle.kind,
        start: { p50Ms: service.p50Ms, p95Ms: service.p95Ms, maxMs: service.maxMs, errors: service.errors, perSecond: service.perSecond },
        floor: { p50Ms: floor.p50Ms, p95Ms: floor.p95Ms, maxMs: floor.maxMs, errors: floor.errors, perSecond: floor.perSecond },
        applyFloor: { p50Ms: applyFloor.p50Ms, p95Ms: applyFloor.p95Ms, maxMs: applyFloor.maxMs, errors: applyFloor.errors, perSecond: applyFloor.perSecond },
        ratio,
        ratioVsApplyFloor: ratioVsApply,
        throughputRatio,
        reap: { ms: reapMs, reaped: reaped.reaped.length, stuck: reaped.stuck.length },
      }),
    );
    return service.errors === 0 && floor.errors === 0 && applyFloor.errors === 0 && reaped.stuck.length === 0 ? 0 : 1;
  } finally {
    await deleteInstallation(cluster, deps.installation).catch(() => {});
    await deleteInstallation(cluster, floorInstallation).catch(() => {});
    await handle.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
