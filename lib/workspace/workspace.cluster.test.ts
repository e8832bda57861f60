// The workspace pod of a real sandbox, on the real node: it starts on demand with the lab files in
// it; kubectl inside acts as the learner (its own namespace yes, others no); a save reaches it; a
// change made in it comes back as a "terminal" revision, and a stale pod copy never overwrites a
// newer save; checks, the Workloads panel and the learner's apply leave it alone; and a fork bomb in
// it stops at the pod's pids limit while the node stays Ready.
// Needs the local cluster's real node (`npm run cluster -- start` as root).
import fs from "node:fs";
import { afterAll, beforeAll, expect, test } from "vitest";
import { eq } from "drizzle-orm";
import type { DatabaseHandle } from "@/lib/db/client";
import { sandboxes } from "@/lib/db/schema";
import { type KubeClient, type KubeObject } from "@/lib/k8s/client";
import { fileHistory, saveLabFile } from "@/lib/labs/files";
import { applyLearnerManifests } from "@/lib/sandbox/learner-apply";
import { readNamespaceWorkloads } from "@/lib/sandbox/workloads-view";
import { execInWorkspace, readWorkspacePod } from "@/lib/sandbox/workspace-pod";
import { createLearners, testCluster, testInstallation } from "@/tests/support/cluster";
import { POD_PIDS_LIMIT } from "@/tools/local-cluster/node/configs";
import { openTestDatabase } from "@/tests/support/databases";
import { changeLabSandbox, labWorkspace, pushSavedFiles, syncWorkspaceFiles } from "./index";
import { timeWorkspaceStarts } from "./workspace-start-timing";

const LAB = "batch-scoring-job";
const FILE = "k8s/job.yaml";
let handle: DatabaseHandle;
let admin: KubeClient;
let deps: { cluster: KubeClient; installation: string };
let learner: { id: string };
let namespace = "";

const sh = (script: string, timeoutMs = 20_000) => execInWorkspace(admin, namespace, ["bash", "-c", script], { timeoutMs });

beforeAll(async () => {
  admin = testCluster();
  deps = { cluster: admin, installation: testInstallation("ws") };
  handle = await openTestDatabase("pglite");
  [learner] = (await createLearners(handle.db, 1)) as [{ id: string }];
  const started = await changeLabSandbox(handle.db, learner, LAB, "start", () => {}, deps);
  if (!started.ok || !started.sandbox) throw new Error(`the sandbox did not start: ${JSON.stringify(started)}`);
  namespace = started.sandbox.namespace;
}, 120_000);

afterAll(async () => {
  if (handle && learner) await changeLabSandbox(handle.db, learner, LAB, "stop", () => {}, deps);
  await handle?.close();
}, 150_000);

test("the workspace starts on demand, on the real node, with progress in words and the lab files in it", async () => {
  const steps: string[] = [];
  const started = Date.now();
  const result = await labWorkspace(handle.db, learner, LAB, deps, { onProgress: (s) => steps.push(s) });
  console.info(`workspace pod start (cold): ${Date.now() - started} ms`);
  expect(result).toEqual({ ok: true, namespace, pod: "workspace", container: "shell" });
  expect(steps[0]).toBe("Starting your terminal…");
  expect(steps.at(-1)).toBe("Ready");
  const pod = (await readWorkspacePod(admin, namespace)) as KubeObject & { spec: { nodeName?: string } };
  const node = await admin.get<KubeObject>({ apiVersion: "v1", kind: "Node", name: pod.spec.nodeName! });
  expect(node?.metadata.labels?.["academy.dev/node"]).toBe("real");
  const seeded = await sh(`cat ~/lab/${FILE}`);
  expect(seeded.ok && seeded.exitCode).toBe(0);
  expect(seeded.ok && seeded.stdout).toBe(fs.readFileSync(`labs/${LAB}/starter/${FILE}`, "utf8"));
  // A second call finds it running and changes nothing.
  const again = await labWorkspace(handle.db, learner, LAB, deps);
  expect(again.ok).toBe(true);
  expect((await readWorkspacePod(admin, namespace))?.metadata.uid).toBe(pod.metadata.uid);
}, 120_000);

test("kubectl inside acts as the learner: their own namespace by default, nothing outside it", async () => {
  const own = await sh("id -u; kubectl get pods -o name; kubectl auth whoami -o jsonpath='{.status.userInfo.username}'");
  expect(own.ok && own.exitCode, own.ok ? own.stderr : own.error).toBe(0);
  expect(own.ok && own.stdout).toContain("10001\n");
  expect(own.ok && own.stdout).toContain("pod/workspace");
  expect(own.ok && own.stdout).toContain(`system:serviceaccount:${namespace}:learner`);
  const other = await sh("kubectl get pods -n kube-system 2>&1; echo exit=$?");
  expect(other.ok && other.stdout).toMatch(/forbidden[\s\S]*exit=1/i);
  const secrets = await sh("kubectl get secrets -A 2>&1; echo exit=$?");
  expect(secrets.ok && secrets.stdout).toMatch(/forbidden[\s\S]*exit=1/i);
}, 60_000);

test("a save reaches the pod; a change in the pod comes back as a 'terminal' revision", async () => {
  const fromEditor = "# saved in the editor\napiVersion: batch/v1\nkind: Job\n";
  const saved = await saveLabFile(handle.db, learner, { labId: LAB, path: FILE, content: fromEditor });
  expect(saved.ok).toBe(true);
  await pushSavedFiles(handle.db, learner, LAB, [FILE], deps);
  const inPod = await sh(`cat ~/lab/${FILE}`);
  expect(inPod.ok && inPod.stdout).toBe(fromEditor);

  const fromTerminal = "# changed in the terminal\napiVersion: batch/v1\nkind: Job\n";
  await sh(`printf '%s' '${fromTerminal}' > ~/lab/${FILE}; echo scratch > ~/lab/notes.txt`);
  const synced = await syncWorkspaceFiles(handle.db, learner, LAB, deps);
  expect(synced).toMatchObject({ ok: true, running: true, problems: [] });
  expect(synced.ok && synced.imported).toEqual([{ path: FILE, revision: 2, content: fromTerminal }]);
  const history = await fileHistory(handle.db, learner, LAB, FILE);
  expect(history.ok && history.revisions.map((r) => r.source)).toEqual(["terminal", "save"]);
  // Nothing changed since: the next sync imports nothing.
  const quiet = await syncWorkspaceFiles(handle.db, learner, LAB, deps);
  expect(quiet.ok && quiet.imported).toEqual([]);
}, 60_000);

test("a change in the terminal that races an editor save is kept: the pod's copy is not overwritten, and comes back as the newest revision", async () => {
  await sh(`printf 'terminal edit\\n' > ~/lab/${FILE}`);
  const saved = await saveLabFile(handle.db, learner, { labId: LAB, path: FILE, content: "editor edit\n" });
  expect(saved.ok).toBe(true);
  await pushSavedFiles(handle.db, learner, LAB, [FILE], deps);
  expect(await sh(`cat ~/lab/${FILE}`)).toMatchObject({ ok: true, stdout: "terminal edit\n" });
  const synced = await syncWorkspaceFiles(handle.db, learner, LAB, deps);
  expect(synced.ok && synced.imported.map((f) => f.content)).toEqual(["terminal edit\n"]);
  const history = await fileHistory(handle.db, learner, LAB, FILE);
  expect(history.ok && history.revisions.slice(0, 2).map((r) => r.source)).toEqual(["terminal", "save"]);
  // A stale pod copy (unchanged since the last sync) is never imported over a newer save.
  const newer = await saveLabFile(handle.db, learner, { labId: LAB, path: FILE, content: "newest from the editor\n" });
  expect(newer.ok).toBe(true);
  const stale = await syncWorkspaceFiles(handle.db, learner, LAB, deps);
  expect(stale.ok && stale.imported).toEqual([]);
}, 60_000);

test("the Workloads panel does not show it and the learner's apply cannot replace it", async () => {
  const view = await readNamespaceWorkloads(admin, namespace);
  expect(JSON.stringify(view)).not.toContain('"workspace"');
  const before = (await readWorkspacePod(admin, namespace))?.metadata.uid;
  const [row] = await handle.db.select().from(sandboxes).where(eq(sandboxes.namespace, namespace));
  const sandboxId = row!.id;
  const applied = await applyLearnerManifests(
    handle.db,
    learner,
    sandboxId,
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: workspace\nspec:\n  containers:\n  - name: shell\n    image: ghcr.io/academy-labs/workspace:1.0.0\n",
    deps,
  );
  // Refused, whichever layer says so first (the input rules, or RBAC: learners create no bare pods).
  if (applied.ok) expect(applied.results[0]).toMatchObject({ outcome: "rejected", message: expect.stringMatching(/forbidden|not allowed|cannot/i) });
  else expect(applied.error).toMatch(/pod/i);
  expect((await readWorkspacePod(admin, namespace))?.metadata.uid).toBe(before);
}, 60_000);

test("a deleted workspace pod is made again on demand (start times printed, not asserted), seeded afresh", async () => {
  const times = await timeWorkspaceStarts(handle.db, learner, LAB, 3, deps);
  console.info(`workspace pod start (warm image), ms: ${times.msEach.join(", ")}; p50 ${times.p50Ms}, p95 ${times.p95Ms}`);
  expect(times.msEach).toHaveLength(3);
  // The new pod has the lab files as saved last (the editor's newest), not the old pod's.
  const seeded = await sh(`cat ~/lab/${FILE}`);
  expect(seeded).toMatchObject({ ok: true, stdout: "newest from the editor\n" });
}, 120_000);

/** The pods limit the kubelet put on the pod's cgroup (read on this machine, where the real node runs), or null. */
function podPidsMax(uid: string): string | null {
  const root = "/sys/fs/cgroup/pids";
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 5 || found.length) return;
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const child = `${dir}/${entry.name}`;
      if (entry.name === `pod${uid}`) found.push(`${child}/pids.max`);
      else walk(child, depth + 1);
    }
  };
  if (fs.existsSync(root)) walk(root, 0);
  return found[0] && fs.existsSync(found[0]) ? fs.readFileSync(found[0], "utf8").trim() : null;
}

test("a fork bomb in the workspace stops at the pod's pids limit; the node stays Ready and the shell recovers", async () => {
  const pod = (await readWorkspacePod(admin, namespace)) as KubeObject & { metadata: { uid: string }; spec: { nodeName: string } };
  // Never set one off without the limit in place: on a node without podPidsLimit this fails here.
  const limit = podPidsMax(pod.metadata.uid);
  expect(limit, "the kubelet set no pids limit on the workspace pod: start the cluster with this branch's tools/local-cluster (podPidsLimit)").toBe(String(POD_PIDS_LIMIT));
  // Bounded: fork sleepers until fork is refused, report how many, then end them all.
  const bomb = await execInWorkspace(
    admin,
    namespace,
    [
      "python3",
      "-c",
      "import os, signal, time\nkids = []\ntry:\n    while len(kids) < 1000:\n        pid = os.fork()\n        if pid == 0:\n            time.sleep(60)\n            os._exit(0)\n        kids.append(pid)\nexcept OSError as e:\n    print('refused', len(kids), e.errno)\nfor k in kids:\n    os.kill(k, signal.SIGKILL)\nfor k in kids:\n    os.waitpid(k, 0)\n",
    ],
    { timeoutMs: 60_000 },
  );
  expect(bomb.ok ? bomb.stdout : bomb.error, bomb.ok ? bomb.stderr : "").toMatch(/^refused \d+ 11\n$/);
  const forked = Number(/refused (\d+)/.exec(bomb.ok ? bomb.stdout : "")?.[1]);
  expect(forked).toBeLessThan(POD_PIDS_LIMIT);
  expect(forked).toBeGreaterThan(POD_PIDS_LIMIT - 50);
  const node = await admin.get<KubeObject & { status: { conditions: Array<{ type: string; status: string }> } }>({ apiVersion: "v1", kind: "Node", name: pod.spec.nodeName });
  expect(node?.status.conditions.find((c) => c.type === "Ready")?.status).toBe("True");
  const after = await sh("echo still here");
  expect(after.ok && after.stdout).toBe("still here\n");
}, 90_000);
