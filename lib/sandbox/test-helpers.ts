// For unit tests only: an in-memory stand-in for the API server, enough for the sandbox's database
// rules (the real API server is exercised in the *.cluster.test.ts files).
import type { KubeClient, KubeObject, ObjectRef } from "@/lib/k8s/client";

/** Just enough of the API server: objects in a map, namespaces deleted at once. */
export function fakeCluster(): KubeClient & { objects: Map<string, KubeObject> } {
  const objects = new Map<string, KubeObject>();
  const key = (r: { kind: string; name: string; namespace?: string }) => `${r.kind}/${r.namespace ?? ""}/${r.name}`;
  const client = {
    objects,
    server: "https://fake",
    actingAs: null,
    kubeConfig: undefined as never,
    async apply<T extends KubeObject>(object: KubeObject): Promise<T> {
      await Promise.resolve();
      objects.set(key({ kind: object.kind, ...object.metadata }), object);
      return object as T;
    },
    async get<T extends KubeObject>(ref: ObjectRef): Promise<T | null> {
      return (objects.get(key(ref)) as T) ?? null;
    },
    async list<T extends KubeObject>(_apiVersion: string, kind: string, options: { namespace?: string } = {}): Promise<T[]> {
      return [...objects.values()].filter((o) => o.kind === kind && (!options.namespace || o.metadata.namespace === options.namespace)) as T[];
    },
    async remove(ref: ObjectRef): Promise<boolean> {
      if (ref.kind === "Namespace") {
        for (const [k, o] of objects) if (o.metadata.namespace === ref.name) objects.delete(k);
      }
      return objects.delete(key(ref));
    },
    async pathFor(ref: { kind: string; namespace?: string; name?: string }) {
      return `/fake/${ref.kind}/${ref.namespace ?? ""}/${ref.name ?? ""}`;
    },
    async request<T>(method: string, urlPath: string): Promise<T> {
      if (method === "DELETE" && urlPath.startsWith("/fake/")) {
        const [, , kind, namespace] = urlPath.split("/");
        for (const [k, o] of objects) if (o.kind === kind && o.metadata.namespace === namespace && o.metadata.name !== "kube-root-ca.crt") objects.delete(k);
      }
      return {} as T;
    },
    impersonate(): KubeClient {
      return client;
    },
    async socketOptions() {
      throw new Error("the fake cluster has no sockets");
    },
  };
  return client;
}
