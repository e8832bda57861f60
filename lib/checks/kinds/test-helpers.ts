// Test helpers for check kinds: a context over fixture files and an in-memory namespace. The fake
// namespace reads the array every time (every read is "fresh"), so a test can change it mid-check.
import type { AnyObject, CheckContext, KubeRef, ReadOnlyCluster } from "../types";

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
