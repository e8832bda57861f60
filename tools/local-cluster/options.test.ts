import { expect, test } from "vitest";
import { LocalClusterError } from "./errors";
import { clusterOptionsFromEnv, DEFAULT_PORTS } from "./options";

test("reads the data and cache directories, nodes and ports from the environment", () => {
  const options = clusterOptionsFromEnv({
    ACADEMY_DATA_DIR: "/tmp/data",
    ACADEMY_CACHE_DIR: "/tmp/cache",
    ACADEMY_CLUSTER_NODES: "2",
    ACADEMY_CLUSTER_APISERVER_PORT: "36443",
    ACADEMY_CLUSTER_ETCD_PORT: "32379",
    ACADEMY_CLUSTER_ETCD_PEER_PORT: "32380",
    ACADEMY_CLUSTER_CONTROLLER_MANAGER_PORT: "36257",
    ACADEMY_CLUSTER_SCHEDULER_PORT: "36259",
    ACADEMY_CLUSTER_KWOK_PORT: "36280",
    UNRELATED: "ignored",
  });
  expect(options).toEqual({
    dataDir: "/tmp/data",
    cacheDir: "/tmp/cache",
    nodes: 2,
    ports: { apiserver: 36443, etcdClient: 32379, etcdPeer: 32380, controllerManager: 36257, scheduler: 36259, kwok: 36280 },
  });
});

test("unset and empty variables mean the defaults", () => {
  const options = clusterOptionsFromEnv({ HOME: "/home/someone", ACADEMY_DATA_DIR: "", ACADEMY_CLUSTER_KWOK_PORT: "" });
  expect(options).toEqual({ dataDir: ".academy-data", cacheDir: "/home/someone/.cache/academy", ports: {} });
});

test("a bad value is an error naming every bad variable and its value", () => {
  let error: unknown;
  try {
    clusterOptionsFromEnv({ ACADEMY_CLUSTER_APISERVER_PORT: "http", ACADEMY_CLUSTER_ETCD_PORT: "70000", ACADEMY_CLUSTER_NODES: "0" });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(LocalClusterError);
  const message = (error as Error).message;
  expect(message).toMatch(/invalid local cluster configuration/);
  expect(message).toMatch(/ACADEMY_CLUSTER_APISERVER_PORT: must be a TCP port number, got "http"/);
  expect(message).toMatch(/ACADEMY_CLUSTER_ETCD_PORT: must be a TCP port \(1-65535\), got "70000"/);
  expect(message).toMatch(/ACADEMY_CLUSTER_NODES: must be at least 1, got "0"/);
});

test("two components on one port is an error naming both settings", () => {
  expect(() => clusterOptionsFromEnv({ ACADEMY_CLUSTER_KWOK_PORT: String(DEFAULT_PORTS.apiserver) })).toThrow(
    /ACADEMY_CLUSTER_KWOK_PORT and ACADEMY_CLUSTER_APISERVER_PORT are both port 16443/,
  );
});
