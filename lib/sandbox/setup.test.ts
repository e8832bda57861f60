// A lab's setup objects in the sandbox lifecycle, on both databases with the in-memory cluster:
// applied as the learner at start and again at reset, never on resume; a refused setup fails the
// start with words that blame the lab and leaves no namespace behind. (The real API server, field
// managers and the learner's later fixes: setup.cluster.test.ts.)
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import type { DatabaseHandle } from "@/lib/db/client";
import { ManifestRejected, type KubeClient, type KubeObject } from "@/lib/k8s/client";
import { createLearners } from "@/tests/support/cluster";
import { DATABASE_KINDS, openTestDatabase } from "@/tests/support/databases";
import { applyLearnerManifests } from "./learner-apply";
import { resetSandbox, resumeSandbox, startSandbox } from "./lifecycle";
import { LAST_APPLIED_ANNOTATION, setupObjects } from "./setup";
import { fakeCluster } from "./test-helpers";

const SETUP = [
  { file: "setup/deployment.yaml", text: "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: model-server\nspec:\n  replicas: 2\n" },
  { file: "setup/service.yaml", text: "apiVersion: v1\nkind: Service\nmetadata:\n  name: model-server\nspec:\n  ports: [{port: 80}]\n" },
];

/** The fake cluster, recording who applied each object. */
function recordingCluster() {
  const base = fakeCluster();
  const appliedBy: Array<{ kind: string; name: string; as: string | null }> = [];
  const as = (user: string | null): KubeClient => ({
    ...base,
    actingAs: user,
    apply: async <T extends KubeObject>(object: KubeObject) => {
      appliedBy.push({ kind: object.kind, name: object.metadata.name, as: user });
      return base.apply<T>(object);
    },
    impersonate: (next: string) => as(next),
  });
  return { cluster: as(null), objects: base.objects, appliedBy };
}

describe.each(DATABASE_KINDS)("lab setup objects on %s", (kind) => {
  let handle: DatabaseHandle;
  beforeAll(async () => {
    handle = await openTestDatabase(kind);
  });
  afterAll(async () => {
    await handle?.close();
  });

  test("start applies the setup as the learner, says so, and marks each object as kubectl apply would", async () => {
    const { cluster, objects, appliedBy } = recordingCluster();
    const [learner] = await createLearners(handle.db, 1);
    const steps: string[] = [];
    const started = await startSandbox(handle.db, learner!, { labId: "broken-lab", setup: SETUP }, (s) => steps.push(s), { cluster, installation: "unit" });
    if (!started.ok) throw new Error(started.error);
    const ns = started.sandbox.namespace;
    expect(steps).toContain("Setting up the lab: Deployment model-server, Service model-server…");
    expect(steps.indexOf("Setting up the lab: Deployment model-server, Service model-server…")).toBeLessThan(steps.indexOf("Ready"));
    expect(appliedBy.filter((a) => a.name === "model-server")).toEqual([
      { kind: "Deployment", name: "model-server", as: `system:serviceaccount:${ns}:learner` },
      { kind: "Service", name: "model-server", as: `system:serviceaccount:${ns}:learner` },
    ]);
    const deployment = objects.get(`Deployment/${ns}/model-server`)!;
    expect(deployment.metadata.namespace).toBe(ns);
    const lastApplied = JSON.parse(deployment.metadata.annotations![LAST_APPLIED_ANNOTATION]!);
    expect(lastApplied).toMatchObject({ kind: "Deployment", metadata: { name: "model-server", namespace: ns }, spec: { replicas: 2 } });
    expect(lastApplied.metadata.annotations).toBeUndefined();
  });

  test("resume leaves the learner's changes alone; reset deletes them and puts the setup back", async () => {
    const { cluster, objects } = recordingCluster();
    const deps = { cluster, installation: "unit" };
    const [learner] = await createLearners(handle.db, 1);
    const started = await startSandbox(handle.db, learner!, { labId: "reset-lab", setup: SETUP }, () => {}, deps);
    if (!started.ok) throw new Error(started.error);
    const ns = started.sandbox.namespace;
    // The learner fixes the Deployment (scales it) and adds a ConfigMap of their own.
    await applyLearnerManifests(handle.db, learner!, started.sandbox.id, "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: model-server\nspec:\n  replicas: 3\n", deps);
    await applyLearnerManifests(handle.db, learner!, started.sandbox.id, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: mine\n", deps);
    const replicas = () => (objects.get(`Deployment/${ns}/model-server`)?.spec as { replicas?: number } | undefined)?.replicas;
    expect(replicas()).toBe(3);

    const steps: string[] = [];
    expect(await resumeSandbox(handle.db, learner!, started.sandbox.id, (s) => steps.push(s), deps)).toMatchObject({ ok: true });
    expect(replicas()).toBe(3);
    expect(steps.some((s) => s.startsWith("Setting up the lab"))).toBe(false);

    steps.length = 0;
    expect(await resetSandbox(handle.db, learner!, started.sandbox.id, (s) => steps.push(s), deps, { setup: SETUP })).toMatchObject({ ok: true });
    expect(replicas()).toBe(2);
    expect(objects.has(`ConfigMap/${ns}/mine`)).toBe(false);
    expect(steps).toEqual(["Deleting your objects…", "Waiting for pods to stop…", "Restoring sandbox settings…", "Setting up the lab: Deployment model-server, Service model-server…", "Ready"]);
  });

  test("a setup the API server refuses fails the start, blames the lab, and leaves no namespace", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const { cluster, objects } = recordingCluster();
    const refusing: KubeClient = {
      ...cluster,
      impersonate: (user: string) => ({
        ...cluster.impersonate(user),
        apply: async (object: KubeObject) => {
          if (object.kind === "Deployment") throw new ManifestRejected(422, "pods must not run as root", "Invalid", {}, { kind: "Deployment", name: "model-server" });
          return cluster.apply(object);
        },
      }),
    };
    const [learner] = await createLearners(handle.db, 1);
    const result = await startSandbox(handle.db, learner!, { labId: "bad-setup-lab", setup: SETUP }, () => {}, { cluster: refusing, installation: "unit" });
    expect(result).toMatchObject({ ok: false, code: "failed" });
    expect(!result.ok && result.error).toMatch(/^The lab's starting objects could not be created in your sandbox: the lab itself is at fault, not your work\. If it keeps happening, tell your instructor the request id /);
    // What was refused, and why, is in the server log for whoever fixes the lab.
    const said = logged.mock.calls.map(([, error]) => String((error as Error).message)).join("\n");
    expect(said).toMatch(/Deployment "model-server" was refused: .*pods must not run as root/);
    logged.mockRestore();
    expect([...objects.values()].filter((o) => o.kind === "Namespace")).toEqual([]);
  });

  test("setup text that does not parse names the file and is refused before anything is applied", () => {
    expect(() => setupObjects([{ file: "setup/bad.yaml", text: "kind: Deployment\nmetadata:\n  name: x\n" }], "ns")).toThrow(/^setup\/bad\.yaml: Document 1 \(line 1\): needs `apiVersion`/);
    expect(() => setupObjects([{ file: "setup/other.yaml", text: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  namespace: kube-system\n" }], "ns")).toThrow(/setup\/other\.yaml: .*names the namespace "kube-system"/);
  });
});
