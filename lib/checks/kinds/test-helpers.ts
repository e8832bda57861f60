// Test helpers for check kinds: a context over fixture files and an in-memory namespace. The fake
// namespace reads the array every time (every read is "fresh"), so a test can change it mid-check.
import type { AnyObject, CheckContext, KubeRef, LiveSandbox, ReadOnlyCluster } from "../types";

export function fakeCluster(objects: AnyObject[], namespace = "lab-test"): ReadOnlyCluster {
  const matches = (o: AnyObject, selector?: string) =>
    !selector ||
    selector.split(",").every((pair) => {
      const [k, v] = pair.split("=");
      return o.metadata.labels?.[k!] === v;
    });
  return {
    namespace,
    async get(ref: KubeRef) {
      return objects.find((o) => o.apiVersion === ref.apiVersion && o.kind === ref.kind && o.metadata.name === ref.name) ?? null;
    },
    async list(apiVersion: string, kind: string, options = {}) {
      return objects.filter((o) => o.apiVersion === apiVersion && o.kind === kind && matches(o, options.labelSelector));
    },
  };
}

export function contextWith(files: Record<string, string>, objects?: AnyObject[]): CheckContext {
  return {
    labId: "test-lab",
    files,
    namespace: objects ? "lab-test" : null,
    cluster: objects ? fakeCluster(objects) : null,
    dryRunAsLearner: null,
    signal: new AbortController().signal,
  };
}

/** A live sandbox whose answers the test gives; it records what the check did (pods made and deleted, commands run). */
export type FakeLive = LiveSandbox & { created: AnyObject[]; deleted: string[]; commands: string[][] };

export function fakeLive(handlers: Partial<Pick<LiveSandbox, "http" | "logs" | "exec" | "createPod">> = {}, namespace = "lab-test"): FakeLive {
  const created: AnyObject[] = [];
  const deleted: string[] = [];
  const commands: string[][] = [];
  return {
    namespace,
    created,
    deleted,
    commands,
    http: handlers.http ?? (async () => ({ status: 200, text: "{}", json: {}, fromApiServer: false })),
    logs: handlers.logs ?? (async () => ""),
    async exec(pod, container, command, options) {
      commands.push(command);
      return handlers.exec ? handlers.exec(pod, container, command, options) : { ok: true, exitCode: 0, stdout: "", stderr: "" };
    },
    async createPod(pod) {
      created.push(pod);
      return handlers.createPod ? handlers.createPod(pod) : { ok: true, pod };
    },
    async deletePod(name) {
      deleted.push(name);
    },
  };
}

/** A context over files, an in-memory namespace and a fake live sandbox. */
export function liveContextWith(objects: AnyObject[], live: FakeLive, files: Record<string, string> = {}): CheckContext {
  return { ...contextWith(files, objects), live };
}
