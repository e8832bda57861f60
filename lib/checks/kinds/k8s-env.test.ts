import { describe, expect, test } from "vitest";
import type { AnyObject } from "../types";
import { envKinds } from "./k8s-env";
import { contextWith } from "./test-helpers";

type Container = Record<string, unknown> & { name: string };

function deployment(...containers: Container[]): AnyObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "model-server" },
    spec: { template: { metadata: { labels: { app: "model" } }, spec: { containers: containers.map((c) => ({ image: "ghcr.io/x/model:1.0.0", ...c })) } } },
  };
}

const configMap = (name: string, data: Record<string, string>): AnyObject => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name }, data });
const secret = (name: string, data: Record<string, string>): AnyObject => ({ apiVersion: "v1", kind: "Secret", metadata: { name }, data });

const SETTINGS = configMap("settings", { MODEL_PATH: "/models/churn.onnx", model_path: "/models/churn.onnx", LOG_LEVEL: "info" });
const CREDS = secret("model-store", { token: Buffer.from("s3cr3t-value").toString("base64") });
const DEP = { kind: "Deployment", name: "model-server" } as const;

const kind = envKinds["k8s.containerEnv"];
async function run(params: Record<string, unknown>, objects: AnyObject[]) {
  return kind.run(kind.params.parse({ workload: DEP, ...params }) as never, contextWith({}, objects));
}

const env = (name: string, rest: Record<string, unknown>) => ({ name, ...rest });
const fromSecret = (name: string, key: string, optional?: boolean) => ({ valueFrom: { secretKeyRef: { name, key, ...(optional ? { optional } : {}) } } });
const fromConfigMap = (name: string, key: string) => ({ valueFrom: { configMapKeyRef: { name, key } } });

describe("literal values", () => {
  test("a literal passes; the exact value, when asked, must match", async () => {
    const dep = deployment({ name: "server", env: [env("LOG_LEVEL", { value: "info" })] });
    expect(await run({ variable: "LOG_LEVEL", from: "literal" }, [dep])).toMatchObject({ status: "pass", message: 'Container "server" of Deployment "model-server" has LOG_LEVEL as a literal value.' });
    expect((await run({ variable: "LOG_LEVEL", from: "literal", value: "info" }, [dep])).status).toBe("pass");
    const wrong = await run({ variable: "LOG_LEVEL", from: "literal", value: "warning" }, [dep]);
    expect(wrong.status).toBe("fail");
    expect(wrong.message).toBe('Container "server" of Deployment "model-server" sets LOG_LEVEL to "info"; the lab expects "warning".');
  });

  test("missing, or read from a ConfigMap when the lab wants it in the manifest", async () => {
    const none = await run({ variable: "LOG_LEVEL", from: "literal" }, [deployment({ name: "server" })]);
    expect(none.message).toContain('Container "server" of Deployment "model-server" has no environment variable LOG_LEVEL. Add `{name: LOG_LEVEL, value: …}`');
    const cm = await run({ variable: "LOG_LEVEL", from: "literal" }, [deployment({ name: "server", env: [env("LOG_LEVEL", fromConfigMap("settings", "LOG_LEVEL"))] }), SETTINGS]);
    expect(cm.status).toBe("fail");
    expect(cm.message).toContain('reads LOG_LEVEL from key "LOG_LEVEL" of ConfigMap "settings"; the lab wants it as a literal `value` in the manifest');
  });

  test("a value from the downward API is not a literal", async () => {
    const dep = deployment({ name: "server", env: [env("POD_NAME", { valueFrom: { fieldRef: { fieldPath: "metadata.name" } } })] });
    expect((await run({ variable: "POD_NAME", from: "literal" }, [dep])).message).toContain("takes POD_NAME from `fieldRef` metadata.name");
  });
});

describe("from a Secret", () => {
  const params = { variable: "MODEL_STORE_TOKEN", from: "secret", secret: "model-store", key: "token" };

  test("secretKeyRef to the right Secret and key passes", async () => {
    const dep = deployment({ name: "server", env: [env("MODEL_STORE_TOKEN", fromSecret("model-store", "token"))] });
    expect(await run(params, [dep, CREDS])).toMatchObject({ status: "pass", message: expect.stringContaining('from key "token" of Secret "model-store"') });
    expect((await run({ variable: "MODEL_STORE_TOKEN", from: "secret" }, [dep, CREDS])).status).toBe("pass");
  });

  test("the token written into the manifest fails, and the message does not repeat it", async () => {
    const dep = deployment({ name: "server", env: [env("MODEL_STORE_TOKEN", { value: "s3cr3t-value" })] });
    const outcome = await run(params, [dep, CREDS]);
    expect(outcome.status).toBe("fail");
    expect(outcome.message).toContain("sets MODEL_STORE_TOKEN as a literal value written in the manifest; the lab wants it read from Secret \"model-store\" (key \"token\")");
    expect(outcome.message).toContain("secretKeyRef: {name: model-store, key: token}");
    expect(outcome.message).not.toContain("s3cr3t");
  });

  test("a ConfigMap is not a Secret; another Secret or key is not the one asked", async () => {
    const cm = configMap("model-store", { token: "x" });
    const viaCm = await run(params, [deployment({ name: "server", env: [env("MODEL_STORE_TOKEN", fromConfigMap("model-store", "token"))] }), cm]);
    expect(viaCm.message).toContain('reads MODEL_STORE_TOKEN from key "token" of ConfigMap "model-store"; the lab wants it read from Secret "model-store"');
    const other = secret("old-store", { token: "eA==" });
    const otherSecret = await run(params, [deployment({ name: "server", env: [env("MODEL_STORE_TOKEN", fromSecret("old-store", "token"))] }), other, CREDS]);
    expect(otherSecret.message).toContain('the lab wants it from Secret "model-store"');
    const both = secret("model-store", { token: "eA==", password: "eA==" });
    const otherKey = await run(params, [deployment({ name: "server", env: [env("MODEL_STORE_TOKEN", fromSecret("model-store", "password"))] }), both]);
    expect(otherKey.message).toContain('reads MODEL_STORE_TOKEN from key "password" of Secret "model-store"; the lab wants key "token".');
  });

  test("a Secret that does not exist or lacks the key keeps the pod from starting, and says so", async () => {
    const dep = deployment({ name: "server", env: [env("MODEL_STORE_TOKEN", fromSecret("model-store", "tokn"))] });
    const typo = await run(params, [dep, CREDS]);
    expect(typo.status).toBe("fail");
    expect(typo.message).toContain('asks key "tokn" of Secret "model-store", which has no such key (its keys: token), so the container cannot start (CreateContainerConfigError)');
    expect(typo.message).not.toContain(String(CREDS.data && (CREDS.data as Record<string, string>).token));
    const missing = await run(params, [deployment({ name: "server", env: [env("MODEL_STORE_TOKEN", fromSecret("model-store", "token"))] })]);
    expect(missing.message).toContain('names Secret "model-store", which does not exist in your namespace');
    const optional = await run(params, [deployment({ name: "server", env: [env("MODEL_STORE_TOKEN", fromSecret("model-store", "token", true))] })]);
    expect(optional.message).toContain("being `optional`, the variable is not set");
  });
});

describe("envFrom", () => {
  const params = { variable: "MODEL_PATH", from: "configMap", configMap: "settings" };

  test("counts when the ConfigMap has the key, with or without a prefix", async () => {
    const dep = deployment({ name: "server", envFrom: [{ configMapRef: { name: "settings" } }] });
    expect(await run(params, [dep, SETTINGS])).toMatchObject({ status: "pass", message: expect.stringContaining('from ConfigMap "settings" (key "MODEL_PATH", through `envFrom`)') });
    const prefixed = deployment({ name: "server", envFrom: [{ prefix: "MODEL_", configMapRef: { name: "paths" } }] });
    expect((await run({ ...params, configMap: "paths" }, [prefixed, configMap("paths", { PATH: "/m" })])).status).toBe("pass");
  });

  test("a ConfigMap without the key, or one that does not exist, is named", async () => {
    const dep = deployment({ name: "server", envFrom: [{ configMapRef: { name: "settings" } }] });
    const noKey = await run(params, [dep, configMap("settings", { model_path: "/m", LOG_LEVEL: "info" })]);
    expect(noKey.status).toBe("fail");
    expect(noKey.message).toContain('does not get the environment variable MODEL_PATH: `envFrom` reads ConfigMap "settings", which has no key MODEL_PATH (its keys: LOG_LEVEL, model_path)');
    expect((await run(params, [dep])).message).toContain('`envFrom` names ConfigMap "settings", which does not exist in your namespace');
  });

  test("an `env` entry wins over envFrom, and a later envFrom source over an earlier one", async () => {
    const overridden = deployment({ name: "server", envFrom: [{ configMapRef: { name: "settings" } }], env: [env("MODEL_PATH", { value: "/tmp/model" })] });
    const outcome = await run(params, [overridden, SETTINGS]);
    expect(outcome.status).toBe("fail");
    expect(outcome.message).toContain('sets MODEL_PATH as the literal value "/tmp/model"; the lab wants it read from ConfigMap "settings"');
    const later = deployment({ name: "server", envFrom: [{ configMapRef: { name: "settings" } }, { secretRef: { name: "leftovers" } }] });
    const shadowed = await run(params, [later, SETTINGS, secret("leftovers", { MODEL_PATH: "eA==" })]);
    expect(shadowed.message).toContain('reads MODEL_PATH from Secret "leftovers" (key "MODEL_PATH", through `envFrom`); the lab wants it read from ConfigMap "settings"');
    // Two `env` entries of one name (the API server only warns): the kubelet uses the last.
    const twice = deployment({ name: "server", env: [env("MODEL_PATH", fromConfigMap("settings", "MODEL_PATH")), env("MODEL_PATH", { value: "/tmp/model" })] });
    expect((await run(params, [twice, SETTINGS])).message).toContain('sets MODEL_PATH as the literal value "/tmp/model"');
  });

  test("the key the lab names must be the one read: envFrom reads the key named like the variable", async () => {
    const dep = deployment({ name: "server", envFrom: [{ configMapRef: { name: "settings" } }] });
    const outcome = await run({ ...params, key: "model_path" }, [dep, SETTINGS]);
    expect(outcome.message).toContain('gets MODEL_PATH through `envFrom` of ConfigMap "settings", that is from its key "MODEL_PATH"; the lab wants key "model_path"');
    const dep2 = deployment({ name: "server", env: [env("MODEL_PATH", fromConfigMap("settings", "model_path"))] });
    expect((await run({ ...params, key: "model_path" }, [dep2, SETTINGS])).status).toBe("pass");
  });
});

describe("which containers", () => {
  const good = { name: "server", env: [env("MODEL_PATH", fromConfigMap("settings", "MODEL_PATH"))] };

  test("every container by default: a sidecar without it fails, named", async () => {
    const outcome = await run({ variable: "MODEL_PATH", from: "configMap" }, [deployment(good, { name: "metrics" }), SETTINGS]);
    expect(outcome.status).toBe("fail");
    expect(outcome.message).toMatch(/^Container "metrics" of Deployment "model-server" has no environment variable MODEL_PATH/);
    expect(outcome.message).not.toContain('Container "server"');
  });

  test("`container` limits it to one, which must exist", async () => {
    expect((await run({ container: "server", variable: "MODEL_PATH", from: "configMap" }, [deployment(good, { name: "metrics" }), SETTINGS])).status).toBe("pass");
    expect((await run({ container: "model", variable: "MODEL_PATH", from: "configMap" }, [deployment(good), SETTINGS])).message).toBe('Deployment "model-server" has no container named "model".');
  });

  test("two containers wrong: both named, one line each in details", async () => {
    const outcome = await run({ variable: "MODEL_PATH", from: "configMap" }, [deployment({ name: "a" }, { name: "b" }), SETTINGS]);
    expect(outcome.details).toHaveLength(2);
    expect(outcome.message).toContain('Container "a"');
    expect(outcome.message).toContain('Container "b"');
  });

  test("a CronJob's pod template is read too; a missing workload says what to apply", async () => {
    const cron: AnyObject = {
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name: "nightly" },
      spec: { schedule: "0 2 * * *", jobTemplate: { spec: { template: { spec: { containers: [{ name: "score", image: "x:1", env: [env("MODEL_PATH", fromConfigMap("settings", "MODEL_PATH"))] }] } } } } },
    };
    const p = { workload: { kind: "CronJob", name: "nightly" }, variable: "MODEL_PATH", from: "configMap" };
    expect((await kind.run(kind.params.parse(p) as never, contextWith({}, [cron, SETTINGS]))).status).toBe("pass");
    expect((await run({ variable: "MODEL_PATH", from: "configMap" }, [])).message).toContain('There is no Deployment "model-server"');
  });
});

test("params: each option only with its source; names Kubernetes accepts", () => {
  const parse = (p: Record<string, unknown>) => kind.params.safeParse({ workload: DEP, ...p });
  expect(parse({ variable: "X", from: "secret", value: "v" }).success).toBe(false);
  expect(parse({ variable: "X", from: "literal", key: "k" }).success).toBe(false);
  expect(parse({ variable: "X", from: "configMap", secret: "s" }).success).toBe(false);
  expect(parse({ variable: "X", from: "secret", configMap: "c" }).success).toBe(false);
  expect(parse({ variable: "1X", from: "literal" }).success).toBe(false);
  expect(parse({ variable: "X", from: "vault" }).success).toBe(false);
  expect(parse({ variable: "X", from: "secret", key: "bad/key" }).success).toBe(false);
  expect(parse({ variable: "MODEL_PATH", from: "configMap", configMap: "settings", key: "model_path" }).success).toBe(true);
});
